// ProcessHandle: one process, pinned when it is opened, so that nothing done through the handle
// can reach another process that later gets the same pid.
import { constants as osConstants } from 'node:os';
import { abortError, codedTypeError, moduleError, outOfRange, systemErrorByName } from '../errors.js';
import type { ExitResult } from '../child/exit.js';
import { IOCP } from '../engine/platform.js';
import { native, type NativeProcess } from '../native.js';
import { engineOf } from '../proactor-handles.js';
import { getDefaultProactor } from '../proactor.js';
import { processExit, type ProcessExit } from '../proactor-options.js';
import { optionsObject, validateBoolean, validatePid } from '../validate.js';

/** `openProcess`'s options. */
export interface OpenProcessOptions {
  /**
   * The process's `startTime` as an earlier handle reported it: a process with this pid that
   * started at another time is refused with `ESRCH` (the pid was reused).
   */
  startTime?: number;
  /** Whether the wait behind `exited` keeps the process alive (default true); see `unref()`. */
  ref?: boolean;
}

/** A signal by name (`'SIGTERM'`) or number, as `process.kill` takes it. */
export type SignalLike = NodeJS.Signals | number;

const signalNumbers = osConstants.signals as Record<string, number>;

/** The signal's number; `ERR_UNKNOWN_SIGNAL` for a name Node does not know, as `process.kill`. */
export function signalNumber(signal: unknown, name: string): number {
  if (typeof signal === 'number' && Number.isInteger(signal)) {
    if (signal < 0 || signal > 64) throw outOfRange(name, '>= 0 and <= 64', signal);
    return signal;
  }
  if (typeof signal === 'string' && Object.hasOwn(signalNumbers, signal))
    return signalNumbers[signal] as number;
  throw codedTypeError('ERR_UNKNOWN_SIGNAL', `Unknown signal: ${String(signal)}`);
}

function signalName(signal: number): NodeJS.Signals | undefined {
  return Object.entries(signalNumbers).find(([, number]) => number === signal)?.[0] as
    NodeJS.Signals | undefined;
}

// The OS calls, named as the errors report them.
const OPEN = IOCP ? 'OpenProcess' : 'pidfd_open';
const KILL = IOCP ? 'TerminateProcess' : 'pidfd_send_signal';
const UV_ESRCH = 'ESRCH';

// Windows ends a process for these and reports the signal, as Node's child.kill() does.
const TERMINATING = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGQUIT']);

/**
 * One process, pinned when it was opened (`openProcess`): Windows holds a process `HANDLE`
 * (`OpenProcess`), Linux a pidfd (`pidfd_open`). The OS keeps the identity of a pinned process
 * even after it exits and its pid is given to another one, so `kill()` and `exited` always mean
 * this process. Close it with `close()` (or `using`); an unclosed handle is closed when it is
 * collected.
 *
 * @example
 * ```js
 * import { spawn } from 'node:child_process';
 * import { openProcess } from 'proactor';
 * const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
 * using handle = openProcess(child.pid);
 * handle.kill('SIGTERM');
 * console.log(await handle.exited); // { pid: ..., exitCode: null, signalCode: 'SIGTERM' } (a child)
 * ```
 */
export class ProcessHandle {
  /** The process id it was opened with. */
  readonly pid: number;
  /**
   * When the process started, in milliseconds since the Unix epoch (`new Date(startTime)`).
   * Windows: `GetProcessTimes`' creation time. Linux: `/proc/<pid>/stat`'s start, counted from
   * the boot time of `/proc/stat` (whole seconds, so it can be up to a second off the wall
   * clock; it is the same number whenever and by whichever process it is read, unless the
   * system clock was stepped in between, which moves the boot time: then a stored value no
   * longer matches and the process is refused, never mistaken). Store it
   * with the pid and pass it back to `openProcess` to get this process again or `ESRCH`.
   * null when the process had exited (and, on Linux, been reaped) before it could be read.
   */
  readonly startTime: number | null;
  #native: NativeProcess | undefined;
  #ref: boolean;
  #exited: Promise<ExitResult> | undefined;
  #waitId = 0;
  #waitEngine: ReturnType<typeof engineOf> | undefined;
  #closed = false;
  // Windows: the signal a kill() ended it with, reported as Node reports a killed child.
  #killedBy: NodeJS.Signals | undefined;

  /** @internal Use `openProcess`. */
  constructor(pid: number, pinned: NativeProcess | undefined, startTime: number | null, ref: boolean) {
    this.pid = pid;
    this.#native = pinned;
    this.startTime = startTime;
    this.#ref = ref;
  }

  /**
   * Resolves with how the process ended (`{ pid, exitCode, signalCode }`), once it has. Reading
   * it first starts the wait (`waitForHandle`'s, on the pinned process: Windows a thread-pool
   * wait or wait packet, Linux epoll on the pidfd); until then the handle keeps nothing alive.
   * Exit codes as `waitForProcess`: Windows knows any process's; Linux only a child's that Node
   * has not yet reaped (for a `ChildProcess`, `waitForExit(child)` reports what Node saw), else
   * both are null. On Windows a process this handle's `kill()` ended reports the signal, as
   * Node's `child.kill()` does.
   *
   * Errors: rejects with an `AbortError` when `close()` comes first (never reported as
   * unhandled), `ERR_PROACTOR_CLOSED` when the default proactor is closed while it waits.
   */
  get exited(): Promise<ExitResult> {
    if (this.#exited === undefined) {
      this.#exited = this.#wait();
      this.#exited.catch(() => undefined); // close() rejects it: reported to those who listen
    }
    return this.#exited;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `signal` (default `'SIGTERM'`) to the pinned process, never to another that has its
   * pid now. Returns true when it was sent, false when the process has already exited (as
   * `child.kill()`).
   *
   * Linux: `pidfd_send_signal`. Windows has no signals: `SIGTERM`, `SIGKILL`, `SIGINT` and
   * `SIGQUIT` end the process at once (`TerminateProcess`, exit code 1, as Node's
   * `process.kill` and `child.kill()` do there), `0` only checks it still runs, and any other
   * signal throws `ENOSYS`.
   *
   * Errors: thrown, an unknown signal `ERR_UNKNOWN_SIGNAL`; not allowed `EPERM` (Windows: the
   * handle was opened without the right to terminate); `ENOSYS` as above; after `close()`
   * `EBADF`. Cancellation: none; a signal once sent is sent.
   *
   * @example
   * ```js
   * if (!handle.kill('SIGKILL')) console.log('it had exited already');
   * ```
   */
  kill(signal: SignalLike = 'SIGTERM'): boolean {
    const number = signalNumber(signal, 'signal');
    if (this.#closed) throw systemErrorByName('EBADF', KILL);
    const pinned = this.#native;
    if (pinned === undefined) return false; // it had exited before it could be pinned
    if (pinned.signal(number) < 0) {
      const error = moduleError(KILL);
      if (error.code === UV_ESRCH) return false;
      throw error;
    }
    const name = signalName(number);
    if (IOCP && name !== undefined && TERMINATING.has(name)) this.#killedBy ??= name;
    return true;
  }

  /** Lets the process exit while `exited` is pending (as `child.unref()`); it still resolves whenever the loop runs. No OS call. */
  unref(): this {
    return this.#setRef(false);
  }

  /** Undoes `unref()`: a pending `exited` keeps the process alive again. No OS call. */
  ref(): this {
    return this.#setRef(true);
  }

  /**
   * Closes the handle (Windows `CloseHandle`, Linux `close` of the pidfd): `exited` rejects with
   * an `AbortError` if it had not settled (the wait is cancelled, L8), and `kill()` throws
   * `EBADF`. The process itself is not touched. Closing again is a no-op. Errors: none.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waitId !== 0) this.#waitEngine?.cancel(this.#waitId);
    this.#native?.close();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #setRef(ref: boolean): this {
    this.#ref = ref;
    const engine = this.#waitEngine;
    if (this.#waitId !== 0 && engine !== undefined && !engine.closed)
      engine.native.setOperationRef(this.#waitId, ref);
    return this;
  }

  #wait(): Promise<ExitResult> {
    if (this.#closed) return Promise.reject(abortError());
    const pinned = this.#native;
    if (pinned === undefined) return Promise.resolve({ pid: this.pid, exitCode: null, signalCode: null });
    const engine = engineOf(getDefaultProactor());
    this.#waitEngine = engine;
    return new Promise<ExitResult>((resolve, reject) => {
      const done = (_value: number, error: Error | undefined): void => {
        this.#waitId = 0;
        if (error !== undefined) return reject(error);
        // close() came first in the same batch: its exit status went with the OS object.
        if (this.#closed) return reject(abortError());
        resolve({ pid: this.pid, ...this.#exitOf(pinned.exitStatus()) });
      };
      this.#waitId = engine.waitHandle(pinned.raw(), { syscall: 'waitpid' }, done, this.#ref);
    });
  }

  #exitOf(status: number): ProcessExit {
    const exit = processExit(status);
    // Node reports a child its kill() ended by the signal, whatever code TerminateProcess left.
    if (this.#killedBy !== undefined && exit.exitCode === 1)
      return { exitCode: null, signalCode: this.#killedBy };
    return exit;
  }
}

/**
 * Opens process `pid` and pins it: Windows `OpenProcess` (with `SYNCHRONIZE`,
 * `PROCESS_QUERY_LIMITED_INFORMATION` and, where the caller has it, `PROCESS_TERMINATE`),
 * Linux `pidfd_open` (Linux 5.3). From then on the handle means this process, whatever happens
 * to the pid. With `startTime`, the process must also have started at that time (see
 * `ProcessHandle.startTime`): how a caller that stored `{ pid, startTime }` gets the same process
 * back, or an error.
 *
 * Linux's `pidfd_open` answers `EINVAL` for a pid that names no running process although the
 * number is still taken (a process caught in the middle of its exit, a group leader whose group
 * lives on): that is read as "already exited", and the handle's `exited` resolves at once.
 *
 * A Linux thread's id names no process: `ESRCH`, as for a pid nobody has.
 *
 * Errors: thrown, a `pid` that is not a positive integer `ERR_INVALID_ARG_VALUE`, options that
 * are no object or a `ref` that is no boolean `ERR_INVALID_ARG_TYPE`, a `startTime` that is no
 * finite number `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`; no such process, or one that started
 * at another time `ESRCH` (`syscall` `OpenProcess` / `pidfd_open`); not allowed `EPERM`
 * (Windows: not even to wait). Cancellation: none (the open is immediate).
 *
 * @example
 * ```js
 * import { openProcess } from 'proactor';
 * const { pid, startTime } = openProcess(somePid); // store these
 * // later, maybe in another process:
 * using again = openProcess(pid, { startTime }); // the same process, or ESRCH
 * await again.exited;
 * ```
 */
export function openProcess(pid: number, options?: OpenProcessOptions): ProcessHandle {
  validatePid(pid, 'pid');
  const opts = optionsObject(options);
  const expected = opts.startTime;
  if (expected !== undefined) {
    if (typeof expected !== 'number') {
      throw codedTypeError('ERR_INVALID_ARG_TYPE', `The "options.startTime" property must be of type number`);
    }
    if (!Number.isFinite(expected) || expected < 0)
      throw outOfRange('options.startTime', 'a finite number >= 0', expected);
  }
  if (opts.ref !== undefined) validateBoolean(opts.ref, 'options.ref');
  const ref = opts.ref !== false;

  const pinned = new native.Process();
  if (pinned.open(pid) < 0) {
    const error = moduleError(OPEN);
    // pidfd_open's EINVAL: no running process has this pid (it has exited, L14). Nothing is
    // left to pin: an expected start time cannot be checked, and this is not that process.
    if (!IOCP && error.code === 'EINVAL') {
      if (expected !== undefined) throw notThatProcess(pid);
      return new ProcessHandle(pid, undefined, null, ref);
    }
    throw error;
  }
  let known: number | null = pinned.startTime();
  if (known < 0) {
    // Linux ESRCH: reaped before its start could be read; it has exited, the time is unknown.
    const error = moduleError(IOCP ? 'GetProcessTimes' : 'read');
    if (error.code !== UV_ESRCH) {
      pinned.close();
      throw error;
    }
    known = null;
  }
  if (expected !== undefined && known !== expected) {
    pinned.close();
    throw notThatProcess(pid);
  }
  return new ProcessHandle(pid, pinned, known, ref);
}

function notThatProcess(pid: number): Error {
  const error = systemErrorByName(UV_ESRCH, OPEN);
  error.message = `${OPEN} ${error.code}: no process ${pid} started at that time`;
  return error;
}
