#!/usr/bin/env node
// Cross-compiles the addon for win32-x64 with mingw-w64 and writes
// prebuilds/win32-x64/proactor.node: the file the Windows test leg (Wine) loads.
//
// Same CMakeLists.txt as the host build; we feed it the variables cmake-js would: the Node-API
// headers, node-addon-api, and an import library for node.exe made with dlltool from the .def
// file node-api-headers ships (no node.lib can be downloaded here).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, requireTools } from './windows/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const buildDir = join(root, 'build', 'win32-x64');
const outDir = join(root, 'prebuilds', 'win32-x64');

requireTools(['x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool', 'cmake']);

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root });
}

const headers = require('node-api-headers');
const addonApi = require('node-addon-api');
mkdirSync(buildDir, { recursive: true });
const importLib = join(buildDir, 'libnode.a');
run('x86_64-w64-mingw32-dlltool', ['-d', headers.def_paths.node_api_def, '-l', importLib]);

const generator = hasCommand('ninja') ? ['-G', 'Ninja'] : [];
run('cmake', [
  '-S',
  root,
  '-B',
  buildDir,
  ...generator,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_TOOLCHAIN_FILE=${join(root, 'cmake', 'mingw-w64-x86_64.cmake')}`,
  `-DCMAKE_JS_INC=${headers.include_dir};${addonApi.include_dir}`,
  `-DCMAKE_JS_LIB=${importLib}`,
]);
run('cmake', ['--build', buildDir, '--config', 'Release']);

mkdirSync(outDir, { recursive: true });
copyFileSync(join(buildDir, 'proactor.node'), join(outDir, 'proactor.node'));
console.log(`built ${join('prebuilds', 'win32-x64', 'proactor.node')}`);
