// The low-level proactor API: pipe instances, accept, connect, recv, send, cancel and a
// bounded close, each a promise that takes an AbortSignal. No streams here (lib/streams builds
// them on this); nothing above this file touches the addon.
import {
  abortError,
  codedError,
  errnoName,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  systemError,
  systemErrorByName,
} from './errors.js';
import { constants as osConstants } from 'node:os';
import { native, type NativeProactor } from './native.js';
import { validatePipePath } from './pipe-path.js';
import {
  optionsObject,
  validateBoolean,
  validateBuffer,
  validateFunction,
  validateInteger,
  validateSignal,
  validateString,
  validateTimeout,
} from './validate.js';

/** Counters of one proactor's operations. */
export interface ProactorStats {
  /** Operations started and not yet delivered. */
  pending: number;
  /** Operations delivered with a result or an error. */
  completed: number;
  /** Operations delivered as cancelled (AbortError). */
  cancelled: number;
  /** Completions for no known operation: counted and ignored (must stay 0; DESIGN L4). */
  unexpected: number;
  /** Wake-ups of JS that delivered completions: one per batch, never one per operation. */
  batches: number;
}

/** What `close()` found. */
export interface CloseReport {
  /** True when operations were still pending when the time limit ran out. */
  timedOut: boolean;
  /** How many operations never completed. Their memory is kept, never freed under the OS (L1). */
  pending: number;
  operations: { id: number; kind: string }[];
}

export interface OperationOptions {
  /** Aborting cancels the operation; it rejects with an `AbortError` unless it completed first. */
  signal?: AbortSignal;
}

export interface PipeInstanceOptions extends OperationOptions {
  /**
   * Windows: create the pipe with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so the call fails with
   * `EADDRINUSE` if anyone (including another process squatting on the name) already has an
   * instance. Default true. Linux: ignored (binding a taken path always fails).
   */
  first?: boolean;
  /** Windows: the most instances this pipe name may have (1–255, 255 = unlimited). Default 255. */
  maxInstances?: number;
  /**
   * Linux: the listen backlog. Default 4096 (node:net: 511), which the kernel caps at
   * `net.core.somaxconn`: a burst of clients queues instead of being told the server is busy
   * (node:net's clients then fail with EAGAIN; ours retry from 1 ms, which costs them time).
   * Measured with 10,000 sequential connects: 36,000/s with 4096, 20,000/s with 511.
   */
  backlog?: number;
  /**
   * Windows: the in and out buffer sizes the pipe is created with. Default 262144 (libuv uses
   * 65536): a writer can run that much further ahead of its reader, which took bulk transfer on
   * the Windows leg from 195 to 214 MB/s (bench/scenarios/pipes.mjs). Linux: ignored.
   */
  bufferSize?: number;
  /** Windows: refuse clients from other machines (`PIPE_REJECT_REMOTE_CLIENTS`). Default true. */
  rejectRemoteClients?: boolean;
  /**
   * Only this user may connect. Windows: a protected DACL granting only the current user's SID;
   * Linux: the socket file's mode becomes 0600. Default false.
   */
  currentUserOnly?: boolean;
  /** As node:net: everyone may read (Windows: an ACE for Everyone; Linux: the r bits). */
  readableAll?: boolean;
  /** As node:net: everyone may write, and so connect (Windows: an ACE; Linux: the w bits). */
  writableAll?: boolean;
  /** Windows: the pipe's security descriptor as SDDL, e.g. `'D:P(A;;GA;;;BA)'`. Wins over the flags. */
  sddl?: string;
}

export interface ConnectOptions extends OperationOptions {
  /** Milliseconds the whole connect may take, busy retries included; then `ETIMEDOUT`. */
  timeout?: number;
  /**
   * Called before each wait while the server is busy (`ERROR_PIPE_BUSY` / `EAGAIN`), with the
   * delay: 1 ms, doubling to 100 ms (DESIGN L7). For diagnostics and tests.
   */
  onRetry?: (delayMs: number, attempt: number) => void;
}

export interface WaitOptions extends OperationOptions {
  /** Milliseconds to wait at most. `waitForHandle` then resolves false; `waitForProcess` rejects `ETIMEDOUT`. */
  timeout?: number;
}

/** How a process ended: exactly one of the two is set, or neither when the OS will not say. */
export interface ProcessExit {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
}

/** The native wait result: exit code (>= 0), minus the signal number, or NaN for unknown. */
function processExit(value: number): ProcessExit {
  if (Number.isNaN(value)) return { exitCode: null, signalCode: null };
  if (value >= 0) return { exitCode: value, signalCode: null };
  const name = Object.entries(osConstants.signals).find(([, number]) => number === -value)?.[0];
  return { exitCode: null, signalCode: (name ?? null) as NodeJS.Signals | null };
}

function validateRawHandle(value: unknown, name: string): asserts value is number | bigint {
  if (typeof value === 'number') validateInteger(value, name, 0, Number.MAX_SAFE_INTEGER);
  else if (typeof value !== 'bigint') throw invalidArgType(name, 'of type number or bigint', value);
  else if (value < 0n || value >= 2n ** 64n) throw outOfRange(name, '>= 0 and < 2 ** 64', value);
}

/** A process id: a positive integer the platform can hold (DWORD on Windows, pid_t on Linux). */
export function validatePid(value: unknown, name: string): asserts value is number {
  const max = process.platform === 'win32' ? 0xffffffff : 0x7fffffff;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw invalidArgValue(name, value, 'must be a positive integer process id');
  }
}

/** `createPipeInstance`'s arguments, checked, with defaults filled in. */
interface NativeInstanceOptions {
  path: string;
  first: boolean;
  maxInstances: number;
  backlog: number;
  bufferSize: number;
  rejectRemoteClients: boolean;
  /** Bits: 1 currentUserOnly, 2 readableAll, 4 writableAll. */
  access: number;
  sddl: string | undefined;
  signal: AbortSignal | undefined;
}

function instanceOptions(path: string, options: PipeInstanceOptions | undefined): NativeInstanceOptions {
  validatePipePath(path);
  const opts = optionsObject(options);
  const first = opts.first ?? true;
  validateBoolean(first, 'options.first');
  const maxInstances = opts.maxInstances ?? 255;
  validateInteger(maxInstances, 'options.maxInstances', 1, 255);
  const backlog = opts.backlog ?? 4096;
  validateInteger(backlog, 'options.backlog', 0, 2 ** 31 - 1);
  const bufferSize = opts.bufferSize ?? 262144;
  validateInteger(bufferSize, 'options.bufferSize', 0, 2 ** 31 - 1);
  const rejectRemoteClients = opts.rejectRemoteClients ?? true;
  validateBoolean(rejectRemoteClients, 'options.rejectRemoteClients');
  let access = 0;
  for (const [name, bit] of [
    ['currentUserOnly', 1],
    ['readableAll', 2],
    ['writableAll', 4],
  ] as const) {
    const value = opts[name] ?? false;
    validateBoolean(value, `options.${name}`);
    if (value) access |= bit;
  }
  const sddl = opts.sddl;
  if (sddl !== undefined) validateString(sddl, 'options.sddl');
  validateSignal(opts.signal, 'options.signal');
  const signal = opts.signal as AbortSignal | undefined;
  return { path, first, maxInstances, backlog, bufferSize, rejectRemoteClients, access, sddl, signal };
}

let warnedWaitEngine = false;

function chooseWaitEngine(proactor: NativeProactor): string {
  const wanted = process.env.PROACTOR_WAIT_ENGINE || 'threadpool';
  const engine = proactor.setWaitEngine(wanted);
  if (process.platform === 'win32' && engine !== wanted && !warnedWaitEngine) {
    warnedWaitEngine = true;
    process.emitWarning(
      `PROACTOR_WAIT_ENGINE=${wanted} is not available here; waits use the '${engine}' engine`,
      { code: 'PROACTOR_WAIT_ENGINE' },
    );
  }
  return engine;
}

/**
 * An event for `waitForHandle`: a Windows manual-reset event or a Linux eventfd. It stays set
 * until reset. `handle` is the raw HANDLE / fd, to wait on or to hand to another process.
 */
export class ProactorEvent {
  #handle: number | bigint | undefined;
  constructor() {
    try {
      this.#handle = native.createEvent();
    } catch (error) {
      throw nativeCallError(error, 'createEvent');
    }
  }
  /** The raw handle / fd. Throws `EBADF` after `close()`. */
  get handle(): number | bigint {
    return this.#open('handle');
  }
  /** Signals the event: every wait on it completes, and later waits complete at once. */
  set(): void {
    this.#call('setEvent', () => native.setEvent(this.#open('setEvent')));
  }
  /** Unsignals it. */
  reset(): void {
    this.#call('resetEvent', () => native.resetEvent(this.#open('resetEvent')));
  }
  /** Closes it. Waits already started keep their own duplicate; closing twice is a no-op. */
  close(): void {
    if (this.#handle === undefined) return;
    const handle = this.#handle;
    this.#handle = undefined;
    this.#call('closeEvent', () => native.closeEvent(handle));
  }
  #open(syscall: string): number | bigint {
    if (this.#handle === undefined) throw systemErrorByName('EBADF', syscall);
    return this.#handle;
  }
  #call(syscall: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      throw nativeCallError(error, syscall);
    }
  }
}

function nativeCallError(error: unknown, syscall: string): Error {
  const { errno, sysErrno } = error as { errno?: number; sysErrno?: number };
  return typeof errno === 'number' ? systemError(errno, sysErrno ?? 0, syscall) : (error as Error);
}

/** Open handles (Windows) / file descriptors (Linux) in this process — for leak checks. */
export function openHandleCount(): number {
  return native.openHandleCount();
}

/** Threads of this process — what waits cost, for benchmarks. */
export function threadCount(): number {
  return native.threadCount();
}

export interface ProactorCloseOptions {
  /** Milliseconds to wait for cancelled operations to complete. Default 5000. */
  timeout?: number;
}

const kClose = Symbol('close');

/** @internal The streams' connect: see `Proactor[kConnect]`. */
export const kConnect = Symbol('connect');

/** @internal The streams' path to recv / send / readable / flush: see `Proactor[kIo]`. */
export const kIo = Symbol('io');

/** @internal A new connection's error that no operation has reported: see `Proactor[kPendingError]`. */
export const kPendingError = Symbol('pendingError');

/** @internal The streams' half-close: see `Proactor[kShutdown]`. */
export const kShutdown = Symbol('shutdown');

/** @internal What `Proactor[kIo]` does. */
export type IoKind = 'recv' | 'send' | 'readable' | 'flush';

/** @internal `Proactor[kIo]`'s callback: the byte count, or the error. */
export type IoCallback = (value: number, error?: Error) => void;

/** A pipe handle owned by a proactor: a server instance, or a connected pipe. */
export class PipeHandle {
  #closed = false;
  /** @internal */
  constructor(
    /** The proactor that owns the handle; operations on it must go through this proactor. */
    readonly proactor: Proactor,
    /** The proactor's id for the handle. */
    readonly id: number,
    /** The pipe path it was created for or connected to. */
    readonly path: string,
  ) {}
  /** True once `closeHandle` has been called. */
  get closed(): boolean {
    return this.#closed;
  }
  /** @internal */
  [kClose](): void {
    this.#closed = true;
  }
}

interface PendingOperation {
  settle(value: number, errno: number, sysCode: number): void;
  abandon(error: Error): void;
}

const NO_BYTES = new Uint8Array(0);
const BUSY_FIRST_DELAY = 1;
const BUSY_MAX_DELAY = 100;
const DEFAULT_CLOSE_TIMEOUT = 5000;

const liveProactors = new Set<Proactor>();
let closedUnexpected = 0;

// A later throw of one batch, on a tick of its own (see #onBatch).
function rethrow(error: unknown): never {
  throw error;
}

/**
 * A completion engine: an I/O completion port with its own poller thread (Windows), or an
 * epoll instance that Node's event loop watches (Linux), delivering results to JS in batches.
 * Most programs use the shared one from `getDefaultProactor()`.
 */
export class Proactor {
  #native: NativeProactor;
  #scratch: Float64Array;
  #operations = new Map<number, PendingOperation>();
  #handles = new Map<number, PipeHandle>();
  #connects = new Set<(error: Error) => void>();
  #unexpected = 0;
  #closing: Promise<CloseReport> | undefined;
  #drained: (() => void) | undefined;

  constructor() {
    this.#native = new native.Proactor((batch) => this.#onBatch(batch));
    this.#scratch = this.#native.scratch;
    this.waitEngine = chooseWaitEngine(this.#native);
    liveProactors.add(this);
  }

  /**
   * How this proactor waits for handles: `'threadpool'` or `'packet'` on Windows (from
   * `PROACTOR_WAIT_ENGINE`, default `'threadpool'`), `'epoll'` on Linux.
   */
  readonly waitEngine: string;

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Creates a pipe server instance. Windows: `CreateNamedPipeW` (overlapped, byte mode);
   * Linux: a bound, listening AF_UNIX socket. A taken name rejects with `EADDRINUSE`.
   */
  createPipeInstance(path: string, options?: PipeInstanceOptions): Promise<PipeHandle> {
    // Argument errors are thrown; what the OS (or a signal, or close()) says is a rejection.
    const instance = instanceOptions(path, options);
    try {
      return Promise.resolve(this.#createInstance(instance));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * `createPipeInstance`, synchronously: the instance, or a thrown error (`EADDRINUSE`, ...).
   * What it asks of the OS is synchronous anyway; a server uses it to bind during `listen()`,
   * as `node:net` does for pipes.
   */
  createPipeInstanceSync(path: string, options?: PipeInstanceOptions): PipeHandle {
    return this.#createInstance(instanceOptions(path, options));
  }

  #createInstance(options: NativeInstanceOptions): PipeHandle {
    const { path, signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const closed = this.#closedError();
    if (closed) throw closed;
    const id = this.#native.createPipeInstance(
      path,
      options.first,
      options.maxInstances,
      options.backlog,
      options.bufferSize,
      options.rejectRemoteClients,
      options.access,
      options.sddl,
    );
    if (id < 0) throw this.#scratchError('listen', path);
    return this.#adopt(id, path);
  }

  /**
   * Waits for a client on a server instance and resolves with the connected pipe. Windows:
   * overlapped `ConnectNamedPipe`, and the instance itself becomes the connection (a client that
   * connected before the call finishes it at once, L2; one that came and went rejects with
   * `EPIPE`/`ERROR_NO_DATA`, so a server closes that instance and carries on, L10).
   * Linux: `accept4` on the listening socket, resolving with a new handle.
   */
  acceptPipe(instance: PipeHandle, options?: OperationOptions): Promise<PipeHandle> {
    this.#validateHandle(instance, 'instance');
    const { signal } = this.#operationOptions(options);
    return this.#start(
      () => this.#native.accept(instance.id),
      'accept',
      instance.path,
      signal,
      (id) => this.#adopt(id, instance.path),
    );
  }

  /**
   * Connects to a pipe server. A busy server (`ERROR_PIPE_BUSY` on Windows, a full backlog on
   * Linux) is retried on a timer from 1 ms, doubling to 100 ms (DESIGN L7) — no thread waits.
   * No server: `ENOENT`. `timeout` bounds the whole connect (`ETIMEDOUT`); abort stops it at once.
   */
  connectPipe(path: string, options?: ConnectOptions): Promise<PipeHandle> {
    validatePipePath(path);
    const opts = optionsObject(options);
    validateSignal(opts.signal, 'options.signal');
    if (opts.timeout !== undefined) validateTimeout(opts.timeout, 'options.timeout');
    if (opts.onRetry !== undefined) validateFunction(opts.onRetry, 'options.onRetry');
    const signal = opts.signal as AbortSignal | undefined;
    const timeout = opts.timeout as number | undefined;
    const onRetry = opts.onRetry as ConnectOptions['onRetry'];
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const closed = this.#closedError();
    if (closed) return Promise.reject(closed);

    return this[kConnect](path, timeout, signal, onRetry).promise;
  }

  /**
   * @internal connectPipe without the argument checks, and with an `abort()` of its own, so a
   * socket needs no AbortController per connect. The first attempt runs at once; the signal
   * listener and the timers (retry, and the `timeout` deadline) are set up only if the server
   * is busy, which the first attempt learns synchronously.
   */
  [kConnect](
    path: string,
    timeout: number | undefined,
    signal?: AbortSignal,
    onRetry?: ConnectOptions['onRetry'],
  ): { promise: Promise<PipeHandle>; abort(): void } {
    let abort: () => void = () => undefined;
    const promise = new Promise<PipeHandle>((resolve, reject) => {
      let retryTimer: NodeJS.Timeout | undefined;
      let deadlineTimer: NodeJS.Timeout | undefined;
      let delay = BUSY_FIRST_DELAY;
      let attempts = 0;
      let waiting = false;
      let done = false;
      const finish = (error: Error | undefined, handle?: PipeHandle): void => {
        if (done) return;
        done = true;
        if (waiting) {
          clearTimeout(retryTimer);
          clearTimeout(deadlineTimer);
          signal?.removeEventListener('abort', onAbort);
          this.#connects.delete(fail);
        }
        if (error) reject(error);
        else resolve(handle as PipeHandle);
      };
      const fail = (error: Error): void => finish(error);
      const onAbort = (): void => fail(abortError(signal));
      abort = onAbort;
      if (signal?.aborted) return fail(abortError(signal));
      const closed = this.#closedError();
      if (closed) return fail(closed);
      const wait = (): void => {
        if (waiting) return;
        waiting = true;
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#connects.add(fail);
        if (timeout !== undefined) {
          deadlineTimer = setTimeout(() => fail(systemErrorByName('ETIMEDOUT', 'connect', path)), timeout);
        }
      };
      const attempt = (): void => {
        retryTimer = undefined;
        attempts++;
        const id = this.#native.connectPipe(path);
        if (id > 0) return finish(undefined, this.#adopt(id, path));
        const error = this.#scratchError('connect', path);
        if (error.code !== 'EBUSY' && error.code !== 'EAGAIN') return fail(error);
        wait();
        if (done) return; // aborted or closed while adding the listener
        onRetry?.(delay, attempts);
        retryTimer = setTimeout(attempt, delay);
        delay = Math.min(delay * 2, BUSY_MAX_DELAY);
      };
      attempt();
    });
    return { promise, abort: () => abort() };
  }

  /**
   * Reads into `buffer` and resolves with the byte count; 0 means end of stream (a broken pipe
   * or a closed peer is the end of the stream, not an error). The buffer belongs to the
   * operation until it settles.
   */
  recv(handle: PipeHandle, buffer: Uint8Array, options?: OperationOptions): Promise<number> {
    this.#validateHandle(handle, 'handle');
    validateBuffer(buffer, 'buffer');
    // A 0-byte read would be indistinguishable from end of stream.
    if (buffer.byteLength === 0) throw invalidArgValue('buffer', buffer, 'must not be empty');
    const { signal } = this.#operationOptions(options);
    return this.#start(
      () => this.#native.recv(handle.id, buffer, 0, buffer.byteLength),
      'read',
      undefined,
      signal,
      (n) => n,
    );
  }

  /**
   * Resolves once `handle` has data to read, or has reached end of stream, without reading
   * anything and without a buffer: a zero-byte read (Windows `ReadFile` of 0 bytes, Linux epoll
   * readiness). A connection that waits this way pins no memory; `recv` then finds the data at
   * once. Pipe sockets wait like this until their first data.
   */
  readable(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    this.#validateHandle(handle, 'handle');
    const { signal } = this.#operationOptions(options);
    return this.#start(
      () => this.#native.recv(handle.id, NO_BYTES, 0, 0),
      'read',
      undefined,
      signal,
      () => undefined,
    );
  }

  /**
   * @internal recv / send / readable / flush for the streams, with a callback instead of a promise: it
   * runs at once when the operation finishes at once (no promise, no microtask, no Error unless
   * it failed), or with the batch that completes it. The caller has validated its arguments.
   */
  [kIo](kind: IoKind, handle: PipeHandle, buffer: Uint8Array, done: IoCallback): void {
    this.#validateHandle(handle, 'handle');
    const closed = this.#closedError();
    if (closed) return done(0, closed);
    const syscall = kind === 'send' ? 'write' : kind === 'flush' ? 'flush' : 'read';
    const id =
      kind === 'send'
        ? this.#native.send(handle.id, buffer, 0, buffer.byteLength)
        : kind === 'recv'
          ? this.#native.recv(handle.id, buffer, 0, buffer.byteLength)
          : kind === 'flush'
            ? this.#native.flush(handle.id)
            : this.#native.recv(handle.id, NO_BYTES, 0, 0);
    if (id === 0) {
      const [value = 0, errno = 0, sysCode = 0] = this.#scratch;
      if (errno !== 0) return done(0, this.#resultError(errno, sysCode, syscall, undefined, undefined));
      return done(value);
    }
    this.#operations.set(id, {
      settle: (value, errno, sysCode) => {
        if (errno === 0) done(value);
        else done(0, this.#resultError(errno, sysCode, syscall, undefined, undefined));
      },
      abandon: (error) => done(0, error),
    });
  }

  /** Writes all of `buffer` and resolves with the byte count. */
  send(handle: PipeHandle, buffer: Uint8Array, options?: OperationOptions): Promise<number> {
    this.#validateHandle(handle, 'handle');
    validateBuffer(buffer, 'buffer');
    const { signal } = this.#operationOptions(options);
    return this.#start(
      () => this.#native.send(handle.id, buffer, 0, buffer.byteLength),
      'write',
      undefined,
      signal,
      (n) => n,
    );
  }

  /**
   * Resolves once the peer has read everything written to `handle` before the call, or has
   * closed its end (then nothing is left to wait for; not an error). Writes started after it
   * wait for it. Use it before closing a pipe whose last reply must not be cut off.
   *
   * Windows: `FlushFileBuffers`, which has no overlapped form, runs on a thread of ours — unless
   * `NtQueryInformationFile` already shows the outbound buffer empty — and aborting cancels it
   * (`CancelSynchronousIo`). Linux: waits, on epoll, until `SIOCOUTQ` says the peer has read it
   * all; no thread.
   *
   * ```js
   * await proactor.send(pipe, reply);
   * await proactor.flush(pipe, { signal: AbortSignal.timeout(5000) });
   * proactor.closeHandle(pipe);
   * ```
   */
  flush(handle: PipeHandle, options?: OperationOptions): Promise<void> {
    this.#validateHandle(handle, 'handle');
    const { signal } = this.#operationOptions(options);
    return this.#start(
      () => this.#native.flush(handle.id),
      'flush',
      handle.path,
      signal,
      () => undefined,
    );
  }

  /**
   * Takes ownership of an existing pipe: a Windows `HANDLE` or a Linux file descriptor (number or
   * bigint), e.g. a child's stdio pipe. The proactor closes it with `closeHandle`. On Windows the
   * handle must have been opened for overlapped I/O and not yet be tied to another completion
   * port (a handle libuv already uses is refused with `EINVAL`).
   */
  adoptHandle(raw: number | bigint, path = ''): PipeHandle {
    if (typeof raw === 'number') validateInteger(raw, 'raw', 0, Number.MAX_SAFE_INTEGER);
    else if (typeof raw !== 'bigint') throw invalidArgType('raw', 'of type number or bigint', raw);
    else if (raw < 0n || raw >= 2n ** 64n) throw outOfRange('raw', '>= 0 and < 2 ** 64', raw);
    validateString(path, 'path');
    const closed = this.#closedError();
    if (closed) throw closed;
    const id = this.#native.adoptHandle(raw);
    if (id < 0) throw this.#scratchError('adopt', path);
    return this.#adopt(id, path);
  }

  /**
   * Half-close: this end will write no more and the peer reads end of stream, while reads here
   * go on. Linux: `shutdown(SHUT_WR)`. Windows byte-mode pipes cannot half-close: `ENOTSUP`.
   * There, as libuv does, `flush()` and keep reading until the peer closes or goes quiet (what
   * `PipeSocket.end()` does), then close.
   */
  shutdownWrite(handle: PipeHandle): void {
    this.#validateHandle(handle, 'handle');
    if (this.#native.shutdownWrite(handle.id) < 0) throw this.#scratchError('shutdown', handle.path);
  }

  /**
   * @internal For the streams' connect, when it reports `connect`: an error the OS holds for the
   * new connection (Linux: the server closed with it still queued, `ECONNRESET`), as libuv
   * checks `SO_ERROR` before it calls a connect back. Undefined when there is none.
   */
  [kPendingError](handle: PipeHandle): Error | undefined {
    if (handle.closed || this.closed || this.#native.pendingError(handle.id) >= 0) return undefined;
    return this.#scratchError('connect', handle.path);
  }

  /**
   * @internal `shutdownWrite` for the streams' `end()`, reporting instead of throwing: `'done'`
   * (the peer reads end of stream; also when the peer is already gone), `'unsupported'` where
   * pipes cannot half-close (Windows byte pipes: the stream flushes instead), or the error.
   */
  [kShutdown](handle: PipeHandle): 'done' | 'unsupported' | Error {
    if (handle.closed || this.closed) return 'done';
    if (this.#native.shutdownWrite(handle.id) >= 0) return 'done';
    const code = errnoName(this.#scratch[1] as number);
    if (code === 'ENOTSUP') return 'unsupported';
    if (code === 'ENOTCONN') return 'done';
    return this.#scratchError('shutdown', handle.path);
  }

  /**
   * The process id at the other end of a connected pipe. Windows: `GetNamedPipeClientProcessId`
   * on a server's connection, `GetNamedPipeServerProcessId` on a client's; Linux: `SO_PEERCRED`
   * (the peer's pid when it connected or listened).
   */
  peerPid(handle: PipeHandle): number {
    this.#validateHandle(handle, 'handle');
    const pid = this.#native.peerPid(handle.id);
    if (pid < 0) throw this.#scratchError('peerPid', handle.path);
    return pid;
  }

  /**
   * Waits until `handle` is signalled: a Windows waitable `HANDLE` (event, process, ...) or a
   * Linux pollable fd (eventfd, pidfd, ...), as a number or bigint. Resolves true when it is
   * signalled, false when `timeout` ms passed first (asyncio's contract); abort rejects with an
   * `AbortError`. The handle is duplicated at the call, so closing yours meanwhile is safe.
   *
   * Windows does this on the thread pool (`RegisterWaitForSingleObject`) by default, or with
   * kernel wait packets (no thread per 63 waits) when `PROACTOR_WAIT_ENGINE=packet` and the
   * system has them; cancellation is deterministic with both (DESIGN L8).
   */
  waitForHandle(handle: number | bigint, options?: WaitOptions): Promise<boolean> {
    validateRawHandle(handle, 'handle');
    const { signal, timeout } = this.#waitOptions(options);
    return this.#start(
      () => this.#native.waitHandle(handle),
      'wait',
      undefined,
      signal,
      () => true,
      timeout === undefined ? undefined : { ms: timeout, onTimeout: () => false },
    );
  }

  /**
   * Waits for process `pid` to exit — any process, not only a child. The process is opened at
   * the call (Windows `OpenProcess`, Linux `pidfd_open`), so a later reuse of the pid cannot
   * answer for another process. Resolves with the exit code or the signal that ended it;
   * Windows gives the exit code of any process, Linux only of this process's children (read
   * without reaping, so Node's own child watch is unaffected), else both are null. No such
   * process: `ESRCH`; not allowed: `EPERM`; `timeout`: `ETIMEDOUT`.
   */
  waitForProcess(pid: number, options?: WaitOptions): Promise<ProcessExit> {
    validatePid(pid, 'pid');
    const { signal, timeout } = this.#waitOptions(options);
    return this.#start(
      () => this.#native.waitProcess(pid),
      'waitpid',
      undefined,
      signal,
      (value) => processExit(value),
      timeout === undefined
        ? undefined
        : {
            ms: timeout,
            onTimeout: () => {
              throw systemErrorByName('ETIMEDOUT', 'waitpid');
            },
          },
    );
  }

  /** Cancels every pending operation on `handle` (each rejects with AbortError unless it won the race). */
  cancel(handle: PipeHandle): void {
    this.#validateHandle(handle, 'handle', false);
    if (!handle.closed && !this.closed) this.#native.cancelHandle(handle.id);
  }

  /** Closes `handle`. Its pending operations reject with AbortError. Closing twice is a no-op. */
  closeHandle(handle: PipeHandle): void {
    this.#validateHandle(handle, 'handle', false);
    if (handle.closed) return;
    handle[kClose]();
    this.#handles.delete(handle.id);
    if (!this.closed) this.#native.closeHandle(handle.id);
  }

  /** Lets the process exit while `handle` has pending operations (as `socket.unref()`). */
  unrefHandle(handle: PipeHandle): void {
    this.#validateHandle(handle, 'handle', false);
    if (!handle.closed && !this.closed) this.#native.setHandleRef(handle.id, false);
  }

  /** Undoes `unrefHandle`: pending operations on `handle` keep the process alive again. */
  refHandle(handle: PipeHandle): void {
    this.#validateHandle(handle, 'handle', false);
    if (!handle.closed && !this.closed) this.#native.setHandleRef(handle.id, true);
  }

  stats(): ProactorStats {
    const [pending = 0, completed = 0, cancelled = 0, unexpected = 0, batches = 0] = this.closed
      ? this.#finalStats
      : this.#native.stats();
    return { pending, completed, cancelled, unexpected: unexpected + this.#unexpected, batches };
  }

  #finalStats: Float64Array = new Float64Array(5);

  /**
   * Cancels every operation and connect, waits for their completions up to `timeout` ms, then
   * stops the poller and closes every handle (DESIGN L9: bounded, never hangs). Every
   * promise settles; the report lists operations that never completed. Calling it again returns
   * the same report.
   */
  close(options?: ProactorCloseOptions): Promise<CloseReport> {
    const opts = optionsObject(options);
    const timeout = opts.timeout ?? DEFAULT_CLOSE_TIMEOUT;
    validateTimeout(timeout, 'options.timeout');
    this.#closing ??= this.#close(timeout);
    return this.#closing;
  }

  async #close(timeout: number): Promise<CloseReport> {
    for (const fail of [...this.#connects])
      fail(codedError('ERR_PROACTOR_CLOSED', 'The proactor was closed'));
    this.#native.cancelAll();
    let timedOut = false;
    if (this.#operations.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeout);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#drained = undefined;
    }
    const unfinished = this.#native.shutdown();
    this.#finalStats = this.#native.stats();
    const operations: { id: number; kind: string }[] = [];
    for (let i = 0; i + 1 < unfinished.length; i += 2) {
      operations.push({ id: Number(unfinished[i]), kind: String(unfinished[i + 1]) });
    }
    for (const operation of this.#operations.values()) {
      operation.abandon(
        codedError('ERR_PROACTOR_CLOSED', 'The proactor was closed before the operation completed'),
      );
    }
    this.#operations.clear();
    for (const handle of this.#handles.values()) handle[kClose]();
    this.#handles.clear();
    liveProactors.delete(this);
    closedUnexpected += this.stats().unexpected;
    return { timedOut, pending: operations.length, operations };
  }

  // One call per batch of completions. A callback that throws (a user's 'data' handler, run
  // from a read's completion) must not cost the other operations of the batch their results:
  // each is settled, and then the first throw goes on to Node, which reports it as it reports a
  // throw from any callback ('uncaughtException'); any later ones follow it, one per tick.
  #onBatch(batch: Float64Array): void {
    let thrown: { error: unknown } | undefined;
    for (let i = 0; i + 3 < batch.length; i += 4) {
      const id = batch[i] as number;
      const operation = this.#operations.get(id);
      if (operation === undefined) {
        this.#unexpected++;
        continue;
      }
      this.#operations.delete(id); // L3: finished means forgotten
      try {
        operation.settle(batch[i + 1] as number, batch[i + 2] as number, batch[i + 3] as number);
      } catch (error) {
        if (thrown === undefined) thrown = { error };
        else process.nextTick(rethrow, error);
      }
    }
    if (this.#operations.size === 0) this.#drained?.();
    if (thrown !== undefined) throw thrown.error;
  }

  /**
   * Starts an operation and ties its completion to a promise. With `timeout`, the operation is
   * cancelled when the time is up, and if the cancel wins, `onTimeout()` settles it instead
   * (its return value resolves, a throw rejects).
   */
  #start<T>(
    start: () => number,
    syscall: string,
    address: string | undefined,
    signal: AbortSignal | undefined,
    map: (value: number) => T,
    timeout?: { ms: number; onTimeout: () => T },
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const closed = this.#closedError();
    if (closed) return Promise.reject(closed);
    const id = start();
    if (id === 0) {
      const [value = 0, errno = 0, sysCode = 0] = this.#scratch;
      if (errno !== 0) return Promise.reject(this.#resultError(errno, sysCode, syscall, address, signal));
      return Promise.resolve(map(value));
    }
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const onAbort = (): void => this.#native.cancel(id);
      const timer =
        timeout &&
        setTimeout(() => {
          timedOut = true;
          this.#native.cancel(id);
        }, timeout.ms);
      const cleanup = (): void => {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#operations.set(id, {
        settle: (value, errno, sysCode) => {
          cleanup();
          if (errno === 0) return resolve(map(value));
          // A cancel we made for the timeout, not for the signal (which may have come too).
          if (timeout && timedOut && !signal?.aborted && errnoName(errno) === 'ECANCELED') {
            try {
              return resolve(timeout.onTimeout());
            } catch (error) {
              return reject(error as Error);
            }
          }
          reject(this.#resultError(errno, sysCode, syscall, address, signal));
        },
        abandon: (error) => {
          cleanup();
          reject(error);
        },
      });
    });
  }

  #resultError(
    errno: number,
    sysCode: number,
    syscall: string,
    address: string | undefined,
    signal: AbortSignal | undefined,
  ): Error {
    if (errnoName(errno) === 'ECANCELED') return abortError(signal);
    return systemError(errno, sysCode, syscall, address);
  }

  #scratchError(syscall: string, address: string): ReturnType<typeof systemError> {
    return systemError(this.#scratch[1] as number, this.#scratch[2] as number, syscall, address);
  }

  #adopt(id: number, path: string): PipeHandle {
    let handle = this.#handles.get(id);
    if (handle === undefined) {
      handle = new PipeHandle(this, id, path);
      this.#handles.set(id, handle);
    }
    return handle;
  }

  #closedError(): Error | undefined {
    return this.closed ? codedError('ERR_PROACTOR_CLOSED', 'The proactor is closed') : undefined;
  }

  #validateHandle(handle: unknown, name: string, mustBeOpen = true): asserts handle is PipeHandle {
    if (!(handle instanceof PipeHandle)) throw invalidArgValue(name, handle, 'must be a PipeHandle');
    if (handle.proactor !== this) throw invalidArgValue(name, handle, 'belongs to another proactor');
    if (mustBeOpen && handle.closed) throw systemErrorByName('EBADF', 'proactor', handle.path);
  }

  #waitOptions(options: unknown): { signal: AbortSignal | undefined; timeout: number | undefined } {
    const opts = optionsObject(options);
    validateSignal(opts.signal, 'options.signal');
    if (opts.timeout !== undefined) validateTimeout(opts.timeout, 'options.timeout');
    return { signal: opts.signal as AbortSignal | undefined, timeout: opts.timeout as number | undefined };
  }

  #operationOptions(options: unknown): { signal: AbortSignal | undefined } {
    const opts = optionsObject(options);
    validateSignal(opts.signal, 'options.signal');
    return { signal: opts.signal as AbortSignal | undefined };
  }
}

let defaultProactor: Proactor | undefined;

/** The process's shared proactor, created on first use (and again after it was closed). */
export function getDefaultProactor(): Proactor {
  if (defaultProactor === undefined || defaultProactor.closed) defaultProactor = new Proactor();
  return defaultProactor;
}

/** Completions for unknown operations across every proactor of this process (DESIGN L4). */
export function unexpectedCompletions(): number {
  let total = closedUnexpected;
  for (const proactor of liveProactors) total += proactor.stats().unexpected;
  return total;
}
