// How the Windows test leg talks to Wine: the environment every Wine process gets, and how a
// Linux path is spelled for a Windows program.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * A Linux path as the Windows side sees it. A fresh prefix maps drive Z: to `/`, so
 * `/a/b` is `Z:\a\b`. (Cheaper than `winepath -w`, which starts Wine.)
 */
export function toWindowsPath(linuxPath) {
  return `Z:${resolve(linuxPath).replaceAll('/', '\\')}`;
}

/**
 * The environment for a process in our prefix.
 * - WINEDEBUG=-all keeps Wine's own chatter (and Debian's "wine32 is missing" hint) out of the
 *   test output; a WINEDEBUG set by the caller wins, for debugging Wine itself.
 * - mscoree/mshtml disabled: otherwise creating a prefix offers to download Mono and Gecko.
 * - winemenubuilder disabled: it would write menu entries into the user's home.
 * - bcryptprimitives native: our shim (see shim/bcryptprimitives.c), even on a Wine that has one.
 * - no DISPLAY: nothing here needs a window, and without one no dialog can wait for a click.
 * - NODE_OPTIONS dropped: flags meant for the host Node (often with Linux paths) would break
 *   the Windows one.
 */
export function wineEnv(prefix, extra = {}) {
  const env = {
    ...process.env,
    WINEPREFIX: prefix,
    WINEARCH: 'win64',
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=;winemenubuilder.exe=d;bcryptprimitives=n,b',
    ...extra,
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.NODE_OPTIONS;
  return env;
}

/** `wine --version`, e.g. `wine-8.0 (Debian 8.0~repack-4)`: part of the prefix's cache key. */
export function wineVersion() {
  return execFileSync('wine', ['--version'], {
    encoding: 'utf8',
    env: { ...process.env, WINEDEBUG: '-all' },
  }).trim();
}

/**
 * Stops every process of `prefix` (and its wineserver). Only ever called with our own prefix,
 * so nothing outside the test leg is touched.
 */
export function killPrefix(prefix) {
  try {
    execFileSync('wineserver', ['-k'], { env: wineEnv(prefix), stdio: 'ignore', timeout: 30_000 });
  } catch {
    // No wineserver running for this prefix: nothing to stop.
  }
}
