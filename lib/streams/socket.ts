// PipeSocket: a `net.Socket` for pipes, as a stream.Duplex over the proactor's recv/send.
import { Duplex, Writable } from 'node:stream';
import { abortError, codedError, codedTypeError, invalidArgType } from '../errors.js';
import { connectWithRetry } from '../engine/busy-connect.js';
import type { Channel } from '../engine/channel.js';
import type { Engine } from '../engine/engine.js';
import { channelOf, PipeHandle } from '../pipe-handle.js';
import { engineOf, getDefaultProactor } from '../proactor.js';
import { validateFunction } from '../validate.js';
import { type ConnectionOwner, validateMsecs } from './internal.js';
import type { Server } from './server.js';
import { DEFAULT_READ_SIZE, giveBackReadBuffer, takeReadBuffer } from './read-buffers.js';
import {
  DEFAULT_EOF_TIMEOUT,
  normalizeConnectArgs,
  type PipeConnectOptions,
  type PipeSocketOptions,
  validateSocketOptions,
} from './socket-options.js';

export type { PipeConnectOptions, PipeSocketOptions } from './socket-options.js';
export { DEFAULT_EOF_TIMEOUT } from './socket-options.js';
export { DEFAULT_READ_SIZE } from './read-buffers.js';

// Reads that finish at once, in a row, before the socket lets the event loop turn (libuv's Unix
// streams likewise read at most 32 times per wake-up): a peer that keeps the pipe full cannot
// starve every other handle.
const INLINE_READS = 32;

// Queued writes go to the OS together: small ones as one buffer (one system call), big ones each
// as it is. Copying big ones would cost more than it saves, and each write that completes counts
// as activity for the idle timeout: a slow reader draining a long queue must not look idle (as
// with net.Socket, whose timeout waits while its write queue shrinks).
const COALESCE_LIMIT = 64 * 1024;

/**
 * Whether this Node's Writable itself refuses a string with the encoding 'buffer' (Node 26 does:
 * ERR_UNKNOWN_ENCODING, for net.Socket too). Where it does not, net.Socket's handle refuses the
 * pair later, with its own error; write() below gives that one.
 */
const WRITABLE_CHECKS_ENCODING = (() => {
  try {
    new Writable({ decodeStrings: false, write: (_chunk, _encoding, callback) => callback() }).write(
      '',
      'buffer' as BufferEncoding,
    );
    return false;
  } catch {
    return true;
  }
})();

type WriteCallback = (error?: Error | null) => void;

let attachAccepted: (socket: PipeSocket, channel: Channel, owner: ConnectionOwner<Server>) => void;

/**
 * @internal A server's socket for an accepted pipe. Its reading starts (unless paused) only
 * once `announce` (which emits 'connection') has returned, so a connection that the server's
 * listeners destroy at once never starts one.
 */
export function acceptedSocket(
  options: PipeSocketOptions,
  channel: Channel,
  owner: ConnectionOwner<Server>,
  announce: (socket: PipeSocket) => void,
): PipeSocket {
  const socket = new PipeSocket(options);
  attachAccepted(socket, channel, owner);
  if (options.pauseOnCreate) socket.pause();
  announce(socket);
  if (!options.pauseOnCreate && !socket.destroyed) socket.read(0);
  return socket;
}

/**
 * A connected pipe, as `net.Socket` is for pipes: a `stream.Duplex` with the same events
 * (`connect`, `ready`, `data`, `end`, `finish`, `drain`, `timeout`, `error`, `close(hadError)`)
 * and methods. Reads go straight from the OS into buffers of `readableHighWaterMark` bytes
 * (64 KiB by default), one read in flight while the stream wants data; backpressure stops new
 * reads and never cancels one in flight. Queued writes (several `write()`s, or
 * `cork()`/`uncork()`) go to the OS as one write.
 *
 * `end()` differs by platform, as with `node:net`. Linux half-closes (`shutdown`): the peer
 * reads end of stream while this side can still read. Windows byte pipes cannot half-close, so
 * there, as libuv does, `end()` waits until the peer has read everything (`'finish'`) and keeps
 * reading: the stream ends when the peer closes, or once the peer has been quiet for
 * `eofTimeout` ms (default 50) while a read waits, and then the pipe is closed. A reply sent
 * within that time after the peer has read the request always gets through.
 *
 * ```js
 * import { connect, pipePath } from 'proactor';
 * const socket = connect({ path: pipePath('demo'), timeout: 5000 }, () => socket.end('hi'));
 * socket.on('data', (data) => console.log(data.toString()));
 * ```
 */
export class PipeSocket extends Duplex {
  #engine: Engine;
  #channel: Channel | undefined;
  #connecting = false;
  #connectAbort: (() => void) | undefined;
  #hadPipe = false; // connected, or tried to: 'close' then says whether it ended in an error
  // A write waiting for the connect: sent from a 'connect' listener added when it was queued (as
  // net.Socket does, so listeners added before it run first); failed if destroyed first.
  #queuedWrite: { chunks: Buffer[]; callback: WriteCallback } | undefined;
  // The `onread` option: reads go into the caller's buffer and to its callback, not to 'data'.
  #onread: NonNullable<PipeSocketOptions['onread']> | undefined;
  #onreadBuffer: Uint8Array | undefined;
  #readSize: number;
  #readBuffer: Buffer | undefined;
  // Reading (L6, L12), as libuv's readStart: once `_read` asks, a read stays in flight until
  // `push()` says the buffer is full. A result is never pushed from inside `_read`.
  #readRequested = false; // `_read` came while connecting
  #reading = false; // a read (or a wait for data) is in flight
  #readLoop = false; // keep reading: set by `_read`, cleared by backpressure, end or error
  #pumping = false; // #pump is on the stack: a read that finishes at once returns to it
  #dataWaiting = false; // a wait for data succeeded: the next read finds it
  #hasReceivedData = false; // from then on, read straight into a buffer
  // Ending.
  #eofTimeout: number;
  #eofTimer: NodeJS.Timeout | undefined;
  #writesFlushed = false; // Windows end(): the peer has read everything; reads go on (L11)
  #bytesRead = 0;
  #bytesDispatched = 0;
  #timer: NodeJS.Timeout | undefined;
  #refed = true;
  #peerPid: number | undefined;
  #owner: ConnectionOwner<Server> | undefined;
  #signalCleanup: (() => void) | undefined;
  // 'close' is due once the socket is destroyed and none of its operations is in flight, as
  // net.Socket's comes from the handle's close callback, after every request has called back:
  // a connect() from a 'close' listener then starts clean.
  #inFlight = 0; // operations of the current connection that have not called back
  #staleRead = false; // the read in flight belongs to a connection this socket has left
  #closeDue: { hadError: boolean | undefined; queued: WriteCallback | undefined } | undefined;
  #closeImmediate: NodeJS.Immediate | undefined;

  /** The idle timeout set with `setTimeout`, in milliseconds (undefined until set). */
  timeout: number | undefined;

  /** The server that accepted this socket, for server-side sockets. */
  server: Server | undefined;

  constructor(options?: PipeSocketOptions) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgType('options', 'of type object', options);
    }
    const opts = options ?? {};
    validateSocketOptions(opts as Record<string, unknown>);
    const handle = opts.handle;
    const proactor = opts.proactor ?? getDefaultProactor();
    // The signal is ours to watch (one listener): Duplex would watch it too, and an aborted one
    // would destroy the stream inside super(), before this class is set up.
    const { signal, ...duplexOptions } = opts;
    super({
      ...duplexOptions,
      readableHighWaterMark: opts.readableHighWaterMark ?? DEFAULT_READ_SIZE,
      allowHalfOpen: Boolean(opts.allowHalfOpen),
      // As net.Socket: 'close' is ours to emit, with hadError, once the handle is closed.
      emitClose: false,
      autoDestroy: true,
    });
    this.#engine = engineOf(proactor);
    this.#readSize = Math.max(1, this.readableHighWaterMark);
    this.#eofTimeout = opts.eofTimeout ?? DEFAULT_EOF_TIMEOUT;
    this.#onread = usableOnread(opts.onread);
    if (handle !== undefined) {
      const channel = channelOf(handle instanceof PipeHandle ? handle : proactor.adoptHandle(handle));
      this.#engine = channel.engine;
      this.#attach(channel);
      if (opts.pauseOnCreate) this.pause();
      else this.read(0);
    }
    if (signal !== undefined) this.#watchSignal(signal);
  }

  static {
    attachAccepted = (socket, channel, owner) => {
      socket.#engine = channel.engine;
      socket.#attach(channel);
      socket.#owner = owner;
      socket.server = owner.server;
    };
  }

  #watchSignal(signal: AbortSignal): void {
    if (signal.aborted) {
      process.nextTick(() => this.destroy(abortError(signal)));
      return;
    }
    const onAbort = (): void => {
      this.destroy(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#signalCleanup = () => signal.removeEventListener('abort', onAbort);
  }

  /**
   * Connects to a pipe server: `connect(path[, listener])` or `connect({ path, timeout, signal
   * }[, listener])`. `listener` is added for `connect`. Writes made before the connection is up
   * are queued and sent once it is. Errors (`ENOENT`, `ETIMEDOUT`, `AbortError`, ...) destroy the
   * socket and are emitted as `error`. A socket that has closed may connect again, as a
   * `net.Socket` may.
   */
  connect(options: string | PipeConnectOptions, connectListener?: () => void): this {
    const { path, timeout, signal, invalid } = normalizeConnectArgs(options, arguments.length);
    if (connectListener !== undefined) validateFunction(connectListener, 'connectListener');
    if (this.#connecting) throw codedError('ERR_SOCKET_CONNECTING', 'Socket is already connecting');
    if (this.destroyed) this.#reset();
    else if (this.#channel !== undefined) throw codedError('ERR_SOCKET_CLOSED', 'Socket is closed');
    if (connectListener) this.once('connect', connectListener);
    if (signal !== undefined && this.#signalCleanup === undefined) this.#watchSignal(signal);
    this.#connecting = true;
    this.#hadPipe = true;
    if (invalid !== undefined) {
      // As node:net on Windows: a path that cannot name a pipe fails the connect, asynchronously.
      process.nextTick(() => this.#connectFailed(invalid));
      return this;
    }
    const connecting = connectWithRetry(this.#engine, path, { timeout });
    this.#connectAbort = connecting.abort;
    connecting.promise.then(
      (channel) => this.#connected(channel, timeout),
      (error: Error) => this.#connectFailed(error),
    );
    return this;
  }

  #connected(channel: Channel, timeout: number | undefined): void {
    this.#connecting = false;
    this.#connectAbort = undefined;
    // A server that closed meanwhile (with us still queued) refused us, as node:net reports it.
    const refused = this.destroyed ? undefined : channel.pendingError();
    if (this.destroyed || refused !== undefined) {
      channel.close();
      if (refused !== undefined) this.destroy(refused);
      return;
    }
    this.#attach(channel);
    if (timeout !== undefined) this.setTimeout(timeout);
    this.emit('connect');
    this.emit('ready');
    if (this.#readRequested) {
      this.#readRequested = false;
      this._read();
    } else if (this.readable && !this.isPaused()) this.read(0);
  }

  #connectFailed(error: Error): void {
    this.#connecting = false;
    this.#connectAbort = undefined;
    if (!this.destroyed) this.destroy(error);
  }

  #attach(channel: Channel): void {
    this.#channel = channel;
    this.#hadPipe = true;
    if (!this.#refed) channel.setRef(false);
  }

  // A socket that closed, made new for another connect (net.Socket's _undestroy).
  #reset(): void {
    // Its 'close' belongs to the old connection, so it goes first; what is still in flight on
    // the old pipe calls back into nothing.
    this.#emitClose();
    this.#inFlight = 0;
    if (this.#reading) {
      this.#staleRead = true;
      this.#readBuffer = undefined; // still the OS's; it is not given back for reuse (L1)
    }
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#channel = undefined;
    this.#readRequested = false;
    this.#readLoop = false;
    this.#dataWaiting = false;
    this.#hasReceivedData = false;
    this.#writesFlushed = false;
    this.#peerPid = undefined;
    this.#bytesRead = 0;
    this.#bytesDispatched = 0;
  }

  /** @internal */
  override _read(): void {
    if (this.#channel === undefined) {
      // Readable asked while connecting: it will not ask again until we push, so read once
      // connected.
      this.#readRequested = true;
      return;
    }
    if (this.#readLoop) return;
    this.#readLoop = true;
    // L12: a read may finish at once; its data is pushed after `_read` has returned, as
    // net.Socket's always comes from the event loop. Pushed from inside `_read`, a chunk that
    // decodes to nothing (half of a UTF-8 character) would leave the stream flowing with no
    // read in flight, for good.
    if (!this.#reading) process.nextTick(this.#pump);
  }

  // Keeps one read in flight while #readLoop holds. Reads that finish at once are handled in
  // this loop; one that waits continues it from its completion.
  #pump = (): void => {
    if (this.#pumping) return;
    this.#pumping = true;
    let completed = false;
    try {
      for (let inline = 0; this.#readLoop && !this.#reading; inline++) {
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
    if (this.#reading) this.#armEofTimer();
  };

  #startRead(): void {
    const channel = this.#channel;
    if (channel === undefined || this.destroyed) {
      this.#readLoop = false;
      return;
    }
    if (channel.closed) {
      // Windows end(): the pipe was closed after the peer had read everything, and the eof
      // timer ran out; nothing more can arrive.
      this.#readLoop = false;
      if (this.#writesFlushed) this.#endOfStream();
      return;
    }
    this.#reading = true;
    this.#inFlight++;
    if (this.#hasReceivedData || this.#dataWaiting) {
      this.#dataWaiting = false;
      // Finishes at once when the data is there (most reads of a busy connection).
      if (this.#onread === undefined) {
        const buffer = (this.#readBuffer ??= takeReadBuffer(this.#readSize));
        channel.read(buffer, this.#onRecv);
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
    if (this.destroyed) return this.#stopReading();
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
      if (!this.push(chunk)) this.#readLoop = false; // backpressure: no new read (L6)
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
      if ((this.#onread as NonNullable<PipeSocketOptions['onread']>).callback(n, buffer) === false) {
        this.#readLoop = false;
      }
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
    if (this.destroyed) {
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
    this.#touch();
    // Counted as it is delivered: when flowing, each 'data' sees bytesRead include its chunk.
    this.#bytesRead += n;
    return true;
  }

  // A read called back. True when it was a read of a connection this socket has since left: it
  // is done with, and the new connection may start its own.
  #readSettled(): boolean {
    this.#reading = false;
    if (this.#staleRead) {
      this.#staleRead = false;
      this.#pump();
      return true;
    }
    clearTimeout(this.#eofTimer);
    this.#eofTimer = undefined;
    this.#settled();
    return false;
  }

  // An operation of the current connection called back.
  #settled(): void {
    if (--this.#inFlight === 0 && this.#closeDue !== undefined) this.#scheduleClose();
  }

  #stopReading(): void {
    this.#readLoop = false;
    this.#releaseReadBuffer();
  }

  #onReadError(error: Error & { code?: string }): void {
    this.#readLoop = false;
    if (this.destroyed) {
      this.#releaseReadBuffer();
      return;
    }
    // Our own close after end() (Windows, the eof timer) cancels the read: the end of the stream.
    if (error.code === 'ABORT_ERR' && this.#writesFlushed) this.#endOfStream();
    else this.destroy(error);
  }

  // After the last read settled: the socket's buffer can serve another socket.
  #releaseReadBuffer(): void {
    const buffer = this.#readBuffer;
    this.#readBuffer = undefined;
    if (buffer !== undefined) giveBackReadBuffer(buffer);
  }

  #endOfStream(): void {
    this.#stopReading();
    if (this.readableEnded) return;
    this.push(null);
    // As net.Socket: with nothing buffered, 'end' is emitted even if nobody reads.
    this.read(0);
  }

  // L11, Windows: once the writes are flushed, a read that waits longer than eofTimeout ms
  // for the quiet peer ends the stream (libuv's eof_timer). Each read restarts the wait.
  #armEofTimer(): void {
    if (!this.#writesFlushed || !this.#reading || this.#eofTimeout === Infinity) return;
    clearTimeout(this.#eofTimer);
    this.#eofTimer = setTimeout(this.#onEofTimeout, this.#eofTimeout);
    // The read keeps the process alive, not the timer (libuv unrefs its eof timer too).
    this.#eofTimer.unref();
  }

  #onEofTimeout = (): void => {
    this.#eofTimer = undefined;
    const channel = this.#channel;
    if (!this.#reading || channel === undefined || channel.closed) return;
    // Closing cancels the read; should it have finished in the race, its data is delivered
    // first (L5), then the end. The peer reads the end of stream too.
    channel.close();
  };

  /** @internal */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#writeChunks([chunk], callback);
  }

  /** @internal Corked or queued writes go to the OS together (see COALESCE_LIMIT). */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: WriteCallback): void {
    this.#writeChunks(
      chunks.map((entry) => entry.chunk),
      callback,
    );
  }

  #writeChunks(chunks: Buffer[], callback: WriteCallback): void {
    if (this.#connecting) {
      this.#queuedWrite = { chunks, callback };
      this.once('connect', this.#sendQueuedWrite);
      return;
    }
    // One send after another; a loop rather than recursion while they finish at once.
    let index = 0;
    let looping = false;
    let finishedInline = false;
    const next = (error?: Error | null): void => {
      if (error) return callback(error);
      if (looping) {
        finishedInline = true;
        return;
      }
      looping = true;
      do {
        finishedInline = false;
        if (index === chunks.length) {
          looping = false;
          return callback();
        }
        let end = index + 1;
        let size = (chunks[index] as Buffer).length;
        while (end < chunks.length && size + (chunks[end] as Buffer).length <= COALESCE_LIMIT) {
          size += (chunks[end] as Buffer).length;
          end++;
        }
        const data =
          end === index + 1 ? (chunks[index] as Buffer) : Buffer.concat(chunks.slice(index, end), size);
        index = end;
        this.#send(data, next);
      } while (finishedInline);
      looping = false;
    };
    next();
  }

  #sendQueuedWrite = (): void => {
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    if (queued !== undefined) this.#writeChunks(queued.chunks, queued.callback);
  };

  #send(data: Buffer, callback: WriteCallback): void {
    const channel = this.#channel;
    if (channel === undefined || channel.closed) {
      callback(codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    if (data.length === 0) {
      callback();
      return;
    }
    this.#bytesDispatched += data.length;
    this.#touch();
    this.#inFlight++;
    // The callback runs at once when the write finishes at once, as net.Socket's does.
    channel.write(data, (_n, error: (Error & { code?: string }) | undefined) => {
      if (channel !== this.#channel) return; // a write of a connection this socket has left
      this.#settled();
      if (error === undefined) {
        this.#touch();
        callback();
      } else if (error.code === 'ABORT_ERR' && this.destroyed) {
        callback(codedError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'));
      } else callback(error);
    });
  }

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

  /** @internal */
  override _final(callback: WriteCallback): void {
    if (this.#connecting) {
      this.once('connect', () => this._final(callback));
      return;
    }
    const channel = this.#channel;
    if (channel === undefined || channel.closed) {
      callback();
      return;
    }
    this.#inFlight++;
    channel.endWrites((error: (Error & { code?: string }) | undefined, halfClosed) => {
      if (channel !== this.#channel) return; // a connection this socket has left
      this.#settled();
      // Linux: a real half-close; the peer reads the end of the stream, we go on reading.
      if (halfClosed) return callback(error);
      // L11, Windows byte pipes: no half-close, and closing now would lose the peer's reply.
      // As libuv: the peer has read everything; keep reading under the eof timer.
      if (this.destroyed) return callback();
      this.#writesFlushed = true;
      if (error !== undefined && error.code !== 'ABORT_ERR') return callback(error);
      callback();
      if (this.#reading) this.#armEofTimer();
    });
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#eofTimer);
    this.#eofTimer = undefined;
    this.#signalCleanup?.();
    this.#signalCleanup = undefined;
    this.#readLoop = false;
    this.#readRequested = false;
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    this.removeListener('connect', this.#sendQueuedWrite);
    // As net.Socket: a socket that never had a pipe (nor tried to connect) closes with no hadError.
    const hadPipe = this.#hadPipe;
    this.#connectAbort?.();
    this.#connecting = false;
    this.#channel?.close();
    // With a read in flight, the buffer comes back when that read settles.
    if (!this.#reading) this.#releaseReadBuffer();
    callback(error);
    // As net.Socket: 'close' follows 'error', once the pipe is closed and its operations have
    // called back (a later loop turn). A write that was waiting for the connect fails then.
    this.#closeDue = { hadError: hadPipe ? Boolean(error) : undefined, queued: queued?.callback };
    if (this.#inFlight === 0) this.#scheduleClose();
  }

  #scheduleClose(): void {
    this.#closeImmediate ??= setImmediate(() => this.#emitClose());
  }

  #emitClose(): void {
    const due = this.#closeDue;
    if (due === undefined) return;
    this.#closeDue = undefined;
    clearImmediate(this.#closeImmediate);
    this.#closeImmediate = undefined;
    const owner = this.#owner;
    this.#owner = undefined;
    if (due.hadError === undefined) this.emit('close');
    else this.emit('close', due.hadError);
    due.queued?.(
      codedError(
        'ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
        'Socket closed before the connection was established',
      ),
    );
    owner?.connectionClosed();
  }

  #touch(): void {
    this.#timer?.refresh();
  }

  /**
   * As `net.Socket.setTimeout`: emits `timeout` after `msecs` without reads or writes (the
   * socket is not closed; do it in the listener). 0 turns it off. The timer never keeps the
   * process alive.
   */
  setTimeout(msecs: number, callback?: () => void): this {
    validateMsecs(msecs);
    if (callback !== undefined) validateFunction(callback, 'callback');
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.timeout = msecs;
    if (msecs === 0) {
      if (callback) this.removeListener('timeout', callback);
      return this;
    }
    if (this.destroyed) return this;
    this.#timer = setTimeout(() => this.emit('timeout'), msecs);
    this.#timer.unref();
    if (callback) this.once('timeout', callback);
    return this;
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

  /** With `onread`, pausing stops reading (the callback's `false` does too), as `net.Socket`. */
  override pause(): this {
    if (this.#onread !== undefined) this.#readLoop = false;
    return super.pause();
  }

  /** With `onread`, resuming starts reading again. */
  override resume(): this {
    super.resume();
    if (this.#onread !== undefined && this.#channel !== undefined && !this.#readLoop && !this.destroyed) {
      this.#readLoop = true;
      if (!this.#reading) process.nextTick(this.#pump);
    }
    return this;
  }

  /** Pending I/O on this socket keeps the process alive (the default). */
  ref(): this {
    this.#refed = true;
    this.#channel?.setRef(true);
    return this;
  }

  /** Lets the process exit even while this socket waits for data. */
  unref(): this {
    this.#refed = false;
    this.#channel?.setRef(false);
    return this;
  }

  /** End the writable side, then destroy once it has finished (as `net.Socket.destroySoon`). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /**
   * As `net.Socket.resetAndDestroy` on a pipe: a pipe has no reset (TCP's RST), so with a pipe it
   * throws `ERR_INVALID_HANDLE_TYPE`; with none, it destroys the socket with `ERR_SOCKET_CLOSED`.
   */
  resetAndDestroy(): this {
    if (this.#channel !== undefined && !this.#channel.closed) {
      throw codedTypeError('ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent');
    }
    this.destroy(codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
    return this;
  }

  /** Pipes have no address: `{}`, as `net.Socket` returns for a pipe. */
  address(): Record<string, never> {
    return {};
  }

  /** Bytes received so far: each `'data'` event's chunk is counted by the time it is emitted. */
  get bytesRead(): number {
    // (Undefined on the prototype, as net.Socket's, rather than a TypeError.)
    if (!(#bytesRead in this)) return undefined as unknown as number;
    return this.#bytesRead;
  }

  /** Bytes written so far, including those still queued or waiting for the connect (as `net.Socket`). */
  get bytesWritten(): number {
    if (!(#bytesDispatched in this)) return undefined as unknown as number;
    let queued = 0;
    for (const chunk of this.#queuedWrite?.chunks ?? []) queued += chunk.length;
    const { writableBuffer } = this as unknown as {
      writableBuffer: { chunk: Buffer | string; encoding: BufferEncoding }[];
    };
    for (const entry of writableBuffer) {
      queued +=
        typeof entry.chunk === 'string' ? Buffer.byteLength(entry.chunk, entry.encoding) : entry.chunk.length;
    }
    return this.#bytesDispatched + queued;
  }

  /**
   * Bytes queued to write (`writableLength`; kept for `net.Socket` compatibility): undefined
   * while the socket has no pipe, as `net.Socket`'s is without a handle.
   */
  get bufferSize(): number | undefined {
    if (!(#channel in this) || this.destroyed || (this.#channel === undefined && !this.#connecting)) {
      return undefined;
    }
    return this.writableLength;
  }

  /** True while a `connect()` is in progress. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True until the socket is connected, and again once it is destroyed (as `net.Socket`). */
  get pending(): boolean {
    return this.#channel === undefined || this.#connecting || this.destroyed;
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`, as `net.Socket`. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  /**
   * The process id at the other end of the pipe (Windows: `GetNamedPipeClientProcessId` /
   * `GetNamedPipeServerProcessId`; Linux: `SO_PEERCRED`). Undefined before the socket connects.
   */
  get peerPid(): number | undefined {
    if (this.#peerPid === undefined && this.#channel !== undefined && !this.#channel.closed) {
      this.#peerPid = this.#channel.peerPid();
    }
    return this.#peerPid;
  }
}

/** `onread` as net.Socket takes it: used only when it has a buffer (or a function) and a callback. */
function usableOnread(onread: PipeSocketOptions['onread']): PipeSocketOptions['onread'] {
  if (onread === null || typeof onread !== 'object') return undefined;
  const { buffer, callback } = onread;
  if (!(buffer instanceof Uint8Array) && typeof buffer !== 'function') return undefined;
  return typeof callback === 'function' ? onread : undefined;
}
