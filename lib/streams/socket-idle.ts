// A PipeSocket's idle timeout (`setTimeout`), as net.Socket's: 'timeout' once `msecs` pass with
// no read or write going through. It only tells: closing the socket is the listener's choice. A
// JS timer that each read and write restarts, and that never keeps the process alive.
import type { Duplex } from 'node:stream';

export class IdleTimeout {
  readonly #stream: Duplex;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: Duplex) {
    this.#stream = stream;
  }

  /** `setTimeout(msecs, callback)`, its arguments checked already: 0 turns it off. */
  set(msecs: number, callback: (() => void) | undefined): void {
    this.stop();
    const stream = this.#stream;
    if (msecs === 0) {
      if (callback) stream.removeListener('timeout', callback);
      return;
    }
    if (stream.destroyed) return;
    this.#timer = setTimeout(() => stream.emit('timeout'), msecs);
    this.#timer.unref();
    if (callback) stream.once('timeout', callback);
  }

  /** Bytes went through: the idle time starts again. */
  touch(): void {
    this.#timer?.refresh();
  }

  /** The socket is destroyed, or the timeout set again. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
