// Linux: who listens on which AF_UNIX socket, read from /proc as `ss -xlp` does. No connection
// is made: /proc/net/unix lists the listening sockets with their inodes (this network namespace
// only), and /proc/<pid>/fd/* links name the socket inodes each process holds (readable for our
// own processes, or all of them as root). The socket file's owner and mode come from stat(2).
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { systemErrorByName } from '../errors.js';

/** `__SO_ACCEPTCON` in /proc/net/unix's Flags column: the socket listens. */
const ACCEPTING = 0x10000;
/** SOCK_STREAM and SOCK_SEQPACKET in its Type column: the kinds that accept connections. */
const CONNECTION_TYPES = new Set([1, 5]);

/** One listening socket: its path and inode. */
export interface ListeningSocket {
  path: string;
  inode: number;
}

/** The listening AF_UNIX sockets of this network namespace that have a path (not abstract ones). */
export async function listeningSockets(): Promise<ListeningSocket[]> {
  const table = await readFile('/proc/net/unix', 'utf8');
  const sockets: ListeningSocket[] = [];
  // "Num RefCount Protocol Flags Type St Inode Path", the path last and optional.
  for (const line of table.split('\n').slice(1)) {
    // Seven fields, then the path as it was bound, spaces and all.
    const match = /^\s*(?:\S+\s+){3}(\S+)\s+(\S+)\s+\S+\s+(\d+) (.+)$/.exec(line);
    if (match === null) continue;
    const [, flags, type, inode, path] = match as unknown as [string, string, string, string, string];
    if ((Number.parseInt(flags, 16) & ACCEPTING) === 0 || !CONNECTION_TYPES.has(Number.parseInt(type, 16)))
      continue;
    // An abstract socket (`@name`) has no path to connect to.
    if (path.startsWith('@')) continue;
    sockets.push({ path, inode: Number(inode) });
  }
  return sockets;
}

/**
 * The processes holding each socket inode, as far as /proc lets us see: inode → pids. A process
 * that exits while we look, or whose fds we may not read, is passed over.
 */
export async function socketHolders(inodes: ReadonlySet<number>): Promise<Map<number, number[]>> {
  const holders = new Map<number, number[]>();
  if (inodes.size === 0) return holders;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      const fdDir = join('/proc', String(pid), 'fd');
      let fds: string[];
      try {
        fds = await readdir(fdDir);
      } catch {
        return;
      }
      const seen = new Set<number>();
      for (const fd of fds) {
        let target: string;
        try {
          target = await readlink(join(fdDir, fd));
        } catch {
          continue;
        }
        const match = /^socket:\[(\d+)\]$/.exec(target);
        const inode = match === null ? NaN : Number(match[1]);
        if (!inodes.has(inode) || seen.has(inode)) continue;
        seen.add(inode);
        const list = holders.get(inode) ?? [];
        list.push(pid);
        holders.set(inode, list);
      }
    }),
  );
  for (const list of holders.values()) list.sort((a, b) => a - b);
  return holders;
}

/**
 * A process's name: its executable's file name (`/proc/<pid>/exe`, readable for our own
 * processes or as root), else its argv[0]'s, else `/proc/<pid>/comm`. Not comm first: that is
 * the main thread's name, which a program may set (Node 24+ calls its main thread MainThread).
 */
export async function processName(pid: number): Promise<string | undefined> {
  const dir = join('/proc', String(pid));
  try {
    return basename((await readlink(join(dir, 'exe'))).replace(/ \(deleted\)$/, ''));
  } catch {
    // Not ours to read: what it was started as.
  }
  try {
    const argv0 = (await readFile(join(dir, 'cmdline'), 'utf8')).split('\0')[0];
    if (argv0 !== undefined && argv0 !== '') return basename(argv0);
  } catch {
    // Gone, or a kernel thread.
  }
  try {
    return (await readFile(join(dir, 'comm'), 'utf8')).trimEnd();
  } catch {
    return undefined;
  }
}

/** What the socket file says: its owner (name, else the uid as text), uid, gid and mode. */
export interface SocketFile {
  uid: number;
  gid: number;
  mode: number;
  owner: string;
}

/**
 * stat(2) of a socket file. Throws as Node does (`ENOENT`, `EACCES`), and `ENOTSOCK` for a file
 * that is not a socket.
 */
export async function socketFile(path: string): Promise<SocketFile> {
  const stats = await stat(path);
  if (!stats.isSocket()) throw systemErrorByName('ENOTSOCK', 'stat', path);
  return { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777, owner: await userName(stats.uid) };
}

/** The user name of `uid` from /etc/passwd, else the uid as text. */
async function userName(uid: number): Promise<string> {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    for (const line of passwd.split('\n')) {
      const [name, , id] = line.split(':');
      if (name !== undefined && id !== undefined && Number(id) === uid && id !== '') return name;
    }
  } catch {
    // No /etc/passwd to read: the uid it is.
  }
  return String(uid);
}
