// The part of net.Socket's surface that follows from the stream's own state alone: PipeSocket
// (socket.ts) builds the pipe, the reads and the writes on it.
import { Duplex } from 'node:stream';
import { codedTypeError } from '../errors.js';
import { WRITABLE_CHECKS_ENCODING, type WriteCallback } from './socket-writes.js';

export abstract class SocketSurface extends Duplex {
  /** True while a `connect()` is in progress. */
  abstract get connecting(): boolean;

  /**
   * As `net.Socket`: once the stream has ended (`'end'`: the peer's end, or on Windows a quiet
   * peer after `end()`), with `allowHalfOpen` false and this side ended too, a write fails with
   * `EPIPE` (its callback first, on the next tick) and destroys the socket.
   */
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    if (typeof chunk === 'string' && (encoding as string) === 'buffer' && !WRITABLE_CHECKS_ENCODING) {
      // net.Socket passes strings down with their encoding, and its handle refuses this pair.
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'Second argument must be a buffer');
    }
    if (this.readableEnded && !this.allowHalfOpen && this.writableEnded) {
      const cb = typeof encoding === 'function' ? encoding : callback;
      const error = Object.assign(new Error('This socket has been ended by the other party'), {
        code: 'EPIPE',
      });
      if (typeof cb === 'function') process.nextTick(cb, error);
      this.destroy(error);
      return false;
    }
    return super.write(chunk, encoding as BufferEncoding, callback);
  }

  /** Accepted for `net.Socket` compatibility; pipes have no Nagle algorithm. Returns `this`. */
  setNoDelay(noDelay?: boolean): this {
    void noDelay;
    return this;
  }

  /** Accepted for `net.Socket` compatibility; pipes have no keep-alive probes. Returns `this`. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    void enable;
    void initialDelay;
    return this;
  }

  /** End the writable side, then destroy once it has finished (as `net.Socket.destroySoon`). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Pipes have no address: `{}`, as `net.Socket` returns for a pipe. */
  address(): Record<string, never> {
    return {};
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`, as `net.Socket`. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
}
