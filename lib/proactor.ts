// The low-level public API: `Proactor`, a completion engine with promise methods for pipes and
// waits. Its parts: lib/proactor-handles.ts owns the engine and the handles; lib/proactor-pipes.ts
// has the pipe operations; this file the waits. No streams here (lib/streams builds on the
// engine layer, lib/engine).
import { systemErrorByName } from './errors.js';
import { engineOf } from './proactor-handles.js';
import { ProactorPipes } from './proactor-pipes.js';
import { processExit, waitOptions, type ProcessExit, type WaitOptions } from './proactor-options.js';
import { promised } from './promised.js';
import { validatePid, validateRawHandle } from './validate.js';

export { unexpectedCompletions } from './engine/registry.js';
export { PipeHandle } from './pipe-handle.js';

/**
 * A completion engine whose completions Node's event loop itself dequeues — from its own I/O
 * completion port (Windows) or by watching an epoll instance (Linux) — delivering results to JS
 * in batches (see `delivery`).
 * Most programs use the shared one from `getDefaultProactor()`.
 *
 * Every operation method returns a promise and takes an `AbortSignal`. Aborting asks the OS to
 * cancel (Windows `CancelIoEx`; Linux takes the operation off its epoll wait); the promise then
 * rejects with an `AbortError` unless the operation completed first, in which case its result
 * is delivered (L5). Argument errors are thrown synchronously (`ERR_INVALID_ARG_TYPE`, ...);
 * what the OS says is a rejection with Node's system error shape (`code`, `errno`, `syscall`,
 * `address`, Windows `winerror`). A method given anything but one of its own `PipeHandle`s
 * throws `ERR_INVALID_ARG_VALUE`. Once `close()` has been called, new operations reject with
 * `ERR_PROACTOR_CLOSED` (`adoptHandle` and `createPipeInstanceSync` throw it), and its handles
 * are closed with it: a method given one throws `EBADF`.
 *
 * @example
 * The examples on the methods continue this one, before its `close()`.
 * ```js
 * import { Proactor, pipePath } from 'proactor';
 * const proactor = new Proactor();
 * const path = pipePath('demo');
 * const instance = await proactor.createPipeInstance(path);
 * const accepting = proactor.acceptPipe(instance);
 * const client = await proactor.connectPipe(path);
 * const server = await accepting; // on Windows, `instance` itself
 * await proactor.send(client, Buffer.from('ping'));
 * await proactor.close(); // { timedOut: false, pending: 0, operations: [] }
 * ```
 */
export class Proactor extends ProactorPipes {
  /**
   * Waits until `handle` is signalled: a Windows waitable `HANDLE` (event, process, ...) or a
   * Linux pollable fd (eventfd, pidfd, ...), as a number or bigint. Resolves true when it is
   * signalled, false when `timeout` ms passed first (asyncio's contract). The handle is
   * duplicated at the call, so closing yours meanwhile is safe.
   *
   * Windows: `DuplicateHandle`, then `RegisterWaitForSingleObject` on the thread pool by
   * default, or kernel wait packets (`NtAssociateWaitCompletionPacket`, no thread per 63 waits)
   * with `PROACTOR_WAIT_ENGINE=packet` where the system has them. Linux: `fcntl(F_DUPFD_CLOEXEC)`,
   * then epoll (`EPOLLONESHOT`) on an epoll instance and thread kept for waits.
   *
   * Errors: thrown, `handle` not a number or bigint `ERR_INVALID_ARG_TYPE`, negative, fractional
   * or too big `ERR_OUT_OF_RANGE`, a bad `timeout` likewise. Rejected (`syscall` `wait`): a value
   * that is no open handle `EBADF`; on Linux an fd epoll cannot watch (a regular file) `EPERM`;
   * what the OS says otherwise. Cancellation: abort rejects with `AbortError` unless the handle
   * was signalled first (Windows: `UnregisterWaitEx` or `NtCancelWaitCompletionPacket`; Linux:
   * `EPOLL_CTL_DEL`), deterministically on both Windows engines (L8: a wait cancelled before it
   * fired never resolves). The time limit cancels the same way and resolves false. With
   * `ref: false` the pending wait (and its time limit) does not keep the process alive; its
   * result is still delivered whenever the event loop runs.
   *
   * @example
   * ```js
   * import { createEvent } from 'proactor';
   * const event = createEvent();
   * setTimeout(() => event.set(), 100);
   * const signalled = await proactor.waitForHandle(event.handle, { timeout: 5000 }); // true
   * event.close();
   * ```
   */
  waitForHandle(handle: number | bigint, options?: WaitOptions): Promise<boolean> {
    validateRawHandle(handle, 'handle');
    const { signal, timeout, ref } = waitOptions(options);
    const info = { syscall: 'wait', signal };
    return promised(
      engineOf(this),
      signal,
      (done) => engineOf(this).waitHandle(handle, info, done, ref),
      () => true,
      timeout === undefined ? undefined : { ms: timeout, onTimeout: () => false, ref },
    );
  }

  /**
   * Waits for process `pid` to exit: any process, not only a child. The process is opened at the
   * call (Windows `OpenProcess`, Linux `pidfd_open`), so a later reuse of the pid cannot answer
   * for another process (L14); the wait itself is `waitForHandle`'s. Resolves with the exit code
   * or the signal that ended it: Windows gives the exit code of any process
   * (`GetExitCodeProcess`), Linux only of this process's children (`waitid` with `WNOWAIT`, so
   * Node's own child watch still reaps it), else both are null. For a `ChildProcess`, prefer
   * `waitForExit`, which also waits for Node's `'exit'`.
   *
   * Errors: thrown, a `pid` that is not a positive integer `ERR_INVALID_ARG_VALUE`, bad options
   * `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`. Rejected (`syscall` `waitpid`): no such process
   * `ESRCH`; not allowed `EPERM` (Windows); `timeout` passed `ETIMEDOUT`. Cancellation: abort
   * rejects with `AbortError` unless the process exited first; the process is not touched.
   * `ref: false` as for `waitForHandle`. Linux's `pidfd_open` answers `EINVAL` for a pid that
   * names no running process though the number is still taken (a process caught exiting, a
   * group leader whose group lives on): that resolves as an exit (L14), not an error.
   *
   * @example
   * ```js
   * import { spawn } from 'node:child_process';
   * const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 100)']);
   * const { exitCode, signalCode } = await proactor.waitForProcess(child.pid, { timeout: 10_000 });
   * ```
   */
  waitForProcess(pid: number, options?: WaitOptions): Promise<ProcessExit> {
    validatePid(pid, 'pid');
    const { signal, timeout, ref } = waitOptions(options);
    const info = { syscall: 'waitpid', signal };
    const onTimeout = (): never => {
      throw systemErrorByName('ETIMEDOUT', 'waitpid');
    };
    return promised(
      engineOf(this),
      signal,
      (done) => engineOf(this).waitProcess(pid, info, done, ref),
      processExit,
      timeout === undefined ? undefined : { ms: timeout, onTimeout, ref },
    );
  }
}

let defaultProactor: Proactor | undefined;

/**
 * The process's shared proactor, created on first use (and again after it was closed); the
 * streams, `waitForExit` and `waitForHandle` use it unless given another. No OS call until it
 * is created (then `CreateIoCompletionPort` / `epoll_create1`); errors: none.
 *
 * @example
 * ```js
 * import { getDefaultProactor } from 'proactor';
 * console.log(getDefaultProactor().stats());
 * ```
 */
export function getDefaultProactor(): Proactor {
  if (defaultProactor === undefined || defaultProactor.closed) defaultProactor = new Proactor();
  return defaultProactor;
}
