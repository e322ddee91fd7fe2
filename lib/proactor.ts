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
 * cancel (Windows `CancelIoEx`; Linux takes the operation off its epoll wait); the promise then
 * rejects with an `AbortError` unless the operation completed first, in which case its result
 * is delivered (L5). Argument errors are thrown synchronously (`ERR_INVALID_ARG_TYPE`, ...);
 * what the OS says is a rejection with Node's system error shape (`code`, `errno`, `syscall`,
 * `address`, Windows `winerror`). A method given anything but one of its own `PipeHandle`s
 * throws `ERR_INVALID_ARG_VALUE`. Once `close()` has been called, new operations reject with
 * `ERR_PROACTOR_CLOSED` (`adoptHandle` and `createPipeInstanceSync` throw it), and its handles
 * are closed with it: a method given one throws `EBADF`.
 *
 * @example
 * The examples on the methods continue this one, before its `close()`.
 * ```js
 * import { Proactor, pipePath } from 'proactor';
 * const proactor = new Proactor();
 * const path = pipePath('demo');
 * const instance = await proactor.createPipeInstance(path);
 * const accepting = proactor.acceptPipe(instance);
 * const client = await proactor.connectPipe(path);
 * const server = await accepting; // on Windows, `instance` itself
 * await proactor.send(client, Buffer.from('ping'));
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
   * `PROACTOR_WAIT_ENGINE`, default `'threadpool'`), `'epoll'` on Linux. No OS call; errors: none.
   */
  readonly waitEngine: string = this.#engine.waitEngine;

  /** True once `close()` has been called. No OS call; errors: none. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Creates a pipe server instance, which `acceptPipe` then waits on. Windows: `CreateNamedPipeW`
   * (duplex, overlapped, byte mode), tied to the port with `CreateIoCompletionPort`. Linux:
   * `socket(AF_UNIX, SOCK_STREAM)`, `bind`, `chmod` when an access option asks, `listen`.
   *
   * Errors: thrown, a bad path or option (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` for an
   * empty, too long or NUL-holding path or, on Windows, one outside `\\.\pipe\`,
   * `ERR_OUT_OF_RANGE`). Rejected, with `syscall` `listen`: a taken name `EADDRINUSE` (Windows:
   * with `first`; Wine cannot tell); a missing directory `ENOENT` (Linux); what the OS says
   * otherwise (a malformed `sddl`). Cancellation: an aborted `signal` rejects with `AbortError`
   * and creates nothing; the OS calls are synchronous, so there is nothing to cancel later.
   *
   * @example
   * ```js
   * const other = await proactor.createPipeInstance(pipePath('private'), { currentUserOnly: true });
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
   * `createPipeInstance`, synchronously: the instance, or a thrown error. What it asks of the OS
   * is synchronous anyway (the same calls); a server binds this way during `listen()`, as
   * `node:net` does for pipes.
   *
   * Errors: all thrown: those of `createPipeInstance`, and `ERR_PROACTOR_CLOSED`. Cancellation:
   * an aborted `signal` throws `AbortError` and creates nothing.
   *
   * @example
   * ```js
   * const single = proactor.createPipeInstanceSync(pipePath('single'), { maxInstances: 1 });
   * ```
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
   * connected before the call finishes it at once, L2), so serving the next client needs a new
   * instance. Linux: `accept4` on the listening socket, resolving with a new handle; the
   * instance keeps listening (reads and writes on it reject with `EINVAL`).
   *
   * Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`, a closed one
   * `EBADF`. Rejected (`syscall` `accept`): a client that came and went before the server looked
   * `EPIPE` (Windows `ERROR_NO_DATA`; one that wrote first is accepted with its data): close that
   * instance and carry on (L10); a handle that is no server instance `EINVAL`; what the OS says
   * otherwise (`EMFILE`, ...). Cancellation: abort, `cancel(instance)` and `closeHandle(instance)`
   * reject it with `AbortError` unless a client connected first.
   *
   * @example
   * ```js
   * const next = await proactor.createPipeInstance(pipePath('next'));
   * const accepted = proactor.acceptPipe(next, { signal: AbortSignal.timeout(10_000) });
   * await proactor.connectPipe(pipePath('next'));
   * const connection = await accepted;
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
   * Connects to a pipe server. Windows: `CreateFileW` on the pipe name (overlapped,
   * `SECURITY_IDENTIFICATION`); Linux: a non-blocking `connect` on an `AF_UNIX` socket. A busy
   * server (`ERROR_PIPE_BUSY`, or a full backlog: `EAGAIN`) is tried again on a timer from 1 ms,
   * doubling to 100 ms (L7): no thread waits in `WaitNamedPipe`.
   *
   * Errors: thrown, a bad path or option (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`,
   * `ERR_OUT_OF_RANGE`). Rejected (`syscall` `connect`, `address` the path): no server `ENOENT`;
   * a socket file nobody listens on `ECONNREFUSED` (Linux); not allowed `EACCES`; `timeout` ms
   * passed, busy retries included, `ETIMEDOUT`; the proactor closed meanwhile
   * `ERR_PROACTOR_CLOSED`. Cancellation: abort stops the retries at once and rejects with
   * `AbortError`; each attempt is a synchronous call, so a connect that succeeded stands.
   *
   * @example
   * ```js
   * await proactor.createPipeInstance(pipePath('service'));
   * const pipe = await proactor.connectPipe(pipePath('service'), { timeout: 5000 });
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
   * Errors: thrown, a closed handle `EBADF`; an empty buffer `ERR_INVALID_ARG_VALUE` (0 bytes
   * would look like the end); not a `Uint8Array` `ERR_INVALID_ARG_TYPE`. Rejected (`syscall`
   * `read`): what the OS says, which a peer that left never is (Linux `ECONNRESET` / `EPIPE`
   * and Windows `ERROR_BROKEN_PIPE` read as 0). Cancellation: abort, `cancel` and `closeHandle`
   * reject it with `AbortError` unless data arrived first; then it resolves with the count.
   *
   * @example
   * ```js
   * const buffer = Buffer.alloc(64 * 1024);
   * const n = await proactor.recv(server, buffer); // 4: 'ping'
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
   * Errors and cancellation: as `recv` (with no buffer to check).
   *
   * @example
   * ```js
   * await proactor.readable(server); // 'ping' is waiting
   * const n = await proactor.recv(server, Buffer.alloc(16)); // at once
   * ```
   */
  readable(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    const channel = this.#channel(handle, 'handle', 'read');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.waitReadable(done, signal), nothing);
  }

  /**
   * Writes all of `buffer` and resolves with the byte count. The buffer belongs to the operation
   * until it settles (L1). Windows: overlapped `WriteFile`; Linux: `send` with `MSG_NOSIGNAL`
   * (`write` for an adopted fd that is no socket), the rest when epoll says writable.
   *
   * Errors: thrown, a closed handle `EBADF`; not a `Uint8Array` `ERR_INVALID_ARG_TYPE`. Rejected
   * (`syscall` `write`): the peer has gone `EPIPE` (Linux may say `ECONNRESET`); what the OS
   * says otherwise. Cancellation: abort, `cancel` and `closeHandle` reject it with `AbortError`
   * unless it completed first; some of its bytes may have been written.
   *
   * @example
   * ```js
   * const n = await proactor.send(server, Buffer.from('pong')); // 4
   * ```
   */
  send(handle: PipeHandle, buffer: Uint8Array, options?: OperationOptions): Promise<number> {
    const channel = this.#channel(handle, 'handle', 'write');
    validateBuffer(buffer, 'buffer');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.write(buffer, done, signal), identity);
  }

  /**
   * Resolves once the peer has read everything written to `handle`, writes made while it waits
   * included, or has closed its end (nothing is left to wait for; no error). Writes started
   * after it do not wait for it. Use it before closing a pipe whose last reply must not be cut
   * off.
   *
   * Windows: `FlushFileBuffers`, which has no overlapped form, on a thread of ours, unless
   * `NtQueryInformationFile` already shows the outbound buffer empty. Linux: epoll, until the
   * `SIOCOUTQ` ioctl says the peer has read it all (and no `send` is still queued); no thread.
   *
   * Errors: thrown, a closed handle `EBADF`. Rejected (`syscall` `flush`): what
   * `FlushFileBuffers` says when it fails for another reason than a peer that left.
   * Cancellation: abort, `cancel` and `closeHandle` reject it with `AbortError` (Windows:
   * `CancelSynchronousIo` on that thread) unless it finished first; nothing written is lost.
   *
   * @example
   * ```js
   * await proactor.send(server, Buffer.from('bye'));
   * void proactor.recv(client, Buffer.alloc(16)); // the peer reads
   * await proactor.flush(server, { signal: AbortSignal.timeout(5000) });
   * proactor.closeHandle(server); // 'bye' has been read: closing cuts nothing off
   * ```
   */
  flush(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    const channel = this.#channel(handle, 'handle', 'flush');
    const { signal } = operationOptions(options);
    return promised(this.#engine, signal, (done) => channel.flush(done, signal), nothing);
  }

  /**
   * Takes ownership of an open pipe: a Windows `HANDLE` or a Linux file descriptor (number or
   * bigint), e.g. a child's stdio pipe; `closeHandle` closes it. `path` becomes the handle's
   * `path` and its errors' `address`. Windows: `GetNamedPipeInfo` checks it is a pipe, then
   * `CreateIoCompletionPort` ties it to the port; it must have been opened for overlapped I/O.
   * Linux: `fcntl` makes the fd non-blocking and close-on-exec.
   *
   * Errors, all thrown: `raw` not a number or bigint, or `path` not a string,
   * `ERR_INVALID_ARG_TYPE`; `raw` negative or too big `ERR_OUT_OF_RANGE`; a closed proactor
   * `ERR_PROACTOR_CLOSED`; with `syscall` `GetNamedPipeInfo` / `fcntl`: no open fd `EBADF`
   * (Linux, which takes any fd), or what Windows says for no pipe; a handle already tied to
   * another port (one libuv uses) `EINVAL`. On failure the handle stays yours. Cancellation:
   * none; it is synchronous.
   *
   * @example
   * ```js
   * // Linux: a FIFO, opened read-write so that it has both ends.
   * import { execFileSync } from 'node:child_process';
   * import { constants, openSync } from 'node:fs';
   * const fifo = pipePath('fifo');
   * execFileSync('mkfifo', [fifo]);
   * const pipe = proactor.adoptHandle(openSync(fifo, constants.O_RDWR), fifo);
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
   *
   * Errors, all thrown (`syscall` `shutdown`): `ENOTSUP` on Windows; a closed handle, or on Linux
   * a server instance, `EBADF`; not one of this proactor's handles `ERR_INVALID_ARG_VALUE`. A
   * `send` not yet finished fails afterwards (`EPIPE`): await it first. Cancellation: none; it
   * is synchronous.
   *
   * @example
   * ```js
   * try {
   *   proactor.shutdownWrite(client); // the server reads 'ping', then end of stream (0)
   * } catch (error) {
   *   if (error.code !== 'ENOTSUP') throw error; // Windows: flush(), then closeHandle()
   * }
   * ```
   */
  shutdownWrite(handle: PipeHandle): void {
    this.#channel(handle, 'handle', 'shutdown').shutdown();
  }

  /**
   * The process id at the other end of a connected pipe. Windows: `GetNamedPipeClientProcessId`
   * on a server's connection, `GetNamedPipeServerProcessId` on a client's; Linux: `SO_PEERCRED`
   * (`getsockopt`; the peer's pid when it connected or listened).
   *
   * Errors, all thrown, with `syscall` the OS call: a closed handle, or on Linux a server
   * instance, `EBADF`; what the OS says otherwise; not one of this proactor's handles
   * `ERR_INVALID_ARG_VALUE`. Cancellation: none; it is synchronous.
   *
   * @example
   * ```js
   * console.log(proactor.peerPid(server) === process.pid); // true: the client is this process
   * ```
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
   * Windows: `DuplicateHandle`, then `RegisterWaitForSingleObject` on the thread pool by
   * default, or kernel wait packets (`NtAssociateWaitCompletionPacket`, no thread per 63 waits)
   * with `PROACTOR_WAIT_ENGINE=packet` where the system has them. Linux: `fcntl(F_DUPFD_CLOEXEC)`,
   * then epoll (`EPOLLONESHOT`) on an epoll instance and thread kept for waits.
   *
   * Errors: thrown, `handle` not a number or bigint `ERR_INVALID_ARG_TYPE`, negative, fractional
   * or too big `ERR_OUT_OF_RANGE`, a bad `timeout` likewise. Rejected (`syscall` `wait`): a value
   * that is no open handle `EBADF`; on Linux an fd epoll cannot watch (a regular file) `EPERM`;
   * what the OS says otherwise. Cancellation: abort rejects with `AbortError` unless the handle
   * was signalled first (Windows: `UnregisterWaitEx` or `NtCancelWaitCompletionPacket`; Linux:
   * `EPOLL_CTL_DEL`), deterministically on both Windows engines (L8: a wait cancelled before it
   * fired never resolves). The time limit cancels the same way and resolves false.
   *
   * @example
   * ```js
   * import { createEvent } from 'proactor';
   * const event = createEvent();
   * setTimeout(() => event.set(), 100);
   * const signalled = await proactor.waitForHandle(event.handle, { timeout: 5000 }); // true
   * event.close();
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
   * for another process (L14); the wait itself is `waitForHandle`'s. Resolves with the exit code
   * or the signal that ended it: Windows gives the exit code of any process
   * (`GetExitCodeProcess`), Linux only of this process's children (`waitid` with `WNOWAIT`, so
   * Node's own child watch still reaps it), else both are null. For a `ChildProcess`, prefer
   * `waitForExit`, which also waits for Node's `'exit'`.
   *
   * Errors: thrown, a `pid` that is not a positive integer `ERR_INVALID_ARG_VALUE`, bad options
   * `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`. Rejected (`syscall` `waitpid`): no such process
   * `ESRCH`; not allowed `EPERM` (Windows); `timeout` passed `ETIMEDOUT`. Cancellation: abort
   * rejects with `AbortError` unless the process exited first; the process is not touched.
   *
   * @example
   * ```js
   * import { spawn } from 'node:child_process';
   * const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 100)']);
   * const { exitCode, signalCode } = await proactor.waitForProcess(child.pid, { timeout: 10_000 });
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

  /**
   * Cancels every pending operation on `handle`; the handle stays open and usable. Windows:
   * `CancelIoEx` for each (a `flush`: `CancelSynchronousIo` on its thread). Linux: no OS call;
   * the operations leave their epoll wait.
   *
   * Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`; a closed handle
   * is a no-op. Cancellation: a request (L5): each operation rejects with `AbortError` unless it
   * completed first, and then keeps its result; cancelling twice, or with nothing pending, is a
   * no-op.
   *
   * @example
   * ```js
   * const reading = proactor.recv(client, Buffer.alloc(16));
   * proactor.cancel(client);
   * await reading.catch((error) => console.log(error.name)); // 'AbortError'
   * ```
   */
  cancel(handle: PipeHandle): void {
    this.#channel(handle, 'handle').cancel();
  }

  /**
   * Closes `handle`; the peer reads end of stream. Windows: `CloseHandle` (a pending `flush` is
   * cancelled first, so its duplicate handle does not keep the pipe open). Linux: `close`, and
   * `unlink` of a server instance's socket file.
   *
   * Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`. Closing twice is
   * a no-op. Cancellation: its pending operations reject with `AbortError`, except one that
   * completed first, which keeps its result (L5); their memory stays with the OS until their
   * completions come (L1).
   *
   * @example
   * ```js
   * const reading = proactor.recv(client, Buffer.alloc(16)).catch((error) => error.name);
   * proactor.closeHandle(client);
   * console.log(await reading); // 'AbortError'
   * ```
   */
  closeHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').close();
  }

  /**
   * Lets the process exit while `handle` has pending operations (as `socket.unref()`). No OS
   * call: the proactor counts referenced operations and holds the event loop while any are
   * pending. Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`; a
   * closed handle is a no-op.
   *
   * @example
   * ```js
   * proactor.unrefHandle(client);
   * proactor.recv(client, Buffer.alloc(16)).catch(() => {}); // does not keep the process alive
   * ```
   */
  unrefHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').setRef(false);
  }

  /**
   * Undoes `unrefHandle`: pending operations on `handle` keep the process alive again. No OS
   * call. Errors: as `unrefHandle`.
   *
   * @example
   * ```js
   * proactor.refHandle(client);
   * ```
   */
  refHandle(handle: PipeHandle): void {
    this.#channel(handle, 'handle').setRef(true);
  }

  /**
   * This proactor's counters (kept as they were at `close()` once it has closed). No OS call.
   * Errors: none.
   *
   * @example
   * ```js
   * const { pending, unexpected } = proactor.stats(); // unexpected stays 0 (L4)
   * ```
   */
  stats(): ProactorStats {
    return this.#engine.stats();
  }

  /**
   * Cancels every operation and connect, waits for their completions up to `timeout` ms
   * (default 5000), then stops the engine and closes every handle (L9: bounded, never hangs).
   * The report lists operations that never completed, whose memory is kept (L1). Calling it
   * again returns the same report. Windows: `CancelIoEx` (and the waits' and flushes' cancels)
   * for each operation, a quit packet to stop the poller thread, `CloseHandle` for each handle.
   * Linux: operations leave their epoll waits, Node's loop stops watching the epoll fd, `close`
   * for each handle (and `unlink` for server instances).
   *
   * Errors: thrown, a bad `timeout` `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`; it never
   * rejects. Cancellation: it is the cancellation: every pending promise settles, with its result
   * if it completed first (L5), `AbortError` if its cancel completed, `ERR_PROACTOR_CLOSED` if
   * nothing came within `timeout` (and busy connects reject with `ERR_PROACTOR_CLOSED`).
   *
   * @example
   * ```js
   * const report = await proactor.close({ timeout: 1000 });
   * if (report.timedOut) console.warn('never completed:', report.operations);
   * ```
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

/**
 * The process's shared proactor, created on first use (and again after it was closed); the
 * streams, `waitForExit` and `waitForHandle` use it unless given another. No OS call until it
 * is created (then `CreateIoCompletionPort` / `epoll_create1`); errors: none.
 *
 * @example
 * ```js
 * import { getDefaultProactor } from 'proactor';
 * console.log(getDefaultProactor().stats());
 * ```
 */
export function getDefaultProactor(): Proactor {
  if (defaultProactor === undefined || defaultProactor.closed) defaultProactor = new Proactor();
  return defaultProactor;
}
