// ProactorEvent: something to wait for with `waitForHandle`, and to signal from anywhere.
import { systemError, systemErrorByName } from './errors.js';
import { native } from './native.js';

function nativeCallError(error: unknown, syscall: string): Error {
  const { errno, sysErrno } = error as { errno?: number; sysErrno?: number };
  return typeof errno === 'number' ? systemError(errno, sysErrno ?? 0, syscall) : (error as Error);
}

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
    try {
      this.#handle = native.createEvent();
    } catch (error) {
      throw nativeCallError(error, native.backend() === 'iocp' ? 'CreateEventW' : 'eventfd');
    }
  }
  /** The raw handle / fd. Throws `EBADF` after `close()`. */
  get handle(): number | bigint {
    return this.#open('handle');
  }
  /** Signals the event (`SetEvent` / an eventfd write): every wait on it completes, and later ones at once. */
  set(): void {
    this.#call('setEvent', () => native.setEvent(this.#open('setEvent')));
  }
  /** Unsignals it (`ResetEvent` / an eventfd read). */
  reset(): void {
    this.#call('resetEvent', () => native.resetEvent(this.#open('resetEvent')));
  }
  /** Closes it. Waits already started keep their own duplicate; closing twice is a no-op. */
  close(): void {
    if (this.#handle === undefined) return;
    const handle = this.#handle;
    this.#handle = undefined;
    this.#call('closeEvent', () => native.closeEvent(handle));
  }
  #open(syscall: string): number | bigint {
    if (this.#handle === undefined) throw systemErrorByName('EBADF', syscall);
    return this.#handle;
  }
  #call(syscall: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      throw nativeCallError(error, syscall);
    }
  }
}
