// The Proactor's pipe operations: instances, accept, connect, read, write, flush, adopt,
// half-close and the peer's pid. Each checks its arguments (throwing Node's argument errors),
// then adapts one operation of the handle's channel (lib/engine) to a promise with an
// AbortSignal. `Proactor` (lib/proactor.ts) is the class users see.
import { abortError, invalidArgValue, systemErrorByName } from './errors.js';
import type { Channel } from './engine/channel.js';
import { connectWithRetry } from './engine/busy-connect.js';
import type { InstanceSettings } from './engine/engine.js';
import type { PipeHandle } from './pipe-handle.js';
import { validatePipePath } from './pipe-path.js';
import { engineOf, handleFor, openChannel, ProactorHandles } from './proactor-handles.js';
import {
  connectOptions,
  instanceSettings,
  operationOptions,
  type ConnectOptions,
  type OperationOptions,
  type PipeInstanceOptions,
} from './proactor-options.js';
import { promised } from './promised.js';
import { validateBuffer, validateRawHandle, validateString } from './validate.js';

const identity = (value: number): number => value;
const nothing = (): void => undefined;

function createInstance(
  proactor: ProactorHandles,
  settings: InstanceSettings,
  signal: AbortSignal | undefined,
): PipeHandle {
  if (signal?.aborted) throw abortError(signal);
  return handleFor(proactor, engineOf(proactor).createInstance(settings));
}

/** The pipe operations of `Proactor` (see `Proactor`). */
export abstract class ProactorPipes extends ProactorHandles {
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
      return Promise.resolve(createInstance(this, settings, signal));
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
    return createInstance(this, settings, signal);
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
    const channel = openChannel(this, instance, 'instance', 'accept');
    const { signal } = operationOptions(options);
    return promised(
      engineOf(this),
      signal,
      (done) => channel.accept(done, signal),
      (connection) => handleFor(this, connection as Channel),
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
    const connecting = connectWithRetry(engineOf(this), path, { timeout, signal, onRetry });
    return connecting.promise.then((channel) => handleFor(this, channel));
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
    const channel = openChannel(this, handle, 'handle', 'read');
    validateBuffer(buffer, 'buffer');
    if (buffer.byteLength === 0) throw invalidArgValue('buffer', buffer, 'must not be empty');
    const { signal } = operationOptions(options);
    return promised(engineOf(this), signal, (done) => channel.read(buffer, done, signal), identity);
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
    const channel = openChannel(this, handle, 'handle', 'read');
    const { signal } = operationOptions(options);
    return promised(engineOf(this), signal, (done) => channel.waitReadable(done, signal), nothing);
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
    const channel = openChannel(this, handle, 'handle', 'write');
    validateBuffer(buffer, 'buffer');
    const { signal } = operationOptions(options);
    return promised(engineOf(this), signal, (done) => channel.write(buffer, done, signal), identity);
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
    const channel = openChannel(this, handle, 'handle', 'flush');
    const { signal } = operationOptions(options);
    return promised(engineOf(this), signal, (done) => channel.flush(done, signal), nothing);
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
    return handleFor(this, engineOf(this).adopt(raw, path));
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
    openChannel(this, handle, 'handle', 'shutdown').shutdown();
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
    const channel = openChannel(this, handle, 'handle');
    if (channel.closed) throw systemErrorByName('EBADF', channel.peerPidCall, channel.path);
    return channel.peerPid();
  }
}
