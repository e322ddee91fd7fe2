// PipeSocket: a `net.Socket` for pipes, as a stream.Duplex over the proactor's recv/send.
import { abortError, codedError, codedTypeError, invalidArgType } from '../errors.js';
import { connectWithRetry } from '../engine/busy-connect.js';
import type { Channel } from '../engine/channel.js';
import type { Engine } from '../engine/engine.js';
import { channelOf, PipeHandle } from '../pipe-handle.js';
import { getDefaultProactor } from '../proactor.js';
import { engineOf } from '../proactor-handles.js';
import { validateFunction } from '../validate.js';
import { type ConnectionOwner, validateMsecs } from './internal.js';
import type { Server } from './server.js';
import { DEFAULT_READ_SIZE } from './read-buffers.js';
import { CloseWhenSettled } from './socket-close.js';
import { SocketReader } from './socket-reader.js';
import { SocketSurface } from './socket-surface.js';
import { bufferedBytes, sendCoalesced, type WriteCallback } from './socket-writes.js';
import {
  DEFAULT_EOF_TIMEOUT,
  normalizeConnectArgs,
  type PipeConnectOptions,
  type PipeSocketOptions,
  usableOnread,
  validateSocketOptions,
} from './socket-options.js';

export type { PipeConnectOptions, PipeSocketOptions } from './socket-options.js';
export { DEFAULT_EOF_TIMEOUT } from './socket-options.js';
export { DEFAULT_READ_SIZE } from './read-buffers.js';

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
 * (64 KiB by default), one read in flight while the stream wants data (Windows `ReadFile`,
 * Linux `read`; until the first data, a zero-byte read that holds no buffer); backpressure
 * stops new reads and never cancels one in flight (L6). Queued writes (several `write()`s, or
 * `cork()`/`uncork()`) go to the OS as one write (`WriteFile` / `send`).
 *
 * `end()` differs by platform, as with `node:net`. Linux half-closes (`shutdown`): the peer
 * reads end of stream while this side can still read. Windows byte pipes cannot half-close, so
 * there, as libuv does, `end()` waits until the peer has read everything (`'finish'`) and keeps
 * reading: the stream ends when the peer closes, or once the peer has been quiet for
 * `eofTimeout` ms (default 50) while a read waits, and then the pipe is closed. A reply sent
 * within that time after the peer has read the request always gets through.
 *
 * Errors: a peer that leaves is `'end'`, never an error (DESIGN §4); a write to a peer that has
 * gone is `EPIPE` (Linux may say `ECONNRESET`); connect errors are `connect()`'s. Each is
 * emitted as `'error'`, then `'close'` with `hadError` true. Cancellation: `destroy()` (or the
 * `signal` option) closes the pipe (`CloseHandle` / `close`), which cancels the read and write
 * in flight; a write that had not completed calls back with `ERR_STREAM_DESTROYED`, and
 * `'close'` comes once every operation has called back. The examples on its members take
 * `socket` to be a connected `PipeSocket`.
 *
 * @example
 * ```js
 * import { connect, createServer, pipePath } from 'proactor';
 * const server = createServer((peer) => peer.end('hello')).listen(pipePath('demo'));
 * const socket = connect({ path: pipePath('demo'), timeout: 5000 }, () => socket.end('hi'));
 * socket.on('data', (data) => console.log(data.toString())); // hello
 * socket.on('close', () => server.close());
 * ```
 */
export class PipeSocket extends SocketSurface {
  #engine: Engine;
  #channel: Channel | undefined;
  #connecting = false;
  #connectAbort: (() => void) | undefined;
  #hadPipe = false; // connected, or tried to: 'close' then says whether it ended in an error
  // A write waiting for the connect: sent from a 'connect' listener added when it was queued (as
  // net.Socket does, so listeners added before it run first); failed if destroyed first.
  #queuedWrite: { chunks: Buffer[]; callback: WriteCallback } | undefined;
  #reader: SocketReader;
  #bytesDispatched = 0;
  #timer: NodeJS.Timeout | undefined;
  #refed = true;
  #peerPid: number | undefined;
  #owner: ConnectionOwner<Server> | undefined;
  #signalCleanup: (() => void) | undefined;
  #closeGate = new CloseWhenSettled();

  /** The idle timeout set with `setTimeout`, in milliseconds (undefined until set). No OS call. */
  timeout: number | undefined;

  /** The server that accepted this socket, for server-side sockets (as `net.Socket.server`). */
  server: Server | undefined;

  /**
   * As `new net.Socket(options)`: a socket that is not connected yet (call `connect()`), or one
   * that wraps `options.handle`. No OS call, unless `handle` is a raw OS handle, which is adopted
   * (`Proactor.adoptHandle`: Windows `GetNamedPipeInfo` and `CreateIoCompletionPort`, Linux
   * `fcntl`).
   *
   * Errors, thrown: options, `handle`, `signal` or `eofTimeout` of the wrong type
   * `ERR_INVALID_ARG_TYPE`; a negative `eofTimeout` `ERR_OUT_OF_RANGE`; an object mode
   * `ERR_INVALID_ARG_VALUE`; what `adoptHandle` throws for a raw handle. Cancellation: an aborted
   * `signal` destroys the socket (with an `AbortError`) on the next tick.
   *
   * @example
   * ```js
   * import { PipeSocket, getDefaultProactor, pipePath } from 'proactor';
   * const proactor = getDefaultProactor();
   * const instance = await proactor.createPipeInstance(pipePath('wrap'));
   * const accepted = proactor.acceptPipe(instance);
   * const client = new PipeSocket().connect(pipePath('wrap'));
   * const handle = await accepted;
   * if (handle !== instance) proactor.closeHandle(instance); // Linux: the listener
   * new PipeSocket({ handle }).end('hi'); // a PipeHandle, as a stream
   * client.on('data', (data) => console.log(data.toString())); // hi
   * ```
   */
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
    this.#reader = new SocketReader(
      {
        stream: this,
        channel: () => this.#channel,
        started: () => this.#closeGate.started(),
        settled: () => this.#closeGate.settled(),
        active: () => this.#touch(),
      },
      {
        readSize: Math.max(1, this.readableHighWaterMark),
        eofTimeout: opts.eofTimeout ?? DEFAULT_EOF_TIMEOUT,
        onread: usableOnread(opts.onread),
      },
    );
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
   * are queued and sent once it is. A socket that has closed may connect again, as a
   * `net.Socket` may. Windows: `CreateFileW` on the pipe name; Linux: a non-blocking `connect`
   * on an `AF_UNIX` socket, then `getsockopt(SO_ERROR)`. A busy server is tried again from 1 ms,
   * doubling to 100 ms (L7), with no thread waiting.
   *
   * Errors: thrown, bad arguments as `connect()` (the function) says; already connecting
   * `ERR_SOCKET_CONNECTING`; already connected `ERR_SOCKET_CLOSED`. Emitted as `'error'`,
   * destroying the socket (`syscall` `connect`, `address` the path): no server `ENOENT`; a socket
   * file nobody listens on `ECONNREFUSED`, or a server that closed with us queued `ECONNRESET`
   * (Linux); not allowed `EACCES`; `timeout` passed `ETIMEDOUT`; `signal` aborted `AbortError`.
   * Cancellation: `destroy()` or `signal` stops the connect at once, retries included; a write
   * queued for it calls back with `ERR_SOCKET_CLOSED_BEFORE_CONNECTION`.
   *
   * @example
   * ```js
   * import { PipeSocket, createServer, pipePath } from 'proactor';
   * const server = createServer((peer) => peer.end()).listen(pipePath('again'));
   * const socket = new PipeSocket();
   * socket.connect({ path: pipePath('again'), timeout: 5000 }, () => console.log('connected'));
   * socket.resume().on('close', () => server.close());
   * ```
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
    this.#reader.connected();
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
    this.#closeGate.now();
    this.#reader.reset();
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#channel = undefined;
    this.#peerPid = undefined;
    this.#bytesDispatched = 0;
  }

  /** @internal */
  override _read(): void {
    this.#reader.request();
  }

  /** @internal */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#writeChunks([chunk], callback);
  }

  /** @internal Corked or queued writes go to the OS together (see socket-writes.ts). */
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
    sendCoalesced(chunks, this.#send, callback);
  }

  #sendQueuedWrite = (): void => {
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    if (queued !== undefined) this.#writeChunks(queued.chunks, queued.callback);
  };

  #send = (data: Buffer, callback: WriteCallback): void => {
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
    this.#closeGate.started();
    // The callback runs at once when the write finishes at once, as net.Socket's does.
    channel.write(data, (_n, error: (Error & { code?: string }) | undefined) => {
      if (channel !== this.#channel) return; // a write of a connection this socket has left
      this.#closeGate.settled();
      if (error === undefined) {
        this.#touch();
        callback();
      } else if (error.code === 'ABORT_ERR' && this.destroyed) {
        callback(codedError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'));
      } else callback(error);
    });
  };

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
    this.#closeGate.started();
    channel.endWrites((error: (Error & { code?: string }) | undefined, halfClosed) => {
      if (channel !== this.#channel) return; // a connection this socket has left
      this.#closeGate.settled();
      // Linux: a real half-close; the peer reads the end of the stream, we go on reading.
      if (halfClosed) return callback(error);
      // L11, Windows byte pipes: no half-close, and closing now would lose the peer's reply.
      // As libuv: the peer has read everything; keep reading under the eof timer.
      if (this.destroyed) return callback();
      this.#reader.writesFlushed();
      if (error !== undefined && error.code !== 'ABORT_ERR') return callback(error);
      callback();
      this.#reader.armEofTimer();
    });
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signalCleanup?.();
    this.#signalCleanup = undefined;
    this.#reader.stop();
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    this.removeListener('connect', this.#sendQueuedWrite);
    // As net.Socket: a socket that never had a pipe (nor tried to connect) closes with no hadError.
    const hadPipe = this.#hadPipe;
    this.#connectAbort?.();
    this.#connecting = false;
    this.#channel?.close();
    callback(error);
    // As net.Socket: 'close' follows 'error', once the pipe is closed and its operations have
    // called back (a later loop turn). A write that was waiting for the connect fails then.
    const hadError = hadPipe ? Boolean(error) : undefined;
    this.#closeGate.due(() => this.#emitClose(hadError, queued?.callback));
  }

  #emitClose(hadError: boolean | undefined, queued: WriteCallback | undefined): void {
    const owner = this.#owner;
    this.#owner = undefined;
    if (hadError === undefined) this.emit('close');
    else this.emit('close', hadError);
    queued?.(
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
   * process alive. No OS call (a JS timer).
   *
   * Errors: thrown, as `net.Socket`: `msecs` not a number `ERR_INVALID_ARG_TYPE`, negative or
   * not finite `ERR_OUT_OF_RANGE`; a callback that is no function `ERR_INVALID_ARG_TYPE`.
   *
   * @example
   * ```js
   * socket.setTimeout(30_000, () => socket.destroy());
   * ```
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

  /**
   * As `Readable.pause()`; with `onread`, pausing stops reading (the callback's `false` does
   * too), as `net.Socket`. No OS call: no new read starts, and one in flight stays (L6).
   * Errors: none.
   */
  override pause(): this {
    this.#reader.pause();
    return super.pause();
  }

  /** As `Readable.resume()`; with `onread`, resuming starts reading again. No OS call; errors: none. */
  override resume(): this {
    super.resume();
    this.#reader.resume();
    return this;
  }

  /**
   * Pending I/O on this socket keeps the process alive (the default), as `net.Socket.ref()`.
   * No OS call (the proactor's count of referenced operations); errors: none.
   */
  ref(): this {
    this.#refed = true;
    this.#channel?.setRef(true);
    return this;
  }

  /**
   * Lets the process exit even while this socket waits for data, as `net.Socket.unref()`. No OS
   * call; errors: none.
   */
  unref(): this {
    this.#refed = false;
    this.#channel?.setRef(false);
    return this;
  }

  /**
   * As `net.Socket.resetAndDestroy` on a pipe: a pipe has no reset (TCP's RST), so with a pipe it
   * throws `ERR_INVALID_HANDLE_TYPE`; with none, it destroys the socket with `ERR_SOCKET_CLOSED`.
   * No OS call. Errors: those two.
   */
  resetAndDestroy(): this {
    if (this.#channel !== undefined && !this.#channel.closed) {
      throw codedTypeError('ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent');
    }
    this.destroy(codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
    return this;
  }

  /** Bytes received so far: each `'data'` event's chunk is counted by the time it is emitted. No OS call. */
  get bytesRead(): number {
    // (Undefined on the prototype, as net.Socket's, rather than a TypeError.)
    if (!(#reader in this)) return undefined as unknown as number;
    return this.#reader.bytesRead;
  }

  /**
   * Bytes written so far, including those still queued or waiting for the connect (as
   * `net.Socket`). No OS call.
   */
  get bytesWritten(): number {
    if (!(#bytesDispatched in this)) return undefined as unknown as number;
    let queued = bufferedBytes(this);
    for (const chunk of this.#queuedWrite?.chunks ?? []) queued += chunk.length;
    return this.#bytesDispatched + queued;
  }

  /**
   * Bytes queued to write (`writableLength`; kept for `net.Socket` compatibility): undefined
   * while the socket has no pipe, as `net.Socket`'s is without a handle. No OS call.
   */
  get bufferSize(): number | undefined {
    if (!(#channel in this) || this.destroyed || (this.#channel === undefined && !this.#connecting)) {
      return undefined;
    }
    return this.writableLength;
  }

  /** True while a `connect()` is in progress. No OS call. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True until the socket is connected, and again once it is destroyed (as `net.Socket`). No OS call. */
  get pending(): boolean {
    return this.#channel === undefined || this.#connecting || this.destroyed;
  }

  /**
   * The process id at the other end of the pipe (Windows: `GetNamedPipeClientProcessId` /
   * `GetNamedPipeServerProcessId`; Linux: `getsockopt(SO_PEERCRED)`), asked once and kept.
   * Undefined before the socket connects (and after it closed, unless asked before). Not in
   * `node:net`. Errors: throws what the OS says (see `Proactor.peerPid`).
   *
   * @example
   * ```js
   * import { createServer, pipePath } from 'proactor';
   * const server = createServer((socket) => console.log('client pid', socket.peerPid));
   * ```
   */
  get peerPid(): number | undefined {
    if (this.#peerPid === undefined && this.#channel !== undefined && !this.#channel.closed) {
      this.#peerPid = this.#channel.peerPid();
    }
    return this.#peerPid;
  }
}
