// A channel: one open pipe of an engine (a server instance, an accepted connection, a client,
// or an adopted OS handle), with everything the layers above do to it. Each operation takes the
// engine's one completion path and calls its `done` exactly once: at once when the OS finished
// it at once, else from the batch that completes it. Internal (see engine.ts).
import { type SystemError, systemErrorByName } from '../errors.js';
import type { Done, Engine, OperationInfo, Settle } from './engine.js';
import { IOCP } from './platform.js';

const NO_BYTES = new Uint8Array(0);
const READ: OperationInfo = { syscall: 'read' };
const WRITE: OperationInfo = { syscall: 'write' };

/** `accept`'s result: the connection, or the error. */
export type AcceptDone = Settle<Channel | undefined>;

/**
 * `endWrites`' result. `halfClosed`: the OS half-closed the pipe (Linux), so the peer reads end
 * of stream and reading here goes on as before. Otherwise (Windows byte pipes cannot half-close)
 * the writes were only flushed, and the caller ends the connection when it is done reading (L11).
 */
export type EndWritesDone = (error: Error | undefined, halfClosed: boolean) => void;

export class Channel {
  #closed = false;
  /** A client's end (from a connect), as opposed to a server's instance or connection. */
  isClient = false;

  constructor(
    readonly engine: Engine,
    /** The engine's id for the handle. */
    readonly id: number,
    /** The pipe path it was created for or connected to ('' when adopted without one). */
    readonly path: string,
  ) {}

  /** True once closed, by `close()` or by the engine's. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Reads into `buffer`: the byte count, 0 at end of stream (a peer that left is not an error). */
  read(buffer: Uint8Array, done: Done, signal?: AbortSignal): number {
    if (this.#refused(done, 'read')) return 0;
    const { engine } = this;
    const id = engine.native.recv(this.id, buffer, 0, buffer.byteLength);
    return engine.submit(id, signal ? { syscall: 'read', signal } : READ, done);
  }

  /** Completes once there is data to read or the stream has ended, holding no buffer meanwhile. */
  waitReadable(done: Done, signal?: AbortSignal): number {
    if (this.#refused(done, 'read')) return 0;
    const { engine } = this;
    const id = engine.native.recv(this.id, NO_BYTES, 0, 0);
    return engine.submit(id, signal ? { syscall: 'read', signal } : READ, done);
  }

  /** Writes all of `buffer`: the byte count. */
  write(buffer: Uint8Array, done: Done, signal?: AbortSignal): number {
    if (this.#refused(done, 'write')) return 0;
    const { engine } = this;
    const id = engine.native.send(this.id, buffer, 0, buffer.byteLength);
    return engine.submit(id, signal ? { syscall: 'write', signal } : WRITE, done);
  }

  /** Completes once the peer has read everything written before it, or has gone. */
  flush(done: Done, signal?: AbortSignal): number {
    if (this.#refused(done, 'flush')) return 0;
    const { engine } = this;
    return engine.submit(
      engine.native.flush(this.id),
      { syscall: 'flush', address: this.path, signal },
      done,
    );
  }

  /**
   * Waits for a client on this server instance. Windows: the instance itself becomes the
   * connection (so `connection` is this channel); Linux: a new channel for the accepted socket.
   */
  accept(done: AcceptDone, signal?: AbortSignal): number {
    const settle: Done = (value, error) =>
      error === undefined ? done(this.engine.channel(value, this.path), undefined) : done(undefined, error);
    if (this.#refused(settle, 'accept')) return 0;
    const { engine } = this;
    return engine.submit(
      engine.native.accept(this.id),
      { syscall: 'accept', address: this.path, signal },
      settle,
    );
  }

  /**
   * Ends this side's writes, whatever the platform can do. Linux: `shutdown(SHUT_WR)`, a real
   * half-close, done at once (a peer already gone counts as done). Windows byte pipes cannot
   * half-close: as libuv, this waits until the peer has read everything (`flush`) instead.
   */
  endWrites(done: EndWritesDone): void {
    if (this.#closed || this.engine.closed) return done(undefined, true);
    const error = this.#shutdown();
    if (error === undefined || error.code === 'ENOTCONN') return done(undefined, true);
    if (error.code !== 'ENOTSUP') return done(error, true);
    this.flush((_value, flushError) => done(flushError, false));
  }

  /** Half-closes: `shutdown(SHUT_WR)`. Throws what the OS says (Windows byte pipes: `ENOTSUP`). */
  shutdown(): void {
    const error = this.#shutdown();
    if (error !== undefined) throw error;
  }

  #shutdown(): SystemError | undefined {
    if (this.engine.native.shutdownWrite(this.id) >= 0) return undefined;
    return this.engine.scratchError('shutdown', this.path);
  }

  /**
   * An error the OS holds for a new connection, or undefined (Linux: a server that closed with
   * us still queued, `ECONNRESET`, read from `SO_ERROR` as libuv checks before its connect
   * callback).
   */
  pendingError(): Error | undefined {
    if (this.#closed || this.engine.closed || this.engine.native.pendingError(this.id) >= 0) return undefined;
    return this.engine.scratchError('connect', this.path);
  }

  /**
   * The process id at the other end. Windows: `GetNamedPipeClientProcessId` on a server's
   * connection, `GetNamedPipeServerProcessId` on a client's; Linux: `SO_PEERCRED`. Throws.
   */
  peerPid(): number {
    const pid = this.engine.native.peerPid(this.id);
    if (pid >= 0) return pid;
    throw this.engine.scratchError(this.peerPidCall, this.path);
  }

  /** The OS call that `peerPid` makes on this pipe. */
  get peerPidCall(): string {
    if (!IOCP) return 'getsockopt';
    return this.isClient ? 'GetNamedPipeServerProcessId' : 'GetNamedPipeClientProcessId';
  }

  /** Cancels every operation pending on the pipe (each still completes, L5). */
  cancel(): void {
    if (!this.#closed && !this.engine.closed) this.engine.native.cancelHandle(this.id);
  }

  /** Closes the pipe; its pending operations complete as cancelled. Closing twice is a no-op. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.engine.forget(this.id);
    if (!this.engine.closed) this.engine.native.closeHandle(this.id);
  }

  /** Whether the pipe's pending operations keep the process alive (the default). */
  setRef(ref: boolean): void {
    if (!this.#closed && !this.engine.closed) this.engine.native.setHandleRef(this.id, ref);
  }

  /** The engine closed every handle at once. */
  markClosed(): void {
    this.#closed = true;
  }

  // An operation asked of a closed pipe or engine finishes at once, with the error.
  #refused(done: Done, syscall: string): boolean {
    if (this.engine.closed) done(0, this.engine.closedError());
    else if (this.#closed) done(0, systemErrorByName('EBADF', syscall, this.path));
    else return false;
    return true;
  }
}
