// Builds the native ceiling program (pipe_ceiling.cc) for the host, or for win32-x64 with
// mingw-w64 (static, so it runs under Wine with no extra DLL). Returns the executable's path.
// For win32 it also builds exit_gate.exe, the many-exits scenario's children (exit_gate.c).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export function buildCeiling(platform = process.platform) {
  const source = join(here, 'pipe_ceiling.cc');
  const outDir = join(root, 'build', 'bench');
  mkdirSync(outDir, { recursive: true });
  const windows = platform === 'win32';
  const output = join(outDir, windows ? 'pipe_ceiling.exe' : 'pipe_ceiling');
  const built = statSync(output, { throwIfNoEntry: false });
  if (built && built.mtimeMs >= statSync(source).mtimeMs) return output;
  const [compiler, extra] = windows
    ? ['x86_64-w64-mingw32-g++-posix', ['-static', '-static-libgcc', '-static-libstdc++']]
    : ['g++', ['-pthread']];
  execFileSync(compiler, ['-O2', '-std=c++17', source, '-o', output, ...extra], { stdio: 'inherit' });
  return output;
}

// The Windows children of the many-exits scenario: build/bench/exit_gate.exe, where the scenario
// looks for it. Plain C on kernel32 and msvcrt, so a process costs Wine as little as one can.
export function buildExitGate() {
  const source = join(here, 'exit_gate.c');
  const outDir = join(root, 'build', 'bench');
  mkdirSync(outDir, { recursive: true });
  const output = join(outDir, 'exit_gate.exe');
  const built = statSync(output, { throwIfNoEntry: false });
  if (built && built.mtimeMs >= statSync(source).mtimeMs) return output;
  execFileSync('x86_64-w64-mingw32-gcc', ['-O2', '-municode', '-s', source, '-o', output], {
    stdio: 'inherit',
  });
  return output;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'win32') buildExitGate();
  console.log(buildCeiling(process.argv[2]));
}
