// PipeSocket: a `net.Socket` for pipes, as a stream.Duplex over the proactor's recv/send. It
// puts together its parts, each in a file of its own: the pipe and connecting to it
// (socket-connection.ts), reading (socket-reader.ts), writing (socket-writes.ts), the idle
// timeout (socket-idle.ts), when 'close' comes (socket-close.ts), and the members of net.Socket
// that need no pipe (socket-surface.ts).
import { abortError, codedError, codedTypeError } from '../errors.js';
import type { Channel } from '../engine/channel.js';
import { channelOf, PipeHandle } from '../pipe-handle.js';
import { getDefaultProactor } from '../proactor.js';
import { engineOf } from '../proactor-handles.js';
import { validateFunction } from '../validate.js';
import { type ConnectionOwner, onAbort, validateMsecs } from './internal.js';
import type { Server } from './server.js';
import { CloseWhenSettled } from './socket-close.js';
import { SocketConnection } from './socket-connection.js';
import type { SocketHost } from './socket-host.js';
import { IdleTimeout } from './socket-idle.js';
import { SocketReader } from './socket-reader.js';
import { SocketSurface } from './socket-surface.js';
import { bufferedBytes, SocketWriter, type WriteCallback } from './socket-writes.js';
import {
  checkedSocketOptions,
  DEFAULT_EOF_TIMEOUT,
  duplexOptions,
  normalizeConnectArgs,
  type PipeConnectOptions,
  type PipeSocketOptions,
  usableOnread,
} from './socket-options.js';

export type { PipeConnectOptions, PipeSocketOptions } from './socket-options.js';
export { DEFAULT_EOF_TIMEOUT } from './socket-options.js';
export { DEFAULT_READ_SIZE } from './read-buffers.js';

let attachAcceptedSocket: (socket: PipeSocket, channel: Channel, owner: ConnectionOwner<Server>) => void;

/** @internal A new socket takes the pipe its server accepted (for lib/streams/server.ts). */
export function attachAccepted(socket: PipeSocket, channel: Channel, owner: ConnectionOwner<Server>): void {
  attachAcceptedSocket(socket, channel, owner);
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
  #connection: SocketConnection;
  #reader: SocketReader;
  #writer: SocketWriter;
  #idle = new IdleTimeout(this);
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
    const opts = checkedSocketOptions(options);
    const { handle, signal } = opts;
    const proactor = opts.proactor ?? getDefaultProactor();
    super(duplexOptions(opts));
    this.#connection = new SocketConnection(
      {
        stream: this,
        connected: (timeout) => this.#connected(timeout),
        write: (chunks, callback) => this.#writeChunks(chunks, callback),
      },
      engineOf(proactor),
    );
    const host: SocketHost = {
      stream: this,
      channel: () => this.#connection.channel,
      started: () => this.#closeGate.started(),
      settled: () => this.#closeGate.settled(),
      active: () => this.#idle.touch(),
    };
    this.#reader = new SocketReader(host, {
      readSize: Math.max(1, this.readableHighWaterMark),
      eofTimeout: opts.eofTimeout ?? DEFAULT_EOF_TIMEOUT,
      onread: usableOnread(opts.onread),
    });
    this.#writer = new SocketWriter(host, this.#reader);
    if (handle !== undefined) {
      this.#connection.attach(
        channelOf(handle instanceof PipeHandle ? handle : proactor.adoptHandle(handle)),
      );
      if (opts.pauseOnCreate) this.pause();
      else this.read(0);
    }
    if (signal !== undefined) this.#watchSignal(signal);
  }

  static {
    attachAcceptedSocket = (socket, channel, owner) => {
      socket.#connection.attach(channel);
      socket.#owner = owner;
      socket.server = owner.server;
    };
  }

  #watchSignal(signal: AbortSignal): void {
    this.#signalCleanup = onAbort(signal, () => this.destroy(abortError(signal)));
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
    const connection = this.#connection;
    if (connection.connecting) throw codedError('ERR_SOCKET_CONNECTING', 'Socket is already connecting');
    if (this.destroyed) this.#reset();
    else if (connection.channel !== undefined) throw codedError('ERR_SOCKET_CLOSED', 'Socket is closed');
    if (connectListener) this.once('connect', connectListener);
    if (signal !== undefined && this.#signalCleanup === undefined) this.#watchSignal(signal);
    connection.connect(path, timeout, invalid);
    return this;
  }

  // The connect succeeded (socket-connection.ts has taken the pipe).
  #connected(timeout: number | undefined): void {
    if (timeout !== undefined) this.setTimeout(timeout);
    this.emit('connect');
    this.emit('ready');
    this.#reader.connected();
  }

  // A socket that closed, made new for another connect (net.Socket's _undestroy).
  #reset(): void {
    // Its 'close' belongs to the old connection, so it goes first; what is still in flight on
    // the old pipe calls back into nothing.
    this.#closeGate.now();
    this.#reader.reset();
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#connection.reset();
    this.#writer.reset();
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
    if (this.#connection.connecting) this.#connection.queueWrite(chunks, callback);
    else this.#writer.write(chunks, callback);
  }

  /** @internal */
  override _final(callback: WriteCallback): void {
    if (this.#connection.connecting) this.once('connect', () => this._final(callback));
    else this.#writer.end(callback);
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#idle.stop();
    this.#signalCleanup?.();
    this.#signalCleanup = undefined;
    this.#reader.stop();
    const { hadPipe, queued } = this.#connection.close();
    callback(error);
    // As net.Socket: 'close' follows 'error', once the pipe is closed and its operations have
    // called back (a later loop turn). A write that was waiting for the connect fails then. A
    // socket that never had a pipe (nor tried to connect) closes with no hadError.
    const hadError = hadPipe ? Boolean(error) : undefined;
    this.#closeGate.due(() => this.#emitClose(hadError, queued));
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
    this.timeout = msecs;
    this.#idle.set(msecs, callback);
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
    this.#connection.setRef(true);
    return this;
  }

  /**
   * Lets the process exit even while this socket waits for data, as `net.Socket.unref()`. No OS
   * call; errors: none.
   */
  unref(): this {
    this.#connection.setRef(false);
    return this;
  }

  /**
   * As `net.Socket.resetAndDestroy` on a pipe: a pipe has no reset (TCP's RST), so with a pipe it
   * throws `ERR_INVALID_HANDLE_TYPE`; with none, it destroys the socket with `ERR_SOCKET_CLOSED`.
   * No OS call. Errors: those two.
   */
  resetAndDestroy(): this {
    const channel = this.#connection.channel;
    if (channel !== undefined && !channel.closed) {
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
    if (!(#writer in this)) return undefined as unknown as number;
    return this.#writer.bytesDispatched + bufferedBytes(this) + this.#connection.queuedBytes;
  }

  /**
   * Bytes queued to write (`writableLength`; kept for `net.Socket` compatibility): undefined
   * while the socket has no pipe, as `net.Socket`'s is without a handle. No OS call.
   */
  get bufferSize(): number | undefined {
    if (!(#connection in this) || this.destroyed) return undefined;
    const { channel, connecting } = this.#connection;
    return channel === undefined && !connecting ? undefined : this.writableLength;
  }

  /** True while a `connect()` is in progress. No OS call. */
  get connecting(): boolean {
    return this.#connection.connecting;
  }

  /** True until the socket is connected, and again once it is destroyed (as `net.Socket`). No OS call. */
  get pending(): boolean {
    return this.#connection.channel === undefined || this.#connection.connecting || this.destroyed;
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
    return this.#connection.peerPid;
  }
}
