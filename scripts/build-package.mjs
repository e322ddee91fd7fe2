#!/usr/bin/env node
// The CommonJS build: one bundle of lib/ for require('proactor'). tsc writes the ESM build and
// the type declarations; a CommonJS module has no import.meta, so the one use of
// import.meta.url (finding the package root) is given this file's own URL instead.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'lib', 'index.ts')],
  outfile: join(root, 'dist', 'cjs', 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__proactorModuleUrl' },
  banner: { js: "const __proactorModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
