#!/usr/bin/env node
// Runs one Node script on the Windows Node under Wine (the test leg's prefix and caches), showing
// its output as it comes: `node scripts/windows/run.mjs [--node 26] [--exe Code.exe] bench/run.mjs
// --quick` (the options as in test.mjs).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { follower } from './follow.mjs';
import { hostOptions } from './options.mjs';
import { logDir, provision, repoRoot } from './provision.mjs';
import { toWindowsPath } from './wine.mjs';

const { options, rest } = hostOptions(process.argv.slice(2));
const [script, ...args] = rest;
if (!script) {
  console.error('usage: node scripts/windows/run.mjs [--node <version>] [--exe <name>] <script> [args...]');
  process.exit(2);
}
const { nodeExe, prefix, wine } = await provision({ log: () => undefined, ...options });
mkdirSync(logDir, { recursive: true });
const outPath = join(logDir, `run-${process.pid}.stdout.log`);
const errPath = join(logDir, `run-${process.pid}.stderr.log`);
const out = openSync(outPath, 'w');
const err = openSync(errPath, 'w');
const command = wine.command('wine', [nodeExe, toWindowsPath(resolve(script)), ...args], repoRoot);
const child = spawn(command.command, command.args, {
  cwd: repoRoot,
  env: wine.env(prefix),
  stdio: ['ignore', out, err],
});
closeSync(out);
closeSync(err);
const followers = [follower(outPath, process.stdout), follower(errPath, process.stderr)];
const poll = setInterval(() => followers.forEach((f) => f.drain()), 200);
const code = await new Promise((resolveExit) => {
  child.once('error', () => resolveExit(1));
  child.once('exit', (exitCode) => resolveExit(exitCode ?? 1));
});
clearInterval(poll);
followers.forEach((f) => f.close());
rmSync(outPath, { force: true });
rmSync(errPath, { force: true });
process.exit(code);
