// How the Windows test leg talks to Wine: which Wine, the environment every Wine process gets,
// and how a Linux path is spelled for a Windows program.
//
// Two Wines serve it:
//   host    Debian 12's Wine 8, from apt: starts Windows Node 22, the default.
//   root    Debian 13's Wine 10, in the `wine` Debian root (scripts/debian-root.mjs): Wine 8
//           dies starting Node 24 or 26 ("Fatal process out of memory:
//           SegmentedTable::InitializeTable"), Wine 10 runs them.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { rootCommand, rootEnv } from '../debian-root.mjs';

/**
 * A Linux path as the Windows side sees it. A fresh prefix maps drive Z: to `/`, so
 * `/a/b` is `Z:\a\b`. (Cheaper than `winepath -w`, which starts Wine.) In the Debian root the
 * repo sits at the same path, so this holds there too.
 */
export function toWindowsPath(linuxPath) {
  return `Z:${resolve(linuxPath).replaceAll('/', '\\')}`;
}

/**
 * The environment for a process in a prefix.
 * - WINEDEBUG=-all keeps Wine's own chatter (and Debian's "wine32 is missing" hint) out of the
 *   test output; a WINEDEBUG set by the caller wins, for debugging Wine itself.
 * - mscoree/mshtml disabled: otherwise creating a prefix offers to download Mono and Gecko.
 * - winemenubuilder disabled: it would write menu entries into the user's home.
 * - bcryptprimitives native first: our shim (see shim/bcryptprimitives.c) where it is
 *   installed (Wine 8); Wine 10's own otherwise.
 * - no DISPLAY: nothing here needs a window, and without one no dialog can wait for a click.
 * - NODE_OPTIONS and NODE_EXTRA_CA_CERTS dropped: meant for the host Node (often with Linux
 *   paths), they would break or warn in the Windows one.
 */
function prefixEnv(base, prefix, extra) {
  const env = {
    ...base,
    WINEPREFIX: prefix,
    WINEARCH: 'win64',
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=;winemenubuilder.exe=d;bcryptprimitives=n,b',
    ...extra,
  };
  if (prefix === undefined) delete env.WINEPREFIX;
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * One Wine: `kind` is 'host', or 'root' with `rootDir` the Debian root holding Wine 10.
 * - command(program, args, cwd) gives `{ command, args }` to spawn a Wine program;
 * - env(prefix, extra) the environment for it;
 * - version() is `wine --version`, part of a prefix's cache key;
 * - kill(prefix) stops every process of the prefix and its wineserver. Only ever called with
 *   our own prefix, so nothing outside the test leg is touched.
 */
export function wineOf(kind, rootDir) {
  const inRoot = kind === 'root';
  const command = (program, args = [], cwd = undefined) =>
    inRoot ? rootCommand(rootDir, program, args, cwd ? { cwd } : {}) : { command: program, args };
  const env = (prefix, extra = {}) =>
    inRoot
      ? prefixEnv(rootEnv(), prefix, { XDG_RUNTIME_DIR: '/run/user/0', ...extra })
      : prefixEnv(process.env, prefix, extra);
  const runSync = (prefix, program, args, options = {}) => {
    const spec = command(program, args);
    return execFileSync(spec.command, spec.args, { env: env(prefix), ...options });
  };
  return {
    kind,
    command,
    env,
    runSync,
    version: () => runSync(undefined, 'wine', ['--version'], { encoding: 'utf8' }).trim(),
    kill(prefix) {
      try {
        runSync(prefix, 'wineserver', ['-k'], { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // No wineserver running for this prefix: nothing to stop.
      }
    },
  };
}
