// ProactorEvent: something to wait for with `waitForHandle`, and to signal from anywhere.
import { moduleError as scratchError, systemErrorByName } from './errors.js';
import { IOCP } from './engine/platform.js';
import { native } from './native.js';

/**
 * An event for `waitForHandle`: a Windows manual-reset event (`CreateEventW`) or a Linux
 * `eventfd`. It stays set until reset. `handle` is the raw HANDLE / fd, to wait on or to hand
 * to another process.
 *
 * Errors: what the OS says, as a system error naming the call (`EMFILE` from `eventfd`, ...);
 * any method but `close()` on a closed event throws `EBADF`.
 *
 * @example
 * ```js
 * import { createEvent, waitForHandle } from 'proactor';
 * const event = createEvent();
 * setTimeout(() => event.set(), 100);
 * await waitForHandle(event.handle); // true
 * event.close();
 * ```
 */
export class ProactorEvent {
  #handle: number | bigint | undefined;
  constructor() {
    const handle = native.createEvent();
    if (handle === -1) throw scratchError(IOCP ? 'CreateEventW' : 'eventfd');
    this.#handle = handle;
  }
  /** The raw handle / fd. Throws `EBADF` after `close()`. */
  get handle(): number | bigint {
    return this.#open('handle');
  }
  /** Signals the event (`SetEvent` / an eventfd write): every wait on it completes, and later ones at once. */
  set(): void {
    const syscall = IOCP ? 'SetEvent' : 'write';
    if (native.setEvent(this.#open(syscall)) < 0) throw scratchError(syscall);
  }
  /** Unsignals it (`ResetEvent` / an eventfd read). */
  reset(): void {
    const syscall = IOCP ? 'ResetEvent' : 'read';
    if (native.resetEvent(this.#open(syscall)) < 0) throw scratchError(syscall);
  }
  /** Closes it (`CloseHandle` / `close`). Waits already started keep their own duplicate; closing twice is a no-op. */
  close(): void {
    if (this.#handle === undefined) return;
    const handle = this.#handle;
    this.#handle = undefined;
    if (native.closeEvent(handle) < 0) throw scratchError(IOCP ? 'CloseHandle' : 'close');
  }
  #open(syscall: string): number | bigint {
    if (this.#handle === undefined) throw systemErrorByName('EBADF', syscall);
    return this.#handle;
  }
}
