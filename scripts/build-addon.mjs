#!/usr/bin/env node
// Builds the native addon with CMake: the one driver of every build of it.
//
//   node scripts/build-addon.mjs               this machine: build/<platform>-<arch>/proactor.node
//   node scripts/build-addon.mjs --sanitize    this machine, ASan + UBSan: build/asan/proactor.node
//   node scripts/build-addon.mjs win32-x64 ... the named prebuilds, into prebuilds/ (see targets)
//   node scripts/build-addon.mjs --prebuilds   every prebuild the package ships
//
// Users run the first form as `npx proactor-rebuild`, to build from source where no prebuild
// fits (or to use their own compiler). It needs CMake and a C++17 compiler, nothing from npm
// but two header packages, which it fetches if the install did not bring them. The loader
// (lib/native.ts) prefers build/<platform>-<arch>/ over prebuilds/.
//
// CMakeLists.txt gets the Node-API headers (node-api-headers), node-addon-api, the .def file
// the Windows import library is made from, and the versions, all from here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, npmCommand } from './commands.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * The prebuilds the package ships. `root` names a Debian root (scripts/debian-root.mjs) the
 * build runs in; `file` is where the loader looks for it. The Linux ones carry node-gyp-build's
 * `glibc` tag: they do not load on musl.
 */
export const prebuildTargets = {
  'linux-x64': {
    root: 'build',
    file: 'prebuilds/linux-x64/proactor.glibc.node',
  },
  'linux-arm64': {
    root: 'build',
    toolchain: 'cmake/aarch64-linux-gnu.cmake',
    file: 'prebuilds/linux-arm64/proactor.glibc.node',
  },
  'win32-x64': {
    toolchain: 'cmake/mingw-w64-x86_64.cmake',
    tools: ['x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool', 'cmake'],
    file: 'prebuilds/win32-x64/proactor.node',
  },
};

class BuildError extends Error {}

/**
 * The include folders of node-api-headers and node-addon-api, and node_api.def. Both are
 * header-only packages; the ranges are our devDependencies'. A user's install does not bring
 * them (no one with a prebuild needs them), so a from-source build fetches them into build/deps.
 */
function nodeApiPaths() {
  const names = ['node-api-headers', 'node-addon-api'];
  const resolveFrom = (dir) => {
    const require = createRequire(join(dir, 'package.json'));
    try {
      const headers = require('node-api-headers');
      const addonApi = require('node-addon-api');
      return {
        // node-addon-api's include_dir is relative to the working folder; include is absolute.
        include: [headers.include_dir, addonApi.include.replaceAll('"', '')],
        def: headers.def_paths.node_api_def,
      };
    } catch {
      return undefined;
    }
  };
  const found = resolveFrom(root);
  if (found) return found;
  const depsDir = join(root, 'build', 'deps');
  const fetched = resolveFrom(depsDir);
  if (fetched) return fetched;

  const specs = names.map((name) => `${name}@${manifest.devDependencies[name]}`);
  console.log(`proactor: fetching the Node-API headers (${specs.join(', ')}) into build/deps`);
  mkdirSync(depsDir, { recursive: true });
  const npm = npmCommand();
  try {
    execFileSync(
      npm.command,
      [
        ...npm.args,
        'install',
        '--prefix',
        depsDir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        ...specs,
      ],
      { stdio: 'inherit', shell: npm.shell },
    );
  } catch (error) {
    throw new BuildError(`npm could not fetch ${specs.join(' ')}: ${error.message}`);
  }
  const after = resolveFrom(depsDir);
  if (!after)
    throw new BuildError(`npm installed ${specs.join(' ')}, but they cannot be loaded from ${depsDir}`);
  return after;
}

/** What a build on this machine needs that it lacks, as lines for the user. */
function missingHostTools() {
  const missing = [];
  if (!hasCommand('cmake')) {
    missing.push('CMake 3.18 or newer on PATH (https://cmake.org/download/, or your package manager)');
  }
  if (process.platform !== 'win32') {
    const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
    if (!compilers.some((name) => hasCommand(name))) {
      missing.push('a C++17 compiler: g++ or clang++ (Debian/Ubuntu: apt install g++)');
    }
  }
  // On Windows CMake finds Visual Studio itself, and says so when it can't.
  return missing;
}

function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: 'inherit', cwd: root, ...options });
}

/** Configures and builds in `buildDir`; `enter` wraps a command to run it in a Debian root. */
function cmakeBuild({ buildDir, toolchain, defines = {}, enter }) {
  const paths = nodeApiPaths();
  const exec = (args) => {
    if (!enter) return run('cmake', args);
    const wrapped = enter.command('cmake', args);
    return run(wrapped.command, wrapped.args, { env: enter.env });
  };
  const generator = process.platform === 'win32' || enter || !hasCommand('ninja') ? [] : ['-G', 'Ninja'];
  // Visual Studio generators build for the machine's arch unless told; match this Node's.
  const platformArg =
    process.platform === 'win32' && !toolchain ? ['-A', process.arch === 'arm64' ? 'ARM64' : 'x64'] : [];
  const all = {
    CMAKE_BUILD_TYPE: 'Release',
    NODE_API_INCLUDE_DIRS: paths.include.join(';'),
    // Only Windows makes an import library (CMake warns about a variable it does not use).
    ...(process.platform === 'win32' || toolchain?.includes('mingw') ? { NODE_API_DEF: paths.def } : {}),
    PROACTOR_VERSION: manifest.version,
    PROACTOR_NAPI_VERSION: String(manifest.binary.napi_versions[0]),
    ...(toolchain ? { CMAKE_TOOLCHAIN_FILE: join(root, toolchain) } : {}),
    ...defines,
  };
  exec([
    '-S',
    root,
    '-B',
    buildDir,
    ...generator,
    ...platformArg,
    ...Object.entries(all).map(([name, value]) => `-D${name}=${value}`),
  ]);
  exec(['--build', buildDir, '--config', 'Release', '--parallel']);
  return join(buildDir, 'proactor.node');
}

/** Builds the addon for this machine (or its sanitizer build); returns the file's path. */
export function buildHost({ sanitize = false } = {}) {
  const missing = missingHostTools();
  if (missing.length > 0) {
    throw new BuildError(
      `proactor: cannot build the native addon from source; missing:\n  - ${missing.join('\n  - ')}`,
    );
  }
  const target = `${process.platform}-${process.arch}`;
  return cmakeBuild({
    buildDir: join(root, 'build', sanitize ? 'asan' : target),
    defines: sanitize ? { PROACTOR_SANITIZE: 'ON' } : {},
  });
}

/** Builds prebuild `name` (a key of prebuildTargets) and copies it to its place in prebuilds/. */
export async function buildPrebuild(name) {
  const spec = prebuildTargets[name];
  if (!spec) {
    throw new BuildError(`no prebuild target ${name}; known: ${Object.keys(prebuildTargets).join(', ')}`);
  }
  const { requireTools } = await import('./tools.mjs');
  let enter;
  if (spec.root) {
    const { ensureRoot, rootCommand, rootEnv } = await import('./debian-root.mjs');
    const dir = ensureRoot(spec.root);
    enter = { command: (command, args) => rootCommand(dir, command, args), env: rootEnv() };
  } else {
    requireTools(spec.tools);
  }
  const built = cmakeBuild({
    buildDir: join(root, 'build', 'prebuild', name),
    toolchain: spec.toolchain,
    enter,
  });
  const destination = join(root, spec.file);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(built, destination);
  console.log(`built ${relative(root, destination)}`);
  return destination;
}

async function main(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: build-addon.mjs [--sanitize] | [--prebuilds] | [<target>...]');
    console.log(`targets: ${Object.keys(prebuildTargets).join(', ')}`);
    return;
  }
  const names = argv.includes('--prebuilds')
    ? Object.keys(prebuildTargets)
    : argv.filter((a) => !a.startsWith('-'));
  if (names.length === 0) {
    const file = buildHost({ sanitize: argv.includes('--sanitize') });
    console.log(`built ${relative(process.cwd(), file) || file}`);
    return;
  }
  for (const name of names) await buildPrebuild(name);
}

// Run as a program (also through npm's bin link, a symlink), not imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    if (error instanceof BuildError) {
      console.error(error.message);
    } else {
      console.error(`proactor: the addon build failed: ${error.message}`);
    }
    process.exit(1);
  });
}
