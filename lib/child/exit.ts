// waitForExit: await any process's exit, by pid or ChildProcess, cancellable and with a timeout.
import { ChildProcess } from 'node:child_process';
import { abortError, invalidArgValue } from '../errors.js';
import { getDefaultProactor } from '../proactor.js';
import { type ProcessExit, waitOptions, type WaitOptions } from '../proactor-options.js';
import { optionsObject, validatePid } from '../validate.js';

/** How a process ended, and which process. */
export interface ExitResult extends ProcessExit {
  /** The process id that was waited for. */
  pid: number;
}

/** A `ChildProcess` from node:child_process, or anything shaped like one (execa's subprocesses are). */
export type ChildLike = Pick<ChildProcess, 'pid' | 'exitCode' | 'signalCode' | 'once'>;

export function isChildLike(value: unknown): value is ChildLike {
  if (value instanceof ChildProcess) return true;
  const child = value as Partial<ChildLike> | null;
  return (
    typeof child === 'object' && child !== null && typeof child.once === 'function' && 'exitCode' in child
  );
}

/**
 * Waits for a process to exit: any process by pid (not only a child), or a `ChildProcess`, on
 * the shared proactor (`getDefaultProactor().waitForProcess`).
 *
 * The process is pinned at the call (Windows `OpenProcess`, Linux `pidfd_open`), so pid reuse
 * cannot hand you another process's exit; the wait is then a thread-pool wait or wait packet
 * (Windows) or epoll (Linux), as `waitForHandle`'s. A process that already exited resolves at
 * once. On Windows the exit code of any process is known (`GetExitCodeProcess`); on Linux only
 * a child's (`waitid` with `WNOWAIT`, so Node still reaps it), else `exitCode` and `signalCode`
 * are both null. For a `ChildProcess` it also waits for Node's `'exit'`, and reports the exit as
 * Node saw it (`child.exitCode` is set by then).
 *
 * Errors: thrown, a pid that is not a positive integer `ERR_INVALID_ARG_VALUE`, options that
 * are no object, or a `signal` that is no AbortSignal, `ERR_INVALID_ARG_TYPE`, a bad `timeout`
 * `ERR_OUT_OF_RANGE` (for a pid and for a child alike). Rejected (`syscall` `waitpid`): no such process
 * `ESRCH`; not allowed `EPERM` (Windows); `timeout` passed `ETIMEDOUT`; a `ChildProcess` with no
 * pid (it failed to spawn) `ERR_INVALID_ARG_VALUE`. Cancellation: abort rejects with
 * `AbortError` unless the process exited first; the process is not touched. With `ref: false`
 * the wait does not keep the process alive (a `ChildProcess` itself does, until `child.unref()`);
 * its result still comes whenever the event loop runs.
 *
 * @example
 * ```js
 * import { spawn } from 'node:child_process';
 * import { waitForExit } from 'proactor';
 * const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
 * const { exitCode } = await waitForExit(child, { timeout: 10_000 }); // 3
 * ```
 */
export function waitForExit(pidOrChild: number | ChildLike, options?: WaitOptions): Promise<ExitResult> {
  // Argument errors are thrown here, synchronously; everything after is a rejection.
  const opts = optionsObject(options) as WaitOptions;
  waitOptions(opts); // a bad signal or timeout throws for a child too, not only for a pid
  if (!isChildLike(pidOrChild)) {
    validatePid(pidOrChild, 'pid');
    const pid = pidOrChild;
    return getDefaultProactor()
      .waitForProcess(pid, opts)
      .then((exit) => ({ pid, ...exit }));
  }
  return waitForChild(pidOrChild, opts);
}

async function waitForChild(child: ChildLike, opts: WaitOptions): Promise<ExitResult> {
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const fromChild = (): ExitResult => ({
    pid: child.pid as number,
    exitCode: child.exitCode,
    signalCode: child.signalCode,
  });
  if (exited()) return fromChild();
  if (child.pid === undefined) {
    throw invalidArgValue('child', '[ChildProcess]', 'has no pid (it failed to spawn)');
  }
  // Node's own exit event: its reap can come after the OS has told us (on Linux the pidfd is
  // readable before libuv's SIGCHLD handler has run). The future settles only once the child
  // says it has exited, so `await waitForExit(child)` always finds `child.exitCode` set, and
  // both report the same exit (on Windows, a killed child's `signalCode`, as Node sees it).
  // Only 'exit': events.once would also reject on an 'error' (a failed send()) while the child runs.
  const nodeExit = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(() =>
    fromChild(),
  );
  // Whichever hears first: libuv's notice of its own child reaches the loop without passing
  // through us, and often first (bench/decisions.md, exit notification); ours then stops.
  const heardFirst = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, heardFirst.signal]) : heardFirst.signal;
  const ours = getDefaultProactor()
    .waitForProcess(child.pid, { ...opts, signal })
    .then(
      () => (exited() ? fromChild() : raceAbort(nodeExit, opts)),
      (error: Error & { code?: string }) => {
        if (heardFirst.signal.aborted && !opts.signal?.aborted) return nodeExit;
        // Node reaped it between our checks: its exit event is on the way.
        if (error.code === 'ESRCH') return raceAbort(nodeExit, opts);
        throw error;
      },
    );
  const nodeFirst = nodeExit.then((exit) => {
    heardFirst.abort();
    return exit;
  });
  return Promise.race([nodeFirst, ours]).finally(() => heardFirst.abort());
}

/** `promise`, unless the signal aborts first. */
function raceAbort<T>(promise: Promise<T>, { signal }: WaitOptions): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
