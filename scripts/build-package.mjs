#!/usr/bin/env node
// The package's JavaScript and types (dist/), after `tsc -p tsconfig.build.json` has compiled
// lib/ to build/esm/: ESM modules and their declarations. build/esm is for our own tools (the
// benchmarks reach internals through it); the package takes only its declarations, as
// dist/types/ (ESM: the package is "type": "module").
//
// One implementation, so one default proactor per process: a CommonJS bundle of lib/
// (dist/cjs/index.cjs) is what both `require('proactor')` and `import 'proactor'` run. The ESM
// entry (dist/index.mjs) only re-exports its names; two separate builds would load twice in a
// process that both imports and requires us (an app and one of its dependencies), each with its
// own default proactor and its own classes (the dual package hazard).
//
// Types for require() must be CommonJS declarations, or TypeScript reads them as ESM (TS1479,
// "masquerading as ESM"): dist/cjs/ gets a .d.cts twin of each .d.ts, its relative imports
// renamed to match.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const entry = join(root, 'lib', 'index.ts');
const compiled = join(root, 'build', 'esm');

rmSync(dist, { recursive: true, force: true });

// A CommonJS module has no import.meta: its one use (finding the package root) gets this file's
// own URL instead.
await build({
  entryPoints: [entry],
  outfile: join(dist, 'cjs', 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  sourcesContent: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__proactorModuleUrl' },
  banner: { js: "const __proactorModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The names to re-export: what the entry exports, as esbuild sees it.
const { metafile } = await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  metafile: true,
  outfile: join(dist, 'names.js'),
  logLevel: 'warning',
});
const names = Object.values(metafile.outputs)
  .flatMap((output) => output.exports)
  .sort();
writeFileSync(
  join(dist, 'index.mjs'),
  `// The ESM entry: the CommonJS build's names (see scripts/build-package.mjs).\n` +
    `import proactor from './cjs/index.cjs';\n\n` +
    `export const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = proactor;\n`,
);

/** Every .d.ts under `dir`, as paths relative to it. */
function declarations(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

const types = join(dist, 'types');
const cjsTypes = join(dist, 'cjs');
for (const file of declarations(compiled)) {
  const source = readFileSync(join(compiled, file), 'utf8');
  mkdirSync(dirname(join(types, file)), { recursive: true });
  copyFileSync(join(compiled, file), join(types, file));
  // `from './x.js'` and `import('./x.js')`: relative specifiers only, as tsc writes them.
  const renamed = source.replace(/(['"])(\.{1,2}\/[^'"]*?)\.js\1/g, '$1$2.cjs$1');
  const target = join(cjsTypes, file.replace(/\.d\.ts$/, '.d.cts'));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, renamed);
}

// The `proactor` command (cli/, package.json "bin"): one ESM file that imports the package by its
// own name, so it runs on the public API only, and on the same single implementation.
await build({
  entryPoints: [join(root, 'cli', 'main.ts')],
  outfile: join(dist, 'cli.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['proactor'],
  logLevel: 'warning',
});
