// PipeSocket: a `net.Socket` for pipes, as a stream.Duplex over the proactor's recv/send.
import { Duplex } from 'node:stream';
import { abortError, codedError, invalidArgType } from '../errors.js';
import { getDefaultProactor, kConnect, kIo, PipeHandle, type Proactor } from '../proactor.js';
import { validateFunction, validateSignal } from '../validate.js';
import { type ConnectionOwner, kConnectionClosed, validateMsecs } from './internal.js';
import { DEFAULT_READ_SIZE, giveBackReadBuffer, takeReadBuffer } from './read-buffers.js';
import { normalizeConnectArgs, type PipeConnectOptions, type PipeSocketOptions } from './socket-options.js';

export type { PipeConnectOptions, PipeSocketOptions } from './socket-options.js';
export { DEFAULT_READ_SIZE } from './read-buffers.js';

const NO_BYTES = new Uint8Array(0);

type WriteCallback = (error?: Error | null) => void;

// Set only while acceptedSocket() constructs: the first read waits for the server's
// 'connection' listeners, so a connection they destroy at once never starts one.
let deferFirstRead = false;

/**
 * @internal A server's socket for an accepted pipe, whose reading starts (unless paused) once
 * `announce` (which emits 'connection') has returned.
 */
export function acceptedSocket(
  options: PipeSocketOptions,
  announce: (socket: PipeSocket) => void,
): PipeSocket {
  deferFirstRead = true;
  let socket: PipeSocket;
  try {
    socket = new PipeSocket(options);
  } finally {
    deferFirstRead = false;
  }
  announce(socket);
  if (!options.pauseOnCreate && !socket.destroyed) socket.read(0);
  return socket;
}

/**
 * A connected pipe, as `net.Socket` is for pipes: a `stream.Duplex` with the same events
 * (`connect`, `ready`, `data`, `end`, `finish`, `drain`, `timeout`, `error`, `close(hadError)`)
 * and methods. Reads go straight from the OS into buffers of `readableHighWaterMark` bytes
 * (64 KiB by default); `pause()` stops issuing reads and never cancels one in flight. Queued
 * writes (several `write()`s, or `cork()`/`uncork()`) go to the OS as one write.
 *
 * `end()` differs by platform, as with `node:net`: on Linux it half-closes (`shutdown`), so the
 * peer reads end of stream while this side can still read; Windows byte pipes cannot half-close,
 * so there `end()` waits for the writes to finish and then closes the pipe.
 *
 * ```js
 * import { connect, pipePath } from 'proactor';
 * const socket = connect({ path: pipePath('demo'), timeout: 5000 }, () => socket.end('hi'));
 * socket.on('data', (data) => console.log(data.toString()));
 * ```
 */
export class PipeSocket extends Duplex {
  #proactor: Proactor;
  #handle: PipeHandle | undefined;
  #connecting = false;
  #connectAbort: (() => void) | undefined;
  #pendingWrite: (() => void) | undefined;
  #reading = false;
  #readRequested = false;
  #readBuffer: Buffer | undefined;
  #talking = false;
  #readSize: number;
  #writeClosed = false;
  #peerEnded = false;
  #bytesRead = 0;
  #bytesDispatched = 0;
  #timer: NodeJS.Timeout | undefined;
  #refed = true;
  #peerPid: number | undefined;
  #owner: ConnectionOwner | undefined;

  /** The idle timeout set with `setTimeout`, in milliseconds (undefined until set). */
  timeout: number | undefined;

  /** The server that accepted this socket, for server-side sockets. */
  server: ConnectionOwner | undefined;

  constructor(options?: PipeSocketOptions) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgType('options', 'of type object', options);
    }
    const opts = options ?? {};
    validateSignal(opts.signal, 'options.signal');
    const handle = opts.handle;
    if (
      handle !== undefined &&
      !(handle instanceof PipeHandle) &&
      typeof handle !== 'number' &&
      typeof handle !== 'bigint'
    ) {
      throw invalidArgType('options.handle', 'a PipeHandle, a number or a bigint', handle);
    }
    const proactor = opts.proactor ?? getDefaultProactor();
    super({
      ...opts,
      readableHighWaterMark: opts.readableHighWaterMark ?? DEFAULT_READ_SIZE,
      allowHalfOpen: Boolean(opts.allowHalfOpen),
      // As net.Socket: 'close' is ours to emit, with hadError, once the handle is closed.
      emitClose: false,
      autoDestroy: true,
    });
    this.#proactor = proactor;
    this.#readSize = Math.max(1, this.readableHighWaterMark);
    if (handle !== undefined) {
      this.#attach(handle instanceof PipeHandle ? handle : proactor.adoptHandle(handle));
      if (opts.pauseOnCreate) this.pause();
      else if (!deferFirstRead) this.read(0);
    }
    const signal = opts.signal;
    if (signal !== undefined) {
      if (signal.aborted) process.nextTick(() => this.destroy(abortError(signal)));
      else {
        const onAbort = (): void => {
          this.destroy(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  /**
   * Connects to a pipe server: `connect(path[, listener])` or `connect({ path, timeout, signal
   * }[, listener])`. `listener` is added for `connect`. Writes made before the connection is up
   * are queued and sent once it is. Errors (`ENOENT`, `ETIMEDOUT`, `AbortError`, ...) destroy the
   * socket and are emitted as `error`.
   */
  connect(options: string | PipeConnectOptions, connectListener?: () => void): this {
    const { path, timeout, signal } = normalizeConnectArgs(options);
    if (connectListener !== undefined) {
      validateFunction(connectListener, 'connectListener');
    }
    if (this.#connecting) throw codedError('ERR_SOCKET_CONNECTING', 'Socket is already connecting');
    if (this.#handle !== undefined || this.destroyed) {
      throw codedError('ERR_SOCKET_CLOSED', 'Socket is closed');
    }
    if (connectListener) this.once('connect', connectListener);
    this.#connecting = true;
    const connecting = this.#proactor[kConnect](path, timeout, signal);
    this.#connectAbort = connecting.abort;
    connecting.promise.then(
      (handle) => {
        this.#connecting = false;
        this.#connectAbort = undefined;
        if (this.destroyed) {
          this.#proactor.closeHandle(handle);
          return;
        }
        this.#attach(handle);
        if (timeout !== undefined) this.setTimeout(timeout);
        const write = this.#pendingWrite;
        this.#pendingWrite = undefined;
        write?.();
        this.emit('connect');
        this.emit('ready');
        if (this.#readRequested) {
          this.#readRequested = false;
          this._read();
        } else if (this.readable && !this.isPaused()) this.read(0);
      },
      (error: Error) => {
        this.#connecting = false;
        this.#connectAbort = undefined;
        if (!this.destroyed) this.destroy(signal?.aborted ? abortError(signal) : error);
      },
    );
    return this;
  }

  #attach(handle: PipeHandle): void {
    this.#handle = handle;
    if (!this.#refed) this.#proactor.unrefHandle(handle);
  }

  /** @internal */
  override _read(): void {
    const handle = this.#handle;
    if (handle === undefined) {
      // Readable asked while connecting: it will not ask again until we push, so read once
      // connected.
      this.#readRequested = true;
      return;
    }
    if (this.#reading) return;
    if (handle.closed) {
      // Windows end(): the pipe was closed after the last write; nothing more can arrive.
      if (this.#writeClosed) this.#endReadable();
      return;
    }
    this.#reading = true;
    if (this.#talking) this.#recv(handle);
    // Until the first data, wait with no buffer (a zero-byte read), so a connection that never
    // talks, or closes at once, holds no read buffer. The read that follows finds the data.
    else this.#proactor[kIo]('readable', handle, NO_BYTES, this.#onReadable);
  }

  #onReadable = (_value: number, error?: Error): void => {
    if (error !== undefined) this.#onReadError(error);
    else if (this.destroyed) {
      this.#reading = false;
      this.#releaseReadBuffer();
    } else this.#recv(this.#handle as PipeHandle);
  };

  #recv(handle: PipeHandle): void {
    if (handle.closed) {
      this.#reading = false;
      if (this.#writeClosed) this.#endReadable();
      return;
    }
    const buffer = (this.#readBuffer ??= takeReadBuffer(this.#readSize));
    // Settles at once when the data is there (most reads of a busy connection).
    this.#proactor[kIo]('recv', handle, buffer, (n, error) => {
      if (error !== undefined) return this.#onReadError(error);
      this.#reading = false;
      if (this.destroyed) return this.#releaseReadBuffer();
      if (n === 0) return this.#onEnd();
      this.#bytesRead += n;
      this.#touch();
      // A connection that has delivered data will likely deliver more: from now on read
      // straight into the buffer (one operation per read, not two).
      this.#talking = true;
      let chunk: Buffer;
      if (n < buffer.length >>> 2) {
        // A small read: copy it out and keep the big buffer for the next read, rather than
        // pinning 64 KiB behind a few bytes.
        chunk = Buffer.from(buffer.subarray(0, n));
      } else {
        chunk = buffer.subarray(0, n);
        this.#readBuffer = undefined;
      }
      this.push(chunk);
    });
  }

  #onReadError(error: Error & { code?: string }): void {
    this.#reading = false;
    if (this.destroyed) {
      this.#releaseReadBuffer();
      return;
    }
    // Our own close after end() (Windows) cancels the read: that is the end of the stream.
    if (error.code === 'ABORT_ERR' && this.#writeClosed) this.#endReadable();
    else this.destroy(error);
  }

  // After the last read settled: the socket's buffer can serve another socket.
  #releaseReadBuffer(): void {
    const buffer = this.#readBuffer;
    this.#readBuffer = undefined;
    if (buffer !== undefined) giveBackReadBuffer(buffer);
  }

  #onEnd(): void {
    this.#peerEnded = true;
    this.#endReadable();
  }

  #endReadable(): void {
    this.push(null);
    // As net.Socket: with nothing buffered, 'end' is emitted even if nobody reads.
    this.read(0);
  }

  /** @internal */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#send(chunk, callback);
  }

  /** @internal Corked or queued writes go to the OS as one buffer: one system call. */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: WriteCallback): void {
    const data =
      chunks.length === 1
        ? (chunks[0] as { chunk: Buffer }).chunk
        : Buffer.concat(chunks.map((c) => c.chunk));
    this.#send(data, callback);
  }

  #send(data: Buffer, callback: WriteCallback): void {
    if (this.#connecting) {
      this.#pendingWrite = () => this.#send(data, callback);
      return;
    }
    const handle = this.#handle;
    if (handle === undefined || handle.closed) {
      callback(codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    if (data.length === 0) {
      callback();
      return;
    }
    this.#bytesDispatched += data.length;
    this.#touch();
    // The callback runs at once when the write finishes at once, as net.Socket's does.
    this.#proactor[kIo]('send', handle, data, (_n, error?: Error & { code?: string }) => {
      if (error === undefined) {
        this.#touch();
        callback();
      } else if (error.code === 'ABORT_ERR' && this.destroyed) {
        callback(codedError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'));
      } else callback(error);
    });
  }

  /**
   * As `net.Socket`: after the peer has ended (and with `allowHalfOpen` false this socket has
   * ended too), a write fails with `EPIPE` and destroys the socket.
   */
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    if (this.#peerEnded && this.writableEnded) {
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
    const handle = this.#handle;
    if (handle === undefined || handle.closed) {
      callback();
      return;
    }
    if (process.platform === 'win32') {
      // No half-close on a byte pipe: every write has completed, so close; the peer reads the
      // buffered data and then end of stream. Our side's reading ends with it.
      this.#writeClosed = true;
      this.#proactor.closeHandle(handle);
      callback();
      if (!this.#reading && !this.readableEnded) this.read(0);
      return;
    }
    try {
      this.#proactor.shutdownWrite(handle);
    } catch (error) {
      // The peer is already gone: nothing left to shut down.
      if ((error as { code?: string }).code !== 'ENOTCONN') {
        callback(error as Error);
        return;
      }
    }
    callback();
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pendingWrite = undefined;
    this.#connectAbort?.();
    this.#connecting = false;
    const handle = this.#handle;
    if (handle !== undefined && !handle.closed) this.#proactor.closeHandle(handle);
    // With a read in flight, the buffer comes back when that read settles.
    if (!this.#reading) this.#releaseReadBuffer();
    callback(error);
    const owner = this.#owner;
    this.#owner = undefined;
    // As net.Socket: 'close' follows 'error', once the handle is closed (a later loop turn).
    setImmediate(() => {
      this.emit('close', Boolean(error));
      owner?.[kConnectionClosed]();
    });
  }

  /** @internal Registers the server that counts this socket among its connections. */
  ownedBy(owner: ConnectionOwner): void {
    this.#owner = owner;
    this.server = owner;
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

  /** Pending I/O on this socket keeps the process alive (the default). */
  ref(): this {
    this.#refed = true;
    if (this.#handle !== undefined && !this.#handle.closed) this.#proactor.refHandle(this.#handle);
    return this;
  }

  /** Lets the process exit even while this socket waits for data. */
  unref(): this {
    this.#refed = false;
    if (this.#handle !== undefined && !this.#handle.closed) this.#proactor.unrefHandle(this.#handle);
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

  /** Bytes received so far. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes written so far, including those still queued (as `net.Socket`). */
  get bytesWritten(): number {
    let queued = 0;
    const { writableBuffer } = this as unknown as {
      writableBuffer: { chunk: Buffer | string; encoding: BufferEncoding }[];
    };
    for (const entry of writableBuffer) {
      queued +=
        typeof entry.chunk === 'string' ? Buffer.byteLength(entry.chunk, entry.encoding) : entry.chunk.length;
    }
    return this.#bytesDispatched + queued;
  }

  /** Bytes queued to write (`writableLength`; kept for `net.Socket` compatibility). */
  get bufferSize(): number {
    return this.writableLength;
  }

  /** True while a `connect()` is in progress. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True until the socket is connected (or while it has no pipe). */
  get pending(): boolean {
    return this.#handle === undefined || this.#connecting;
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
    if (this.#peerPid === undefined && this.#handle !== undefined && !this.#handle.closed) {
      this.#peerPid = this.#proactor.peerPid(this.#handle);
    }
    return this.#peerPid;
  }
}
