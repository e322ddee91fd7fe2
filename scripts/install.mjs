#!/usr/bin/env node
// npm's install hook: builds the addon for this machine with cmake-js, unless a prebuilt binary
// for this platform ships in prebuilds/ (then there is nothing to compile).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'proactor.node');
if (existsSync(prebuild) && !process.env.PROACTOR_BUILD_FROM_SOURCE) {
  console.log(`proactor: using ${prebuild}`);
} else {
  const cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  execFileSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
}
