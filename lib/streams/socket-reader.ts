// A PipeSocket's reading: one read in flight while the stream wants data (L6, L12), as libuv's
// readStart. Once `_read` asks, a read stays in flight until `push()` says the buffer is full.
// A result is never pushed from inside `_read`.
import type { Duplex } from 'node:stream';
import { giveBackReadBuffer, takeReadBuffer } from './read-buffers.js';
import type { SocketHost } from './socket-host.js';
import type { PipeSocketOptions } from './socket-options.js';

// Reads that finish at once, in a row, before the socket lets the event loop turn (libuv's Unix
// streams likewise read at most 32 times per wake-up): a peer that keeps the pipe full cannot
// starve every other handle.
const INLINE_READS = 32;

type Onread = NonNullable<PipeSocketOptions['onread']>;

export class SocketReader {
  readonly #host: SocketHost;
  readonly #stream: Duplex;
  readonly #readSize: number;
  readonly #eofTimeout: number;
  // The `onread` option: reads go into the caller's buffer and to its callback, not to 'data'.
  readonly #onread: Onread | undefined;
  #onreadBuffer: Uint8Array | undefined;
  #readBuffer: Buffer | undefined;
  #requested = false; // `_read` came while connecting
  #reading = false; // a read (or a wait for data) is in flight
  #loop = false; // keep reading: set by `_read`, cleared by backpressure, end or error
  #pumping = false; // #pump is on the stack: a read that finishes at once returns to it
  #dataWaiting = false; // a wait for data succeeded: the next read finds it
  #hasReceivedData = false; // from then on, read straight into a buffer
  #stale = false; // the read in flight belongs to a connection the socket has left
  #writesFlushed = false; // Windows end(): the peer has read everything; reads go on (L11)
  #eofTimer: NodeJS.Timeout | undefined;
  #bytesRead = 0;

  constructor(
    host: SocketHost,
    options: { readSize: number; eofTimeout: number; onread: Onread | undefined },
  ) {
    this.#host = host;
    this.#stream = host.stream;
    this.#readSize = options.readSize;
    this.#eofTimeout = options.eofTimeout;
    this.#onread = options.onread;
  }

  /** Bytes delivered so far on this connection. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** `_read`: start reading, or remember the request until the socket is connected. */
  request(): void {
    if (this.#host.channel() === undefined) {
      // Readable asked while connecting: it will not ask again until we push, so read once
      // connected.
      this.#requested = true;
      return;
    }
    if (this.#loop) return;
    this.#loop = true;
    // L12: a read may finish at once; its data is pushed after `_read` has returned, as
    // net.Socket's always comes from the event loop. Pushed from inside `_read`, a chunk that
    // decodes to nothing (half of a UTF-8 character) would leave the stream flowing with no
    // read in flight, for good.
    if (!this.#reading) process.nextTick(this.#pump);
  }

  /** The socket has connected: a read asked for meanwhile starts now. */
  connected(): void {
    if (this.#requested) {
      this.#requested = false;
      this.request();
    } else if (this.#stream.readable && !this.#stream.isPaused()) this.#stream.read(0);
  }

  /** With `onread`, pausing stops reading (as `net.Socket`). */
  pause(): void {
    if (this.#onread !== undefined) this.#loop = false;
  }

  /** With `onread`, resuming starts reading again. */
  resume(): void {
    if (this.#onread === undefined || this.#host.channel() === undefined) return;
    if (this.#loop || this.#stream.destroyed) return;
    this.#loop = true;
    if (!this.#reading) process.nextTick(this.#pump);
  }

  /** Windows `end()`: the peer has read everything; from now on a quiet peer ends the stream. */
  writesFlushed(): void {
    this.#writesFlushed = true;
  }

  /** The socket is destroyed: no new reads; the buffer comes back once none is in flight. */
  stop(): void {
    clearTimeout(this.#eofTimer);
    this.#eofTimer = undefined;
    this.#loop = false;
    this.#requested = false;
    if (!this.#reading) this.#releaseReadBuffer();
  }

  /** The socket starts a new connection: a read still in flight belongs to the old one. */
  reset(): void {
    if (this.#reading) {
      this.#stale = true;
      this.#readBuffer = undefined; // still the OS's; it is not given back for reuse (L1)
    }
    this.#requested = false;
    this.#loop = false;
    this.#dataWaiting = false;
    this.#hasReceivedData = false;
    this.#writesFlushed = false;
    this.#bytesRead = 0;
  }

  // Keeps one read in flight while #loop holds. Reads that finish at once are handled in this
  // loop; one that waits continues it from its completion.
  #pump = (): void => {
    if (this.#pumping) return;
    this.#pumping = true;
    let completed = false;
    try {
      for (let inline = 0; this.#loop && !this.#reading; inline++) {
        if (inline === INLINE_READS) {
          completed = true;
          setImmediate(this.#pump);
          return;
        }
        this.#startRead();
      }
      completed = true;
    } finally {
      this.#pumping = false;
      // A read that finished at once ran a callback that threw ('data'): the throw goes on to
      // Node, and reading goes on after it, as net.Socket's does.
      if (!completed) process.nextTick(this.#pump);
    }
    if (this.#reading) this.armEofTimer();
  };

  #startRead(): void {
    const channel = this.#host.channel();
    if (channel === undefined || this.#stream.destroyed) {
      this.#loop = false;
      return;
    }
    if (channel.closed) {
      // Windows end(): the pipe was closed after the peer had read everything, and the eof
      // timer ran out; nothing more can arrive.
      this.#loop = false;
      if (this.#writesFlushed) this.#endOfStream();
      return;
    }
    this.#reading = true;
    this.#host.started();
    if (this.#hasReceivedData || this.#dataWaiting) {
      this.#dataWaiting = false;
      // Finishes at once when the data is there (most reads of a busy connection).
      if (this.#onread === undefined) {
        channel.read((this.#readBuffer ??= takeReadBuffer(this.#readSize)), this.#onRecv);
      } else {
        const { buffer } = this.#onread;
        this.#onreadBuffer = typeof buffer === 'function' ? buffer() : buffer;
        channel.read(this.#onreadBuffer, this.#onReadInto);
      }
    } else {
      // Until the first data, wait with no buffer (a zero-byte read), so a connection that
      // never talks, or closes at once, holds no read buffer. The read that follows finds it.
      channel.waitReadable(this.#onReadable);
    }
  }

  #onReadable = (_value: number, error: Error | undefined): void => {
    if (this.#readSettled()) return;
    if (error !== undefined) return this.#onReadError(error);
    if (this.#stream.destroyed) return this.#stopReading();
    this.#dataWaiting = true;
    this.#pump();
  };

  #onRecv = (n: number, error: Error | undefined): void => {
    if (!this.#received(n, error)) return;
    const buffer = this.#readBuffer as Buffer;
    let chunk: Buffer;
    if (n < buffer.length >>> 2) {
      // A small read: copy it out and keep the big buffer for the next read, rather than
      // pinning 64 KiB behind a few bytes.
      chunk = Buffer.from(buffer.subarray(0, n));
    } else {
      chunk = buffer.subarray(0, n);
      this.#readBuffer = undefined;
    }
    try {
      if (!this.#stream.push(chunk)) this.#loop = false; // backpressure: no new read (L6)
    } finally {
      // Even when a 'data' handler threw: as net.Socket, the socket goes on reading for a
      // program that survives the throw ('uncaughtException'). Inside #pump, #pump does it.
      this.#pump();
    }
  };

  // A read into the `onread` buffer: handed to its callback, which may pause reading (false).
  #onReadInto = (n: number, error: Error | undefined): void => {
    const buffer = this.#onreadBuffer as Uint8Array;
    this.#onreadBuffer = undefined;
    if (!this.#received(n, error)) return;
    try {
      if ((this.#onread as Onread).callback(n, buffer) === false) this.#loop = false;
    } finally {
      this.#pump(); // as in #onRecv
    }
  };

  // What every read's callback does first. True when it brought `n` bytes to deliver (counted
  // already); otherwise the read is over: stale, failed, ended, or the socket is gone.
  #received(n: number, error: Error | undefined): boolean {
    if (this.#readSettled()) return false;
    if (error !== undefined) {
      this.#onReadError(error);
      return false;
    }
    if (this.#stream.destroyed) {
      this.#stopReading();
      return false;
    }
    if (n === 0) {
      this.#endOfStream();
      return false;
    }
    // A connection that has delivered data will likely deliver more: from now on read
    // straight into the buffer (one operation per read, not two).
    this.#hasReceivedData = true;
    this.#host.active();
    // Counted as it is delivered: when flowing, each 'data' sees bytesRead include its chunk.
    this.#bytesRead += n;
    return true;
  }

  // A read called back. True when it was a read of a connection the socket has since left: it
  // is done with, and the new connection may start its own.
  #readSettled(): boolean {
    this.#reading = false;
    if (this.#stale) {
      this.#stale = false;
      this.#pump();
      return true;
    }
    clearTimeout(this.#eofTimer);
    this.#eofTimer = undefined;
    this.#host.settled();
    return false;
  }

  #stopReading(): void {
    this.#loop = false;
    this.#releaseReadBuffer();
  }

  #onReadError(error: Error & { code?: string }): void {
    this.#loop = false;
    if (this.#stream.destroyed) {
      this.#releaseReadBuffer();
      return;
    }
    // Our own close after end() (Windows, the eof timer) cancels the read: the end of the stream.
    if (error.code === 'ABORT_ERR' && this.#writesFlushed) this.#endOfStream();
    else this.#stream.destroy(error);
  }

  // After the last read settled: the socket's buffer can serve another socket.
  #releaseReadBuffer(): void {
    const buffer = this.#readBuffer;
    this.#readBuffer = undefined;
    if (buffer !== undefined) giveBackReadBuffer(buffer);
  }

  #endOfStream(): void {
    this.#stopReading();
    if (this.#stream.readableEnded) return;
    this.#stream.push(null);
    // As net.Socket: with nothing buffered, 'end' is emitted even if nobody reads.
    this.#stream.read(0);
  }

  /**
   * L11, Windows: once the writes are flushed, a read that waits longer than eofTimeout ms for
   * the quiet peer ends the stream (libuv's eof_timer). Each read restarts the wait.
   */
  armEofTimer(): void {
    if (!this.#writesFlushed || !this.#reading || this.#eofTimeout === Infinity) return;
    clearTimeout(this.#eofTimer);
    this.#eofTimer = setTimeout(this.#onEofTimeout, this.#eofTimeout);
    // The read keeps the process alive, not the timer (libuv unrefs its eof timer too).
    this.#eofTimer.unref();
  }

  #onEofTimeout = (): void => {
    this.#eofTimer = undefined;
    const channel = this.#host.channel();
    if (!this.#reading || channel === undefined || channel.closed) return;
    // Closing cancels the read; should it have finished in the race, its data is delivered
    // first (L5), then the end. The peer reads the end of stream too.
    channel.close();
  };
}
