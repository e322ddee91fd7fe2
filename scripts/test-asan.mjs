#!/usr/bin/env node
// Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (build/asan) and runs the
// Linux suite against it. Node itself is not instrumented, so the ASan runtime is preloaded;
// leak checking is off because Node frees little at exit by design — use-after-free, overflows
// and undefined behaviour in our code still stop the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const outDir = join(root, 'build', 'asan');

execFileSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs'), '--sanitize'], {
  cwd: root,
  stdio: 'inherit',
});

const runtime = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
const env = {
  ...process.env,
  LD_PRELOAD: [runtime('libasan.so'), runtime('libubsan.so')].join(' '),
  ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0',
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  PROACTOR_ADDON_PATH: join(outDir, 'proactor.node'),
};
// vitest's bin, found by its package (its exports name no subpath for it).
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
