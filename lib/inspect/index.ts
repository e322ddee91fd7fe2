// Who serves a pipe: list the pipes of this machine, and ask about one. The platform's facts
// come from lib/inspect/windows.ts (the named pipe file system, and a client's questions) and
// lib/inspect/linux.ts (/proc and stat(2)); this file gives them one shape.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { abortError, systemErrorByName, type SystemError } from '../errors.js';
import { IOCP } from '../engine/platform.js';
import { validatePipePath } from '../pipe-path.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { getDefaultProactor } from '../proactor.js';
import {
  optionsObject,
  validateBoolean,
  validateDelay,
  validateSignal,
  validateString,
} from '../validate.js';
import * as linux from './linux.js';
import * as windows from './windows.js';

/** One pipe that a server listens on, as `listPipes` finds it. */
export interface PipeEntry {
  /** What to connect to: `\\.\pipe\name` (Windows), the socket file (Linux). */
  path: string;
  /** The server's process id, where the OS tells it (see `listPipes`). */
  pid?: number;
  /** The server's executable's name (`node.exe`, `node`), where the OS tells it. */
  processName?: string;
  /** Windows: instances that exist now (each waiting for a client or serving one). */
  instances?: number;
  /** Windows: the most instances the pipe allows; `Infinity` for unlimited. */
  maxInstances?: number;
}

/** Everything `pipeInfo` learns about one pipe. */
export interface PipeInfo extends PipeEntry {
  /** Windows: `DOMAIN\user` (or a SID); Linux: the socket file's owner (name, else the uid). */
  owner?: string;
  /** Windows: the owner and DACL as SDDL, where the DACL let us read it (`READ_CONTROL`). */
  sddl?: string;
  /** Linux: the socket file's permission bits (`0o600`), uid and gid. */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Options of `listPipes`. */
export interface ListPipesOptions {
  /** Only pipes whose path contains this text (Windows: in any case, as pipe names are). */
  filter?: string;
  /**
   * Also ask each server its pid where a look from outside cannot tell it, by connecting:
   * Windows, every pipe (the server sees a client come and go); Linux, sockets held by processes
   * whose /proc entries we may not read. Default false.
   */
  pids?: boolean;
}

/** Options of `pipeInfo`. */
export interface PipeInfoOptions {
  /** How long a pipe whose instances are all busy is retried, in ms. Default 1000. */
  timeout?: number;
  /** Aborting stops the busy retries and the connect (Linux), with an `AbortError`. */
  signal?: AbortSignal;
}

/**
 * Lists the pipes servers listen on. Windows: the names under `\\.\pipe\`, with their instances
 * (`NtQueryDirectoryFile`); the server pid only with `pids: true`, since Windows tells it only to
 * a client (`GetNamedPipeServerProcessId`). Linux: the listening `AF_UNIX` sockets of this
 * network namespace (`/proc/net/unix`), each with the process holding it (`/proc/<pid>/fd`),
 * where /proc lets us see it, and its executable's name (`/proc/<pid>/exe`).
 *
 * Errors: thrown, options that are no object, a `filter` that is no string or `pids` no boolean
 * (`ERR_INVALID_ARG_TYPE`). Rejected: what the OS says; Wine cannot list pipes (`ENOTSUP`,
 * `syscall` `NtQueryDirectoryFile`). Not cancellable: it only reads.
 *
 * @example
 * ```js
 * import { listPipes } from 'proactor';
 * for (const pipe of await listPipes({ filter: 'docker' })) console.log(pipe.path, pipe.pid);
 * ```
 */
export function listPipes(options?: ListPipesOptions): Promise<PipeEntry[]> {
  // Argument errors are thrown here, synchronously; everything after is a rejection.
  const { filter, pids = false } = optionsObject(options) as ListPipesOptions;
  if (filter !== undefined) validateString(filter, 'options.filter');
  validateBoolean(pids, 'options.pids');
  return listed(filter, pids);
}

async function listed(filter: string | undefined, pids: boolean): Promise<PipeEntry[]> {
  const entries = IOCP ? windowsPipes(filter) : await linuxPipes(filter);
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.pid === undefined && pids) entry.pid = await askServerPid(entry.path);
      if (entry.pid !== undefined) entry.processName = await processName(entry.pid);
    }),
  );
  return entries;
}

/**
 * Says who serves the pipe at `path`: its server's pid and process name, and what the OS keeps
 * about the pipe. Windows: opens it as a client with no read or write access (`CreateFileW` with
 * `FILE_READ_ATTRIBUTES`, and `READ_CONTROL` where granted), asks
 * (`GetNamedPipeServerProcessId`, `GetNamedPipeInfo`, `GetNamedPipeHandleState`,
 * `GetSecurityInfo`) and closes: the server sees a client come and go. A pipe whose instances
 * are all busy is retried for `timeout` ms. Linux: `stat` of the socket file, its listening
 * socket in `/proc/net/unix` (by the name as given, then as resolved through symlinks), and its
 * holder from `/proc/<pid>/fd`; where /proc hides the holder or the name, a connection asks
 * `SO_PEERCRED`.
 *
 * Errors: thrown, a bad path (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`), `timeout`
 * (`ERR_OUT_OF_RANGE`) or `signal` (`ERR_INVALID_ARG_TYPE`). Rejected (`address` the path): no
 * such pipe `ENOENT`; not allowed `EACCES`; Linux: a file that is not a socket `ENOTSOCK`, a
 * socket file nobody listens on `ECONNREFUSED`; Windows: every instance busy for `timeout` ms
 * `ETIMEDOUT`. Cancellation: aborting `signal` stops the busy retries (Windows) or the connect
 * (Linux) and rejects with `AbortError`.
 *
 * @example
 * ```js
 * import { pipeInfo } from 'proactor';
 * const { pid, processName } = await pipeInfo('\\\\.\\pipe\\docker_engine');
 * ```
 */
export function pipeInfo(path: string, options?: PipeInfoOptions): Promise<PipeInfo> {
  validatePipePath(path);
  const { timeout = 1000, signal } = optionsObject(options) as PipeInfoOptions;
  validateDelay(timeout, 'options.timeout');
  validateSignal(signal, 'options.signal');
  return inspected(path, timeout, signal);
}

async function inspected(path: string, timeout: number, signal: AbortSignal | undefined): Promise<PipeInfo> {
  if (signal?.aborted) throw abortError(signal);
  const info = IOCP ? await windowsPipeInfo(path, timeout, signal) : await linuxPipeInfo(path, signal);
  if (info.pid !== undefined) info.processName = await processName(info.pid);
  return info;
}

function matches(path: string, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  return IOCP ? path.toLowerCase().includes(filter.toLowerCase()) : path.includes(filter);
}

function windowsPipes(filter: string | undefined): PipeEntry[] {
  return windows
    .listedPipes()
    .map(({ name, instances, maxInstances }) => ({
      path: `\\\\.\\pipe\\${name}`,
      instances,
      maxInstances: maxInstances < 0 ? Infinity : maxInstances,
    }))
    .filter((entry) => matches(entry.path, filter));
}

async function linuxPipes(filter: string | undefined): Promise<PipeEntry[]> {
  const sockets = (await linux.listeningSockets()).filter((socket) => matches(socket.path, filter));
  const holders = await linux.socketHolders(new Set(sockets.map((socket) => socket.inode)));
  return sockets.map(({ path, inode }) => {
    const pid = holders.get(inode)?.[0];
    return pid === undefined ? { path } : { path, pid };
  });
}

// PIPE_UNLIMITED_INSTANCES, as GetNamedPipeInfo reports an unlimited pipe.
const UNLIMITED_INSTANCES = 255;
const BUSY_RETRY_MS = 20;

async function windowsPipeInfo(
  path: string,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<PipeInfo> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const details = windows.queryPipe(path);
    if (!(details instanceof Error)) {
      const info: PipeInfo = { path };
      // 0 is what the OS did not say (Wine answers 0 for the counts): every pipe has 1 instance.
      if (details.serverPid !== 0) info.pid = details.serverPid;
      if (details.instances !== 0) info.instances = details.instances;
      if (details.maxInstances !== 0) {
        info.maxInstances = details.maxInstances >= UNLIMITED_INSTANCES ? Infinity : details.maxInstances;
      }
      if (details.owner !== '') info.owner = details.owner;
      if (details.sddl !== '') info.sddl = details.sddl;
      return info;
    }
    if (details.code !== 'EBUSY') throw details;
    if (performance.now() >= deadline) throw systemErrorByName('ETIMEDOUT', 'connect', path);
    await sleep(BUSY_RETRY_MS, undefined, { signal }).catch(() => {
      throw abortError(signal);
    });
  }
}

async function linuxPipeInfo(path: string, signal: AbortSignal | undefined): Promise<PipeInfo> {
  let file: linux.SocketFile;
  try {
    file = await linux.socketFile(path);
  } catch (error) {
    throw Object.assign(error as SystemError, { address: path });
  }
  const socket = await listedSocket(path);
  // Not listed under any name it resolves to: a connection tells (another network namespace's
  // server still answers one), or it is a socket file nobody listens on.
  const pid =
    socket === undefined
      ? await askServerPid(path, signal, true)
      : ((await linux.socketHolders(new Set([socket.inode]))).get(socket.inode)?.[0] ??
        (await askServerPid(path, signal)));
  return {
    path,
    ...(pid === undefined ? {} : { pid }),
    owner: file.owner,
    mode: file.mode,
    uid: file.uid,
    gid: file.gid,
  };
}

/**
 * The listening socket bound at `path`: /proc/net/unix names it as it was bound (relative, or
 * through symlinks, /var/run for /run), so names are compared as written, then as resolved.
 */
async function listedSocket(path: string): Promise<linux.ListeningSocket | undefined> {
  const sockets = await linux.listeningSockets();
  const absolute = resolve(path);
  const exact = sockets.find((listed) => listed.path === path || listed.path === absolute);
  if (exact !== undefined) return exact;
  const real = await realpath(path).catch(() => absolute);
  for (const listed of sockets) {
    if ((await realpath(listed.path).catch(() => undefined)) === real) return listed;
  }
  return undefined;
}

/**
 * The server's pid as a client learns it, or undefined if we cannot connect. Windows: a client
 * open with no read or write access; Linux: a connection and `SO_PEERCRED`. With `refusedIsError`
 * a Linux socket file nobody listens on rejects (`ECONNREFUSED`), as does an abort.
 */
async function askServerPid(
  path: string,
  signal?: AbortSignal,
  refusedIsError = false,
): Promise<number | undefined> {
  if (IOCP) {
    const details = windows.queryPipe(path);
    return details instanceof Error || details.serverPid === 0 ? undefined : details.serverPid;
  }
  const proactor = getDefaultProactor();
  let pipe;
  try {
    pipe = await proactor.connectPipe(path, { timeout: 1000, ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    const code = (error as SystemError).code;
    if ((error as Error).name === 'AbortError' || (refusedIsError && code === 'ECONNREFUSED')) throw error;
    return undefined;
  }
  try {
    return proactor.peerPid(pipe);
  } catch {
    return undefined;
  } finally {
    proactor.closeHandle(pipe);
  }
}

function processName(pid: number): Promise<string | undefined> | string | undefined {
  return IOCP ? windows.processName(pid) : linux.processName(pid);
}
