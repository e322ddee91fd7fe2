// watchChild: an EventEmitter view of a process exit, on the proactor rather than libuv.
import { EventEmitter } from 'node:events';
import type { ChildLike, ExitResult } from './exit.js';
import { waitForExit } from './exit.js';

export interface ProcessWatcherEvents {
  exit: [exitCode: number | null, signalCode: NodeJS.Signals | null];
}

/**
 * Watches one process: `'exit'` fires once with `(exitCode, signalCode)`, and `exited` resolves
 * with the same. `close()` stops watching (`exited` then rejects with an `AbortError`, which
 * is not reported as unhandled).
 */
export class ProcessWatcher extends EventEmitter<ProcessWatcherEvents> {
  /** Settles when the process exits, or rejects if watching stops or fails first. */
  readonly exited: Promise<ExitResult>;
  readonly #controller = new AbortController();

  constructor(target: number | ChildLike) {
    super();
    this.exited = waitForExit(target, { signal: this.#controller.signal });
    this.exited.then(
      ({ exitCode, signalCode }) => this.emit('exit', exitCode, signalCode),
      () => undefined,
    );
  }

  /** Stops watching. A no-op after the exit, or when called again. */
  close(): void {
    this.#controller.abort();
  }
}

/** Watches a child (or any process by pid) for its exit. */
export function watchChild(child: number | ChildLike): ProcessWatcher {
  return new ProcessWatcher(child);
}
