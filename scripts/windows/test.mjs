#!/usr/bin/env node
// The Windows test leg: runs the repo's vitest suite on the real Windows Node under Wine.
//
//   npm run test:windows [-- [--node <major|version>] [--exe <name>.exe] <vitest arguments>]
//       e.g. -- test/canary.test.ts; --node 26 (Wine 10, see wine.mjs); --exe Code.exe (the
//       Windows Node copied as Code.exe: a host exe not named node.exe, as Electron and VS Code
//       are). PROACTOR_WINDOWS_NODE and PROACTOR_WINDOWS_EXE set the same.
//   node scripts/windows/test.mjs --provision-only    only fill .cache/windows/ (for CI caching)
//
// The repo's own node_modules (installed on Linux) are reused: they are plain JavaScript except
// esbuild's and rollup's binaries, whose win32 builds come from .cache/windows/modules through
// NODE_PATH (the CommonJS fallback both packages resolve their binary with).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { follower } from './follow.mjs';
import { hostOptions } from './options.mjs';
import { npmCommand } from '../commands.mjs';
import { logDir, packageDir, provision, repoRoot } from './provision.mjs';
import { toWindowsPath } from './wine.mjs';

const timeoutMs = Number(process.env.PROACTOR_WINDOWS_TIMEOUT_MS ?? 15 * 60_000);
const pollMs = 200;

const log = (line) => console.log(line);

/** The newest modification time of `path`, or of any file under it; 0 if it does not exist. */
function newestMtime(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** The oldest modification time of any file under `path`; 0 if there is none. */
function oldestMtime(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  const times = readdirSync(path).map((name) => oldestMtime(join(path, name)));
  return times.length === 0 || times.includes(0) ? 0 : Math.min(...times);
}

function runNpmScript(name) {
  const npm = npmCommand();
  execFileSync(npm.command, [...npm.args, 'run', name], { cwd: repoRoot, stdio: 'inherit' });
}

/**
 * Runs npm script `name` when any output under `outputs` is missing or older than the newest
 * of `sources`. The Windows leg loads the win32 addon, and the package tests load dist/.
 */
function ensureBuilt(name, outputs, sources) {
  const built = oldestMtime(join(repoRoot, outputs));
  const newest = Math.max(...sources.map((path) => newestMtime(join(repoRoot, path))));
  if (built !== 0 && built >= newest) return;
  log(
    `windows: ${outputs} is ${built === 0 ? 'missing' : 'older than its sources'}; running npm run ${name}`,
  );
  runNpmScript(name);
}

async function runVitest({ nodeExe, nodeVersion, nodeModules, prefix, wine }, vitestArgs) {
  mkdirSync(logDir, { recursive: true });
  // One pair of files per run: two runs at once (a developer and an editor's test task) must
  // not follow each other's output.
  const outPath = join(logDir, `vitest-${process.pid}.stdout.log`);
  const errPath = join(logDir, `vitest-${process.pid}.stderr.log`);
  // Node under Wine fails with EBADF writing to a Unix pipe, so it writes to files we follow.
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const env = wine.env(prefix, {
    NODE_PATH: toWindowsPath(nodeModules),
    // The canary test checks the leg really runs on the platform it claims.
    PROACTOR_TEST_LEG: 'win32',
    PROACTOR_TEST_NODE: nodeVersion,
    PROACTOR_TEST_EXE: basename(nodeExe),
  });
  // Windows Node always colours; keep the host's choice so CI logs read the same on both legs.
  if (!process.stdout.isTTY && !env.CI && !env.FORCE_COLOR) env.NO_COLOR = '1';

  const vitest = toWindowsPath(join(packageDir(repoRoot, 'vitest'), 'vitest.mjs'));
  // vitest's workers are threads here, one at a time, not a node.exe per test file: starting a
  // process is Wine's slowest and least reliable operation, and under load it has failed
  // (CreateProcess reported an unmapped error, `spawn UNKNOWN`, for vitest's fork of a test
  // file). The tests' own child processes are still processes. One worker, because the files
  // then share one process, and some count the process's open handles.
  const pool = ['--pool=threads', '--maxWorkers=1'];
  const command = wine.command('wine', [nodeExe, vitest, 'run', ...pool, ...vitestArgs], repoRoot);
  const child = spawn(command.command, command.args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  const followers = [follower(outPath, process.stdout), follower(errPath, process.stderr)];
  const poll = setInterval(() => followers.forEach((f) => f.drain()), pollMs);

  let stopReason;
  const stop = (reason) => {
    if (stopReason) return;
    stopReason = reason;
    // Every process in the prefix is ours: vitest, its workers, and what the tests spawned.
    wine.kill(prefix);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(() => stop(`timed out after ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
  const onSignal = (signal) => stop(`stopped by ${signal}`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const code = await new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`windows: cannot start wine: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  clearTimeout(timer);
  clearInterval(poll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  followers.forEach((f) => f.close());

  const logs = [outPath, errPath].map((path) => relative(repoRoot, path)).join(' and ');
  if (stopReason) {
    console.error(`windows: vitest ${stopReason}; its output is kept in ${logs}`);
    return stopReason.startsWith('timed out') ? 124 : 130;
  }
  if (code !== 0) {
    console.error(`windows: vitest exited with code ${code}; its output is kept in ${logs}`);
    return code;
  }
  // Everything was printed above; a passing run leaves nothing behind.
  rmSync(outPath, { force: true });
  rmSync(errPath, { force: true });
  return code;
}

async function main() {
  const { options, rest: args } = hostOptions(process.argv.slice(2));
  const provisionOnly = args.includes('--provision-only');
  const started = Date.now();
  const tools = await provision({ log, ...options });
  log(
    `windows: Node ${tools.nodeVersion} as ${relative(repoRoot, tools.nodeExe)} on ${tools.wine.version()}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (provisionOnly) return 0;
  ensureBuilt('build:windows', 'prebuilds/win32-x64/proactor.node', [
    'addon',
    'cmake',
    'CMakeLists.txt',
    'scripts/build-addon.mjs',
  ]);
  ensureBuilt('build:ts', 'dist', [
    'lib',
    'tsconfig.json',
    'tsconfig.build.json',
    'scripts/build-package.mjs',
  ]);
  return runVitest(tools, args);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`windows: ${error.message}`);
    process.exit(1);
  },
);
