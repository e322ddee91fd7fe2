// Process exits and handle waits for any process, on the proactor.
import { getDefaultProactor } from '../proactor.js';
import type { WaitOptions } from '../proactor-options.js';

export { waitForExit } from './exit.js';
export type { ChildLike, ExitResult } from './exit.js';
export { ProcessWatcher, watchChild } from './watcher.js';
export type { ProcessWatcherEvents } from './watcher.js';
export { spawn } from './spawn.js';
export type { ProactorSpawnOptions, SpawnedProcess } from './spawn.js';
export { ProactorEvent } from '../event.js';
import { ProactorEvent } from '../event.js';

/**
 * Waits for a Windows waitable `HANDLE` / Linux pollable fd to be signalled, on the shared
 * proactor: true when signalled, false when `timeout` passed. `Proactor.waitForHandle` says
 * what it asks of the OS (Windows `DuplicateHandle` and a thread-pool wait or wait packet;
 * Linux `fcntl(F_DUPFD_CLOEXEC)` and epoll), what it throws and rejects with (`EBADF`, ...).
 *
 * Cancellation: abort rejects with `AbortError` unless the handle was signalled first (L5),
 * and a cancelled wait never resolves later (L8).
 *
 * @example
 * ```js
 * import { createEvent, waitForHandle } from 'proactor';
 * const event = createEvent();
 * setTimeout(() => event.set(), 100);
 * console.log(await waitForHandle(event.handle, { timeout: 5000 })); // true
 * event.close();
 * ```
 */
export function waitForHandle(handle: number | bigint, options?: WaitOptions): Promise<boolean> {
  return getDefaultProactor().waitForHandle(handle, options);
}

/**
 * A new unset event to wait for with `waitForHandle`: `{ handle, set(), reset(), close() }`
 * (see `ProactorEvent`). Windows: `CreateEventW` (manual reset); Linux: `eventfd`
 * (non-blocking, close-on-exec), which stays readable from `set()` to `reset()`.
 *
 * Errors: thrown, what the OS says, naming the call (`EMFILE` from `eventfd`, ...).
 * Cancellation: none; `close()` closes it (waits already started keep their own duplicate).
 *
 * @example
 * ```js
 * import { createEvent } from 'proactor';
 * const event = createEvent();
 * event.set();
 * event.close();
 * ```
 */
export function createEvent(): ProactorEvent {
  return new ProactorEvent();
}
