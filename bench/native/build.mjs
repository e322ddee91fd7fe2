// Builds the native ceiling program (pipe_ceiling.cc) for the host, or for win32-x64 with
// mingw-w64 (static, so it runs under Wine with no extra DLL). Returns the executable's path.
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildCeiling(process.argv[2]));
}
