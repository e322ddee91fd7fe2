#!/usr/bin/env node
// Runs one Node script on the Windows Node under Wine (the test leg's prefix and caches) and
// prints its output: `node scripts/windows/run.mjs bench/waits.mjs 10000`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { logDir, provision, repoRoot } from './provision.mjs';
import { toWindowsPath, wineEnv } from './wine.mjs';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/windows/run.mjs <script> [args...]');
  process.exit(2);
}
const { nodeExe, prefix } = provision(() => undefined);
mkdirSync(logDir, { recursive: true });
const out = join(logDir, 'run.stdout.log');
const err = join(logDir, 'run.stderr.log');
// Node under Wine cannot write to a Unix pipe (EBADF): it writes to files, printed after.
const result = spawnSync(
  'sh',
  ['-c', 'exec wine "$@" >"$OUT" 2>"$ERR"', 'sh', nodeExe, toWindowsPath(resolve(script)), ...args],
  { cwd: repoRoot, env: { ...wineEnv(prefix), OUT: out, ERR: err }, stdio: 'inherit' },
);
process.stdout.write(readFileSync(out));
process.stderr.write(readFileSync(err));
process.exit(result.status ?? 1);
