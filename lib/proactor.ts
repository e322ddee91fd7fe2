// The low-level public API: a Proactor and its PipeHandles. Each method checks its arguments
// (throwing Node's argument errors), then adapts the engine's one completion path
// (lib/engine) to a promise with an AbortSignal and, for waits, a timeout. No streams here.
import { abortError, invalidArgValue, systemErrorByName } from './errors.js';
import type { Channel } from './engine/channel.js';
import { channelOf, PipeHandle } from './pipe-handle.js';
import { connectWithRetry } from './engine/busy-connect.js';
import { Engine } from './engine/engine.js';
import { IOCP } from './engine/platform.js';
import {
  closeTimeout,
  connectOptions,
  instanceSettings,
  operationOptions,
  processExit,
  waitOptions,
  type CloseReport,
  type ConnectOptions,
  type OperationOptions,
  type PipeInstanceOptions,
  type ProactorCloseOptions,
  type ProactorStats,
  type ProcessExit,
  type WaitOptions,
} from './proactor-options.js';
import { validatePipePath } from './pipe-path.js';
import { promised } from './promised.js';
import { validateBuffer, validatePid, validateRawHandle, validateString } from './validate.js';

export { unexpectedCompletions } from './engine/registry.js';
export { PipeHandle } from './pipe-handle.js';

const DEFAULT_CLOSE_TIMEOUT = 5000;

let engineOfProactor: (proactor: Proactor) => Engine;

/** @internal The engine under a proactor (for lib/streams; not part of the API). */
export function engineOf(proactor: Proactor): Engine {
  return engineOfProactor(proactor);
}

/**
 * A completion engine: an I/O completion port with its own poller thread (Windows), or an
 * epoll instance that Node's event loop watches (Linux), delivering results to JS in batches.
 * Most programs use the shared one from `getDefaultProactor()`.
 *
 * Every operation method returns a promise and takes an `AbortSignal`. Aborting asks the OS to
 * cancel (Windows `CancelIoEx`); the promise then rejects with an `AbortError` unless the
 * operation completed first, in which case its result is delivered (L5). Argument errors are
 * thrown synchronously (`ERR_INVALID_ARG_TYPE`, ...); what the OS says is a rejection with
 * Node's system error shape (`code`, `errno`, `syscall`, `address`, Windows `winerror`). A
 * closed proactor rejects everything with `ERR_PROACTOR_CLOSED`.
 *
 * @example
 * ```js
 * import { Proactor } from 'proactor';
 * const proactor = new Proactor();
 * // ... createPipeInstance, acceptPipe, connectPipe, recv, send ...
 * await proactor.close(); // { timedOut: false, pending: 0, operations: [] }
 * ```
 */
export class Proactor {
  readonly #engine = new Engine();
  readonly #handles = new WeakMap<Channel, PipeHandle>();
  static {
    engineOfProactor = (proactor) => proactor.#engine;
  }

  /**
   * How this proactor waits for handles: `'threadpool'` or `'packet'` on Windows (from
   * `PROACTOR_WAIT_ENGINE`, default `'threadpool'`), `'epoll'` on Linux.
   */
  readonly waitEngine: string = this.#engine.waitEngine;

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Creates a pipe server instance. Windows: `CreateNamedPipeW` (overlapped, byte mode); Linux:
   * a bound, listening `AF_UNIX` socket.
   *
   * Errors: a taken name `EADDRINUSE` (Wine cannot tell on Windows); a missing directory
   * `ENOENT`; a path that names no pipe `ERR_INVALID_ARG_VALUE` (thrown). Cancellation: an
   * aborted `signal` rejects with `AbortError` and creates nothing.
   *
   * @example
   * ```js
   * const instance = await proactor.createPipeInstance(pipePath('demo'), { currentUserOnly: true });
   * ```
   */
  createPipeInstance(path: string, options?: PipeInstanceOptions): Promise<PipeHandle> {
    validatePipePath(path);
    const { settings, signal } = instanceSettings(path, options);
    try {
      return Promise.resolve(this.#createInstance(settings, signal));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * `createPipeInstance`, synchronously: the instance, or a thrown error (`EADDRINUSE`, ...).
   * What it asks of the OS is synchronous anyway; a server binds this way during `listen()`, as
   * `node:net` does for pipes.
   */
  createPipeInstanceSync(path: string, options?: PipeInstanceOptions): PipeHandle {
    validatePipePath(path);
    const { settings, signal } = instanceSettings(path, options);
    return this.#createInstance(settings, signal);
  }

  #createInstance(
    settings: Parameters<Engine['createInstance']>[0],
    signal: AbortSignal | undefined,
  ): PipeHandle {
    if (signal?.aborted) throw abortError(signal);
    return this.#handleFor(this.#engine.createInstance(settings));
  }

  /**
   * Waits for a client on a server instance and resolves with the connected pipe. Windows:
   * overlapped `ConnectNamedPipe`; the instance itself becomes the connection (a client that
   * connected before the call finishes it at once, L2). Linux: `accept4` on the listening
   * socket, resolving with a new handle.
   *
   * Errors: a client that came and went before the server looked `EPIPE` (`ERROR_NO_DATA`):
   * close that instance and carry on (L10). Cancellation: abort, `cancel(instance)` and
   * `closeHandle(instance)` reject it with `AbortError`.
   *
   * @example
   * ```js
   * const connection = await proactor.acceptPipe(instance, { signal: AbortSignal.timeout(10_000) });
   * ```
   */
  acceptPipe(instance: PipeHandle, options?: OperationOptions): Promise<PipeHandle> {
    const channel = this.#channel(instance, 'instance', 'accept');
    const { signal } = operationOptions(options);
    return promised(
      this.#engine,
      signal,
      (done) => channel.accept(done, signal),
      (connection) => this.#handleFor(connection as Channel),
    );
  }

  /**
   * Connects to a pipe server. Windows: `CreateFileW` on the pipe name; Linux: a non-blocking
   * `connect` on an `AF_UNIX` socket. A busy server (`ERROR_PIPE_BUSY`, or a full backlog) is
   * tried again on a timer from 1 ms, doubling to 100 ms (L7): no thread waits in
   * `WaitNamedPipe`.
   *
   * Errors: no server `ENOENT`; `timeout` ms passed, busy retries included, `ETIMEDOUT`.
   * Cancellation: abort stops the retries at once and rejects with `AbortError`.
   *
   * @example
   * ```js
   * const pipe = await proactor.connectPipe('\\\\.\\pipe\\docker_engine', { timeout: 5000 });
   * ```
   */
  connectPipe(path: string, options?: ConnectOptions): Promise<PipeHandle> {
    validatePipePath(path);
    const { signal, timeout, onRetry } = connectOptions(options);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.closed) return Promise.reject(this.#engine.closedError());
    const connecting = connectWithRetry(this.#engine, path, { timeout, signal, onRetry });
    return connecting.promise.then((channel) => this.#handleFor(channel));
  }

  /**
   * Reads into `buffer` and resolves with the byte count; 0 means end of stream (a broken pipe
   * or a closed peer ends the stream; it is no error). The buffer belongs to the operation until
   * it settles (L1). Windows: overlapped `ReadFile`; Linux: `read` when epoll says readable.
   *
   * Errors: a closed handle `EBADF` (thrown); an empty buffer `ERR_INVALID_ARG_VALUE` (thrown:
   * 0 bytes would look like the end). Cancellation: abort, `cancel` and `closeHandle` reject it
   * with `AbortError` unless data arrived first.
   *
   * @example
   * ```js
   * const buffer = Buffer.alloc(64 * 1024);
   * const n = await proactor.recv(pipe, buffer);
   * ```
   */
  recv(handle: PipeHandle, buffer: Uint8Array, options?: OperationOptions): Promise<number> {
    const channel = this.#channel(handle, 'handle', 'read');
    validateBuffer(buffer, 'buffer');
    if (buffer.byteLength === 0) throw invalidArgValue('buffer', buffer, 'must not be empty');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.read(buffer, done, signal), identity);
  }

  /**
   * Resolves once `handle` has data to read, or has reached end of stream, without reading
   * anything and without a buffer: a zero-byte read (Windows `ReadFile` of 0 bytes, Linux epoll
   * readiness). A connection that waits this way pins no memory; `recv` then finds the data at
   * once. Pipe sockets wait like this until their first data.
   *
   * Errors and cancellation: as `recv`.
   *
   * @example
   * ```js
   * await proactor.readable(pipe);
   * const n = await proactor.recv(pipe, buffer); // at once
   * ```
   */
  readable(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    const channel = this.#channel(handle, 'handle', 'read');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.waitReadable(done, signal), nothing);
  }

  /**
   * Writes all of `buffer` and resolves with the byte count. Windows: overlapped `WriteFile`;
   * Linux: `send` (with `MSG_NOSIGNAL`), the rest when epoll says writable.
   *
   * Errors: the peer has gone `EPIPE`; a closed handle `EBADF` (thrown). Cancellation: abort,
   * `cancel` and `closeHandle` reject it with `AbortError`; some bytes may have been written.
   *
   * @example
   * ```js
   * await proactor.send(pipe, Buffer.from('hello'));
   * ```
   */
  send(handle: PipeHandle, buffer: Uint8Array, options?: OperationOptions): Promise<number> {
    const channel = this.#channel(handle, 'handle', 'write');
    validateBuffer(buffer, 'buffer');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.write(buffer, done, signal), identity);
  }

  /**
   * Resolves once the peer has read everything written to `handle` before the call, or has
   * closed its end (nothing is left to wait for; no error). Writes started after it wait for it.
   * Use it before closing a pipe whose last reply must not be cut off.
   *
   * Windows: `FlushFileBuffers`, which has no overlapped form, on a thread of ours, unless
   * `NtQueryInformationFile` already shows the outbound buffer empty. Linux: epoll, until the
   * `SIOCOUTQ` ioctl says the peer has read it all; no thread.
   *
   * Errors: a closed handle `EBADF` (thrown). Cancellation: abort rejects it with `AbortError`
   * (Windows: `CancelSynchronousIo` on that thread).
   *
   * @example
   * ```js
   * await proactor.send(pipe, reply);
   * await proactor.flush(pipe, { signal: AbortSignal.timeout(5000) });
   * proactor.closeHandle(pipe);
   * ```
   */
  flush(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    const channel = this.#channel(handle, 'handle', 'flush');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.flush(done, signal), nothing);
  }

  /**
   * Takes ownership of an open pipe: a Windows `HANDLE` or a Linux file descriptor (number or
   * bigint), e.g. a child's stdio pipe; `closeHandle` closes it. Windows: `GetNamedPipeInfo`
   * checks it is a pipe, then `CreateIoCompletionPort` ties it to the port; it must have been
   * opened for overlapped I/O. Linux: `fcntl` makes the fd non-blocking.
   *
   * Errors (thrown, with `syscall` `GetNamedPipeInfo` / `fcntl`): not an open pipe `EBADF`
   * (Linux) or what Windows says; a handle already tied to another port (one libuv uses)
   * `EINVAL`.
   *
   * @example
   * ```js
   * const pipe = proactor.adoptHandle(fd);
   * ```
   */
  adoptHandle(raw: number | bigint, path = ''): PipeHandle {
    validateRawHandle(raw, 'raw');
    validateString(path, 'path');
    return this.#handleFor(this.#engine.adopt(raw, path));
  }

  /**
   * Half-close: this end will write no more and the peer reads end of stream, while reads here
   * go on. Linux: `shutdown(SHUT_WR)`. Windows byte-mode pipes cannot half-close: it throws
   * `ENOTSUP`. There, as libuv does, `flush()` and keep reading until the peer closes or goes
   * quiet (what `PipeSocket.end()` does), then close.
   */
  shutdownWrite(handle: PipeHandle): void {
    this.#channel(handle, 'handle', 'shutdown').shutdown();
  }

  /**
   * The process id at the other end of a connected pipe. Windows: `GetNamedPipeClientProcessId`
   * on a server's connection, `GetNamedPipeServerProcessId` on a client's; Linux: `SO_PEERCRED`
   * (`getsockopt`; the peer's pid when it connected or listened). Throws what the OS says.
   */
  peerPid(handle: PipeHandle): number {
    return this.#channel(handle, 'handle', PEER_PID_CALL).peerPid();
  }

  /**
   * Waits until `handle` is signalled: a Windows waitable `HANDLE` (event, process, ...) or a
   * Linux pollable fd (eventfd, pidfd, ...), as a number or bigint. Resolves true when it is
   * signalled, false when `timeout` ms passed first (asyncio's contract). The handle is
   * duplicated at the call, so closing yours meanwhile is safe.
   *
   * Windows: `RegisterWaitForSingleObject` on the thread pool by default, or kernel wait packets
   * (`NtAssociateWaitCompletionPacket`, no thread per 63 waits) with `PROACTOR_WAIT_ENGINE=packet`
   * where the system has them. Linux: epoll on the duplicated fd.
   *
   * Errors: a handle that cannot be duplicated or waited for (`EBADF`, `EINVAL`).
   * Cancellation: abort rejects with `AbortError`, deterministically on both Windows engines
   * (L8: a wait cancelled before it fired never resolves).
   *
   * @example
   * ```js
   * const signalled = await proactor.waitForHandle(event.handle, { timeout: 500 });
   * ```
   */
  waitForHandle(handle: number | bigint, options?: WaitOptions): Promise<boolean> {
    validateRawHandle(handle, 'handle');
    const { signal, timeout } = waitOptions(options);
    const info = { syscall: 'wait', signal };
    return promised(
      this.#engine,
      signal,
      (done) => this.#engine.waitHandle(handle, info, done),
      () => true,
      timeout === undefined ? undefined : { ms: timeout, onTimeout: () => false },
    );
  }

  /**
   * Waits for process `pid` to exit: any process, not only a child. The process is opened at the
   * call (Windows `OpenProcess`, Linux `pidfd_open`), so a later reuse of the pid cannot answer
   * for another process (L14). Resolves with the exit code or the signal that ended it: Windows
   * gives the exit code of any process (`GetExitCodeProcess`), Linux only of this process's
   * children (`waitid` with `WNOWAIT`, so Node's own child watch still reaps it), else both are
   * null.
   *
   * Errors: no such process `ESRCH`; not allowed `EPERM`; `timeout` passed `ETIMEDOUT`.
   * Cancellation: abort rejects with `AbortError`; the process is not touched.
   *
   * @example
   * ```js
   * const { exitCode, signalCode } = await proactor.waitForProcess(pid, { timeout: 10_000 });
   * ```
   */
  waitForProcess(pid: number, options?: WaitOptions): Promise<ProcessExit> {
    validatePid(pid, 'pid');
    const { signal, timeout } = waitOptions(options);
    const info = { syscall: 'waitpid', signal };
    const onTimeout = (): never => {
      throw systemErrorByName('ETIMEDOUT', 'waitpid');
    };
    return promised(
      this.#engine,
      signal,
      (done) => this.#engine.waitProcess(pid, info, done),
      processExit,
      timeout === undefined ? undefined : { ms: timeout, onTimeout },
    );
  }

  /** Cancels every pending operation on `handle` (each rejects with AbortError unless it won the race). */
  cancel(handle: PipeHandle): void {
    this.#channel(handle, 'handle').cancel();
  }

  /** Closes `handle`. Its pending operations reject with AbortError. Closing twice is a no-op. */
  closeHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').close();
  }

  /** Lets the process exit while `handle` has pending operations (as `socket.unref()`). */
  unrefHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').setRef(false);
  }

  /** Undoes `unrefHandle`: pending operations on `handle` keep the process alive again. */
  refHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').setRef(true);
  }

  /** This proactor's counters (kept as they were at `close()` once it has closed). */
  stats(): ProactorStats {
    return this.#engine.stats();
  }

  /**
   * Cancels every operation and connect, waits for their completions up to `timeout` ms, then
   * stops the engine and closes every handle (L9: bounded, never hangs). Every promise settles;
   * the report lists operations that never completed, whose memory is kept (L1). Calling it
   * again returns the same report.
   */
  close(options?: ProactorCloseOptions): Promise<CloseReport> {
    const timeout = closeTimeout(options, DEFAULT_CLOSE_TIMEOUT);
    this.#closeReport ??= this.#engine
      .close(timeout)
      .then(({ timedOut, operations }) => ({ timedOut, pending: operations.length, operations }));
    return this.#closeReport;
  }

  #closeReport: Promise<CloseReport> | undefined;

  #handleFor(channel: Channel): PipeHandle {
    let handle = this.#handles.get(channel);
    if (handle === undefined) {
      handle = new PipeHandle(this, channel);
      this.#handles.set(channel, handle);
    }
    return handle;
  }

  // `handle`'s channel, checked: one of ours, and open when `syscall` (the call to make) is given.
  #channel(handle: unknown, name: string, syscall?: string): Channel {
    if (!(handle instanceof PipeHandle)) throw invalidArgValue(name, handle, 'must be a PipeHandle');
    if (handle.proactor !== this) throw invalidArgValue(name, handle, 'belongs to another proactor');
    const channel = channelOf(handle);
    if (syscall !== undefined && channel.closed) throw systemErrorByName('EBADF', syscall, channel.path);
    return channel;
  }
}

const identity = (value: number): number => value;
// What a closed handle's peerPid() reports as its OS call.
const PEER_PID_CALL = IOCP ? 'GetNamedPipeClientProcessId' : 'getsockopt';
const nothing = (): void => undefined;

let defaultProactor: Proactor | undefined;

/** The process's shared proactor, created on first use (and again after it was closed). */
export function getDefaultProactor(): Proactor {
  if (defaultProactor === undefined || defaultProactor.closed) defaultProactor = new Proactor();
  return defaultProactor;
}
