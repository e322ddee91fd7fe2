// The part of net.Socket's surface that follows from the stream's own state alone: PipeSocket
// (socket.ts) builds the pipe, the reads and the writes on it.
import { Duplex } from 'node:stream';
import { codedTypeError } from '../errors.js';
import { WRITABLE_CHECKS_ENCODING, type WriteCallback } from './socket-writes.js';

/**
 * The base of `PipeSocket`: the members of `net.Socket` that only read the stream's state
 * (`write`'s end-of-stream check, `setNoDelay`, `setKeepAlive`, `destroySoon`, `address`,
 * `readyState`). None makes an OS call of its own; `write` hands on to `PipeSocket`'s writes.
 */
export abstract class SocketSurface extends Duplex {
  /** True while a `connect()` is in progress. No OS call. */
  abstract get connecting(): boolean;

  /**
   * As `Writable.write` and `net.Socket.write`: queues `chunk` and returns false once the queue
   * passes `writableHighWaterMark` (wait for `'drain'`). Windows: overlapped `WriteFile`; Linux:
   * `send`; queued writes go as one. As `net.Socket`: once the stream has ended (`'end'`: the
   * peer's end, or on Windows a quiet peer after `end()`), with `allowHalfOpen` false and this
   * side ended too, a write fails with `EPIPE` (its callback first, on the next tick) and
   * destroys the socket.
   *
   * Errors: thrown, as `net.Socket`: a chunk that is no string, Buffer or Uint8Array
   * `ERR_INVALID_ARG_TYPE`, null `ERR_STREAM_NULL_VALUES`, a string with the encoding `'buffer'`
   * `ERR_INVALID_ARG_TYPE` (`ERR_UNKNOWN_ENCODING` where Node's Writable refuses it first). To
   * the callback and as `'error'`: after `end()` `ERR_STREAM_WRITE_AFTER_END`; the peer has gone
   * `EPIPE`; after `destroy()` `ERR_STREAM_DESTROYED`. Cancellation: `destroy()` cancels a write
   * in flight (its callback gets `ERR_STREAM_DESTROYED` unless it completed first).
   *
   * @example
   * ```js
   * import { once } from 'node:events';
   * if (!socket.write('request\n')) await once(socket, 'drain');
   * ```
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

  /** Accepted for `net.Socket` compatibility; pipes have no Nagle algorithm. No OS call; errors: none. */
  setNoDelay(noDelay?: boolean): this {
    void noDelay;
    return this;
  }

  /** Accepted for `net.Socket` compatibility; pipes have no keep-alive probes. No OS call; errors: none. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    void enable;
    void initialDelay;
    return this;
  }

  /**
   * End the writable side, then destroy once it has finished (as `net.Socket.destroySoon`). The
   * OS calls are `end()`'s and `destroy()`'s; errors: none thrown.
   */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Pipes have no address: `{}`, as `net.Socket` returns for a pipe. No OS call; errors: none. */
  address(): Record<string, never> {
    return {};
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`, as `net.Socket`. No OS call. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
}
