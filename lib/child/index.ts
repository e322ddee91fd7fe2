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
 * proactor: true when signalled, false when `timeout` passed; abort rejects with `AbortError`.
 */
export function waitForHandle(handle: number | bigint, options?: WaitOptions): Promise<boolean> {
  return getDefaultProactor().waitForHandle(handle, options);
}

/** A new unset manual-reset event (Windows) / eventfd (Linux): `{ handle, set(), reset(), close() }`. */
export function createEvent(): ProactorEvent {
  return new ProactorEvent();
}
