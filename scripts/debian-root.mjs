// Debian roots: whole Debian systems in a folder, made with debootstrap and entered with chroot,
// for the two jobs this machine's own Debian can't do.
//
//   build  Debian 11 (bullseye, glibc 2.31, GCC 10): the linux prebuilds are compiled here, so
//          they load on systems as old as that (the host's glibc 2.36 would leak newer symbol
//          versions into the binary). Buster (glibc 2.28) is no longer on Debian's main archive.
//   wine   Debian 13 (trixie), for its Wine 10: Wine 8 cannot start Windows Node 24 or 26.
//
// Each lives in .cache/roots/<name>, with a stamp of what it was made from written last, so a
// second run reuses it and an interrupted one is made again. Making one takes about a minute.
//
// A command runs in a root through `unshare --mount`: in a mount namespace of its own, the root
// gets /proc, /dev and the repo (at the same path as outside, so every path a script computes
// is right on both sides), and all of that goes away with the command. Needs root, as CI is.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stampMatches, writeStamp } from './stamps.mjs';
import { requireTools } from './tools.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const mirror = process.env.PROACTOR_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

const roots = {
  build: {
    suite: 'bullseye',
    packages: ['g++', 'cmake', 'make', 'g++-aarch64-linux-gnu'],
  },
  wine: {
    suite: 'trixie',
    packages: ['wine', 'wine64'],
  },
};

const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// $1 the root, $2 the repo, $3 the working folder; then the command.
const enterScript = `set -e
root=$1 repo=$2 cwd=$3
shift 3
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mkdir -p "$root$repo"
mount --bind "$repo" "$root$repo"
exec chroot "$root" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"`;

function rootDir(name) {
  return join(repoRoot, '.cache', 'roots', name);
}

/**
 * `{ command, args }` that run `command args` inside root `dir`, in `cwd` (a path under the repo,
 * the same inside as out). Pass the environment with rootEnv().
 */
export function rootCommand(dir, command, args = [], { cwd = repoRoot } = {}) {
  return {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      enterScript,
      'sh',
      dir,
      repoRoot,
      cwd,
      command,
      ...args,
    ],
  };
}

/** The environment for a command in a root: the host's, with the root's own PATH. */
export function rootEnv(extra = {}) {
  return { ...process.env, PATH: systemPath, HOME: '/root', LANG: 'C.UTF-8', ...extra };
}

function runInRoot(dir, command, args, log) {
  const { command: cmd, args: cmdArgs } = rootCommand(dir, command, args);
  execFileSync(cmd, cmdArgs, {
    stdio: ['ignore', log, log],
    env: rootEnv({ DEBIAN_FRONTEND: 'noninteractive' }),
  });
}

/**
 * The folder of root `name` (`build` or `wine`), made first if it is missing or was made from
 * something else. `log` receives one line per slow step.
 */
export function ensureRoot(name, log = (line) => console.log(line)) {
  const spec = roots[name];
  if (!spec) throw new Error(`no Debian root named ${name}`);
  const dir = rootDir(name);
  const stampPath = join(dir, '.proactor-stamp.json');
  const key = { ...spec, mirror };
  if (stampMatches(stampPath, key)) return dir;

  requireTools(['debootstrap', 'unshare']);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`making the Debian ${spec.suite} root needs root (debootstrap, chroot)`);
  }
  const started = Date.now();
  log(`roots: making .cache/roots/${name} (Debian ${spec.suite}: ${spec.packages.join(' ')})`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Everything debootstrap and apt print goes to one log, named in the error if a step fails.
  const logPath = join(dirname(dir), `${name}.log`);
  const logFd = openSync(logPath, 'w');
  try {
    execFileSync('debootstrap', ['--variant=minbase', spec.suite, dir, mirror], {
      stdio: ['ignore', logFd, logFd],
    });
    // A minbase root has no /etc/hosts (Node's 'localhost' would not resolve) and needs the
    // host's resolver to reach the mirror.
    writeFileSync(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
    if (existsSync('/etc/resolv.conf')) copyFileSync('/etc/resolv.conf', join(dir, 'etc', 'resolv.conf'));
    const apt = `apt-get update -q && apt-get install -y -q --no-install-recommends ${spec.packages.join(' ')}`;
    runInRoot(dir, 'sh', ['-c', apt], logFd);
  } catch (error) {
    throw new Error(`making the Debian ${spec.suite} root failed (${error.message}); see ${logPath}`);
  } finally {
    closeSync(logFd);
  }
  writeStamp(stampPath, key);
  log(`roots: .cache/roots/${name} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of process.argv.slice(2)) console.log(ensureRoot(name));
}
