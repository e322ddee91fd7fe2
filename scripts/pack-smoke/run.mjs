#!/usr/bin/env node
// What a user sees: the package as `npm pack` makes it, installed into empty projects on a PATH
// with Node and the package managers but no compiler and no CMake, then used.
//
//   npm run test:pack [-- --no-windows] [-- --no-arm64]
//
// Installs: npm (default), npm --strict-allow-scripts, npm --ignore-scripts, pnpm (its
// defaults: dependencies' build scripts are not run). Each install is timed. In each, the smoke
// run (smoke.mjs: import, then require in the same process; smoke.cjs: require only) does an
// echo through createServer/connect and a waitForExit of a child. Then, with the npm install:
// `npx proactor-rebuild` with no tools on PATH must refuse, naming them; with them, in a copy
// whose prebuilds are removed (a platform we ship none for), it must build one the loader uses.
// Last, the npm install's folder is used by the Windows Node under Wine, as node.exe and as
// Code.exe, and by the linux-arm64 Node under qemu-user.
//
// Everything lives in a new <tmpdir>/proactor-pack-smoke-XXXXXX/, outside the repo, so that
// nothing there can find the repo's own node_modules (as nothing in a user's project can). It is
// removed when the run passes, and kept, named, when it fails.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCommand } from '../commands.mjs';
import { ensureRoot } from '../debian-root.mjs';
import { nodeBinary } from '../node-binaries.mjs';
import { requireTools } from '../tools.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'proactor-pack-smoke-'));
const args = process.argv.slice(2);
const PNPM = 'pnpm@10';
const results = [];

function step(line) {
  console.log(`\npack-smoke: ${line}`);
}

function run(command, commandArgs, options = {}) {
  return execFileSync(command, commandArgs, { stdio: 'inherit', ...options });
}

/** The npm CLI script: the npm running us, or the one on PATH. */
function npmCli() {
  const { args: cliArgs } = npmCommand();
  if (cliArgs.length > 0) return cliArgs[0];
  return realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
}

/** pnpm from npm, cached in .cache/tools (it is a JavaScript program: it needs only node). */
function pnpmCli() {
  const dir = join(root, '.cache', 'tools', 'pnpm');
  const cli = join(dir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(cli)) {
    step(`fetching ${PNPM}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    const npm = npmCommand();
    run(npm.command, [...npm.args, 'install', '--no-audit', '--no-fund', '--no-package-lock', PNPM], {
      cwd: dir,
    });
  }
  return cli;
}

/**
 * A bin folder with node (the pinned Node 22: a supported one, whatever this machine runs), npm,
 * pnpm and sh only: the PATH of every install and run below.
 */
function userPath() {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(nodeBinary('22'), join(bin, 'node'));
  // npm exec runs bins through sh, which every user has.
  symlinkSync('/bin/sh', join(bin, 'sh'));
  symlinkSync(npmCli(), join(bin, 'npm'));
  writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\nexec node "${pnpmCli()}" "$@"\n`, { mode: 0o755 });
  const path = bin;
  const found = execFileSync(
    '/bin/sh',
    ['-c', 'for t in cmake cc c++ gcc g++ clang++ make ninja; do command -v $t; done; true'],
    { encoding: 'utf8', env: { PATH: path } },
  ).trim();
  if (found !== '') throw new Error(`the user PATH still finds build tools:\n${found}`);
  return path;
}

const installs = [
  { name: 'npm', command: 'npm', args: ['install'] },
  { name: 'npm --strict-allow-scripts', command: 'npm', args: ['install', '--strict-allow-scripts'] },
  { name: 'npm --ignore-scripts', command: 'npm', args: ['install', '--ignore-scripts'] },
  { name: 'pnpm (defaults)', command: 'pnpm', args: ['add'] },
];

function slug(name) {
  return name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
}

/** What a user with a prebuild must never get: a build, or the build tools' packages. */
function checkInstalled(dir) {
  const modules = join(dir, 'node_modules');
  const problems = [];
  const pkg = realpathSync(join(modules, 'proactor'));
  if (existsSync(join(pkg, 'build')))
    problems.push('node_modules/proactor/build exists: something was compiled');
  // Only what users need ships: no harness, tests or benchmarks, and no map to unshipped sources.
  for (const dev of ['scripts/windows', 'scripts/pack-smoke', 'test', 'bench', 'lib', 'cmake']) {
    if (existsSync(join(pkg, dev))) problems.push(`the package ships ${dev}/`);
  }
  const maps = readdirSync(pkg, { recursive: true }).filter((file) => String(file).endsWith('.map'));
  for (const map of maps.filter((file) => String(file) !== join('dist', 'cjs', 'index.cjs.map'))) {
    problems.push(`the package ships ${map}`);
  }
  const all = new Set(readdirSync(modules));
  if (existsSync(join(modules, '.pnpm')))
    for (const name of readdirSync(join(modules, '.pnpm'))) all.add(name);
  for (const name of all) {
    if (/^(cmake-js|node-addon-api|node-api-headers)(@|$)/.test(name)) problems.push(`installed ${name}`);
  }
  if (problems.length > 0) throw new Error(`${relative(root, dir)}: ${problems.join('; ')}`);
}

function smoke(dir, env, label, launcher = []) {
  for (const script of ['smoke.mjs', 'smoke.cjs']) {
    const [command, ...rest] = launcher.length > 0 ? launcher : ['node'];
    run(command, [...rest, join(dir, script)], { cwd: dir, env });
  }
  results.push(`${label}: smoke passed`);
}

// The `proactor` command as the package manager linked it (node_modules/.bin): it runs, imports
// the package by its own name, and waits for a process. pnpm's link is a shell script that calls
// sed, dirname and uname: the user's PATH keeps its node first, then this machine's tools.
function binSmoke(dir, installEnv, label) {
  const env = { ...installEnv, PATH: `${installEnv.PATH}${delimiter}${process.env.PATH ?? ''}` };
  const bin = join(dir, 'node_modules', '.bin', 'proactor');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const printed = execFileSync(bin, ['--version'], { cwd: dir, env, encoding: 'utf8' }).trim();
  if (printed !== version)
    throw new Error(`${label}: proactor --version printed '${printed}', not '${version}'`);
  const child = spawnSync(bin, ['wait', '--timeout', '200', String(process.pid)], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  if (child.status !== 1 || !child.stderr.includes('ETIMEDOUT')) {
    throw new Error(`${label}: proactor wait --timeout gave exit ${child.status}: ${child.stderr}`);
  }
  results.push(`${label}: the proactor command runs`);
}

async function main() {
  step('npm pack');
  const npm = npmCommand();
  const packed = execFileSync(npm.command, [...npm.args, 'pack', '--silent', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tarball = join(work, packed.trim().split('\n').pop());
  const path = userPath();
  const env = { PATH: path, HOME: process.env.HOME ?? '/root', npm_config_update_notifier: 'false' };

  let npmDir;
  for (const install of installs) {
    const dir = join(work, slug(install.name));
    mkdirSync(dir, { recursive: true });
    const manifest = { name: `smoke-${slug(install.name)}`, private: true };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const file of ['checks.cjs', 'smoke.cjs', 'smoke.mjs'])
      copyFileSync(join(here, file), join(dir, file));
    step(`${install.name} install ${tarball}`);
    const started = process.hrtime.bigint();
    run(install.command, [...install.args, tarball], { cwd: dir, env });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    results.push(`${install.name}: installed in ${seconds.toFixed(1)} s`);
    checkInstalled(dir);
    smoke(dir, env, install.name);
    binSmoke(dir, env, install.name);
    npmDir ??= dir;
  }

  step('npx proactor-rebuild with no compiler on PATH: says what is missing');
  const refused = spawnSync('npm', ['exec', '--', 'proactor-rebuild'], {
    cwd: npmDir,
    env,
    encoding: 'utf8',
  });
  if (refused.status === 0 || !/CMake/.test(refused.stderr) || !/C\+\+17 compiler/.test(refused.stderr)) {
    throw new Error(`proactor-rebuild without tools: status ${refused.status}\n${refused.stderr}`);
  }
  console.log(refused.stderr.trim());
  results.push('npx proactor-rebuild without tools: refused, naming CMake and the compiler');

  step('npx proactor-rebuild with the tools, in a copy of the npm install with no prebuilds');
  const fromSource = join(work, 'from-source');
  cpSync(npmDir, fromSource, { recursive: true, verbatimSymlinks: true });
  const installed = join(fromSource, 'node_modules', 'proactor');
  rmSync(join(installed, 'prebuilds'), { recursive: true, force: true });
  const toolsEnv = { ...process.env, PATH: `${path}:${process.env.PATH}` };
  run('npm', ['exec', '--', 'proactor-rebuild'], { cwd: fromSource, env: toolsEnv });
  const built = join(installed, 'build', `${process.platform}-${process.arch}`, 'proactor.node');
  if (!existsSync(built)) throw new Error(`proactor-rebuild wrote no ${built}`);
  smoke(fromSource, env, 'built from source (npx proactor-rebuild)');

  if (!args.includes('--no-windows')) {
    const runner = join(root, 'scripts', 'windows', 'run.mjs');
    for (const exe of ['node.exe', 'Code.exe']) {
      step(`the npm install on the Windows Node under Wine, as ${exe}`);
      smoke(npmDir, process.env, `Windows Node as ${exe}`, [process.execPath, runner, '--exe', exe]);
    }
  }

  if (!args.includes('--no-arm64')) {
    step('the npm install on the linux-arm64 Node under qemu-user');
    requireTools(['qemu-aarch64-static']);
    // The arm64 C and C++ runtimes that Node needs: the build root's cross-compiler packages.
    const sysroot = join(ensureRoot('build'), 'usr', 'aarch64-linux-gnu');
    const node = nodeBinary('22', 'linux-arm64');
    const qemu = execFileSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).trim();
    smoke(npmDir, env, 'linux-arm64 Node 22 under qemu-user', [qemu, '-L', sysroot, node]);
  }

  console.log(`\npack-smoke: ${basename(tarball)}, ${Math.round(statSync(tarball).size / 1024)} KB`);
  for (const line of results) console.log(`  ${line}`);
}

main().then(
  () => rmSync(work, { recursive: true, force: true }),
  (error) => {
    console.error(`pack-smoke: ${error.message}\n(everything is kept in ${work})`);
    process.exit(1);
  },
);
