// watchChild: an EventEmitter view of a process exit, on the proactor rather than libuv.
import { EventEmitter } from 'node:events';
import type { ChildLike, ExitResult } from './exit.js';
import { waitForExit } from './exit.js';
import { optionsObject, validateBoolean } from '../validate.js';

/** `ProcessWatcher`'s events. */
export interface ProcessWatcherEvents {
  /** The process exited: as `ChildProcess`'s `'exit'` (both null when the OS will not say). */
  exit: [exitCode: number | null, signalCode: NodeJS.Signals | null];
}

/**
 * Watches one process: `'exit'` fires once with `(exitCode, signalCode)`, and `exited` resolves
 * with the same. `close()` stops watching (`exited` then rejects with an `AbortError`, which
 * is not reported as unhandled). The OS calls are `waitForExit`'s.
 *
 * Errors: the constructor throws as `waitForExit` does (a bad pid `ERR_INVALID_ARG_VALUE`);
 * what it rejects with (`ESRCH`, ...) rejects `exited`, and no `'exit'` follows. Cancellation:
 * `close()`.
 *
 * @example
 * ```js
 * import { spawn } from 'node:child_process';
 * import { ProcessWatcher } from 'proactor';
 * const watcher = new ProcessWatcher(spawn(process.execPath, ['-e', 'process.exit(2)']));
 * watcher.on('exit', (exitCode, signalCode) => console.log(exitCode, signalCode)); // 2 null
 * ```
 */
export class ProcessWatcher extends EventEmitter<ProcessWatcherEvents> {
  /** Resolves when the process exits, or rejects if watching stops (`AbortError`) or fails first. */
  readonly exited: Promise<ExitResult>;
  readonly #controller = new AbortController();

  /**
   * Starts watching `target`, a pid or a `ChildProcess` (see the class). With `ref: false` the
   * watch does not keep the process alive; `'exit'` still fires whenever the loop runs.
   */
  constructor(target: number | ChildLike, options?: { ref?: boolean }) {
    super();
    const opts = optionsObject(options);
    if (opts.ref !== undefined) validateBoolean(opts.ref, 'options.ref');
    this.exited = waitForExit(target, { signal: this.#controller.signal, ref: opts.ref !== false });
    this.exited.then(
      ({ exitCode, signalCode }) => this.emit('exit', exitCode, signalCode),
      () => undefined,
    );
  }

  /**
   * Stops watching: aborts the wait (Windows `UnregisterWaitEx` or
   * `NtCancelWaitCompletionPacket`; Linux `EPOLL_CTL_DEL`), so `exited` rejects with an
   * `AbortError` and no `'exit'` follows. A no-op after the exit, or when called again.
   * Errors: none. Cancellation: an exit that came first keeps its result (L5).
   *
   * @example
   * ```js
   * import { ProcessWatcher } from 'proactor';
   * const watcher = new ProcessWatcher(process.pid);
   * watcher.close(); // watcher.exited rejects with AbortError
   * ```
   */
  close(): void {
    this.#controller.abort();
  }
}

/**
 * Watches a child (or any process by pid) for its exit: `new ProcessWatcher(child, options)`. OS calls,
 * errors and cancellation are `ProcessWatcher`'s.
 *
 * @example
 * ```js
 * import { spawn } from 'node:child_process';
 * import { watchChild } from 'proactor';
 * const { exited } = watchChild(spawn(process.execPath, ['-e', '']));
 * console.log(await exited); // { pid: ..., exitCode: 0, signalCode: null }
 * ```
 */
export function watchChild(child: number | ChildLike, options?: { ref?: boolean }): ProcessWatcher {
  return new ProcessWatcher(child, options);
}
