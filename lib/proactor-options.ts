// The options and reports of the low-level API (lib/proactor.ts), and their checks: argument
// errors are thrown synchronously, with Node's codes.
import { constants as osConstants } from 'node:os';
import type { InstanceSettings } from './engine/engine.js';
import {
  optionsObject,
  validateBoolean,
  validateFunction,
  validateInteger,
  validateSignal,
  validateString,
  validateDelay,
} from './validate.js';

/** Counters of one proactor's operations, as `Proactor.stats()` reports them (no OS call). */
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

/** What `Proactor.close()` found. */
export interface CloseReport {
  /** True when operations were still pending when the time limit ran out. */
  timedOut: boolean;
  /** How many operations never completed. Their memory is kept, never freed under the OS (L1). */
  pending: number;
  /**
   * The operations that never completed: their ids and kinds, named as the method that started
   * them (`'acceptPipe'`, `'recv'`, `'send'`, `'flush'`, `'waitForHandle'`, `'waitForProcess'`;
   * a socket's reads are `'recv'`).
   */
  operations: { id: number; kind: string }[];
}

/**
 * `Proactor.close()`'s options. Errors (thrown by `close()`): a `timeout` that is no number
 * `ERR_INVALID_ARG_TYPE`, negative or not finite `ERR_OUT_OF_RANGE`.
 */
export interface ProactorCloseOptions {
  /** Milliseconds to wait for cancelled operations to complete. Default 5000. */
  timeout?: number;
}

/**
 * Every operation's options. Errors (thrown by the method): options that are no object, or a
 * `signal` that is no `AbortSignal`, `ERR_INVALID_ARG_TYPE`.
 */
export interface OperationOptions {
  /**
   * Aborting cancels the operation (Windows `CancelIoEx`, or the wait's own cancel; Linux: it
   * leaves its epoll wait); it rejects with an `AbortError` (`cause`: the signal's reason)
   * unless it completed first (L5). Already aborted: it rejects at once and starts nothing.
   */
  signal?: AbortSignal;
}

/**
 * `createPipeInstance`'s options: how the OS creates the pipe. Errors (thrown by the method): a
 * wrong type `ERR_INVALID_ARG_TYPE`; a number out of its range `ERR_OUT_OF_RANGE`.
 *
 * @example
 * ```js
 * import { getDefaultProactor, pipePath } from 'proactor';
 * const proactor = getDefaultProactor();
 * const instance = await proactor.createPipeInstance(pipePath('options'), {
 *   maxInstances: 1,
 *   currentUserOnly: true,
 * });
 * proactor.closeHandle(instance);
 * ```
 */
export interface PipeInstanceOptions extends OperationOptions {
  /**
   * Windows: create the pipe with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so the call fails with
   * `EADDRINUSE` if anyone (including another process squatting on the name) already has an
   * instance. Default true. Linux: ignored (binding a taken path always fails).
   */
  first?: boolean;
  /**
   * Windows: the most instances this pipe name may have (1–255, 255 = unlimited:
   * `PIPE_UNLIMITED_INSTANCES`). Default 255. Linux: ignored.
   */
  maxInstances?: number;
  /**
   * Linux: the `listen(2)` backlog. Default 4096 (node:net: 511), which the kernel caps at
   * `net.core.somaxconn`: a burst of clients queues instead of being told the server is busy
   * (node:net's clients then fail with EAGAIN; ours retry from 1 ms, which costs them time).
   * The figures behind the default are in bench/decisions.md. Windows: ignored.
   */
  backlog?: number;
  /**
   * Windows: the in and out buffer sizes the pipe is created with (`CreateNamedPipeW`'s
   * `nOutBufferSize` / `nInBufferSize`). Default 262144 (libuv uses 65536): a writer can run
   * that much further ahead of its reader, which speeds up bulk transfer (bench/decisions.md).
   * Linux: ignored.
   */
  bufferSize?: number;
  /** Windows: refuse clients from other machines (`PIPE_REJECT_REMOTE_CLIENTS`). Default true. */
  rejectRemoteClients?: boolean;
  /**
   * Only this user may connect. Windows: a protected DACL granting only the current user's SID;
   * Linux: the socket file's mode becomes 0600 (`chmod`). Wins over `readableAll` and
   * `writableAll`. Default false.
   */
  currentUserOnly?: boolean;
  /**
   * As node:net: everyone may read. Windows: a protected DACL for this user, SYSTEM and
   * administrators, plus read for Everyone; Linux: the r bits (`chmod`). Default false.
   */
  readableAll?: boolean;
  /**
   * As node:net: everyone may write, and so connect. Windows: as `readableAll`, with write for
   * Everyone; Linux: the w bits (`chmod`). Default false.
   */
  writableAll?: boolean;
  /**
   * Windows: the pipe's security descriptor as SDDL, e.g. `'D:P(A;;GA;;;BA)'`
   * (`ConvertStringSecurityDescriptorToSecurityDescriptorW`; a malformed one rejects). Wins over
   * the flags. Linux: ignored.
   */
  sddl?: string;
}

/**
 * `connectPipe`'s options. Errors (thrown by it): a wrong type `ERR_INVALID_ARG_TYPE`; a
 * negative or non-finite `timeout` `ERR_OUT_OF_RANGE`.
 */
export interface ConnectOptions extends OperationOptions {
  /** Milliseconds the whole connect may take, busy retries included; then `ETIMEDOUT`. A JS timer. */
  timeout?: number;
  /**
   * Called before each wait while the server is busy (`ERROR_PIPE_BUSY` / `EAGAIN`), with the
   * delay: 1 ms, doubling to 100 ms (DESIGN L7). For diagnostics and tests.
   */
  onRetry?: (delayMs: number, attempt: number) => void;
}

/**
 * The options of `waitForHandle`, `waitForProcess` and `waitForExit`. Errors (thrown): a wrong
 * type `ERR_INVALID_ARG_TYPE`; a negative or non-finite `timeout` `ERR_OUT_OF_RANGE`.
 */
export interface WaitOptions extends OperationOptions {
  /**
   * Milliseconds to wait at most (a JS timer, which then cancels the wait as an abort does).
   * `waitForHandle` then resolves false; `waitForProcess` and `waitForExit` reject `ETIMEDOUT`.
   */
  timeout?: number;
  /**
   * Whether the pending wait keeps the process alive (default true). With `false` it does not,
   * as `child.unref()`; its result is still delivered whenever the event loop runs for
   * another reason.
   */
  ref?: boolean;
}

/** How a process ended: exactly one of the two is set, or neither when the OS will not say. */
export interface ProcessExit {
  /** The exit code (Windows: `GetExitCodeProcess`; Linux: `waitid`, children only), or null. */
  exitCode: number | null;
  /** The signal that ended it (Linux: `waitid`, children only), e.g. `'SIGKILL'`, or null. */
  signalCode: NodeJS.Signals | null;
}

/** The native wait result as a `ProcessExit`: an exit code (>= 0), minus the signal number, or NaN. */
export function processExit(value: number): ProcessExit {
  if (Number.isNaN(value)) return { exitCode: null, signalCode: null };
  if (value >= 0) return { exitCode: value, signalCode: null };
  const name = Object.entries(osConstants.signals).find(([, number]) => number === -value)?.[0];
  return { exitCode: null, signalCode: (name ?? null) as NodeJS.Signals | null };
}

/** `createPipeInstance`'s options, checked, with the defaults filled in (`path` is checked apart). */
export function instanceSettings(
  path: string,
  options: PipeInstanceOptions | undefined,
): { settings: InstanceSettings; signal: AbortSignal | undefined } {
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
  const currentUserOnly = opts.currentUserOnly ?? false;
  validateBoolean(currentUserOnly, 'options.currentUserOnly');
  const readableAll = opts.readableAll ?? false;
  validateBoolean(readableAll, 'options.readableAll');
  const writableAll = opts.writableAll ?? false;
  validateBoolean(writableAll, 'options.writableAll');
  const sddl = opts.sddl;
  if (sddl !== undefined) validateString(sddl, 'options.sddl');
  const { signal } = operationOptions(opts);
  const settings = { path, first, maxInstances, backlog, bufferSize, rejectRemoteClients };
  return { settings: { ...settings, currentUserOnly, readableAll, writableAll, sddl }, signal };
}

/** An operation's options: `{ signal }`. */
export function operationOptions(options: unknown): { signal: AbortSignal | undefined } {
  const opts = optionsObject(options);
  validateSignal(opts.signal, 'options.signal');
  return { signal: opts.signal as AbortSignal | undefined };
}

/** A wait's options: `{ signal, timeout }`. */
export function waitOptions(options: unknown): {
  signal: AbortSignal | undefined;
  timeout: number | undefined;
  ref: boolean;
} {
  const opts = optionsObject(options);
  validateSignal(opts.signal, 'options.signal');
  if (opts.timeout !== undefined) validateDelay(opts.timeout, 'options.timeout');
  if (opts.ref !== undefined) validateBoolean(opts.ref, 'options.ref');
  return {
    signal: opts.signal as AbortSignal | undefined,
    timeout: opts.timeout as number | undefined,
    ref: opts.ref !== false,
  };
}

/** `connectPipe`'s options: `{ signal, timeout, onRetry }`. */
export function connectOptions(options: unknown): {
  signal: AbortSignal | undefined;
  timeout: number | undefined;
  onRetry: ConnectOptions['onRetry'];
} {
  const { signal, timeout } = waitOptions(options);
  const onRetry = optionsObject(options).onRetry;
  if (onRetry !== undefined) validateFunction(onRetry, 'options.onRetry');
  return { signal, timeout, onRetry: onRetry as ConnectOptions['onRetry'] };
}

/** `close()`'s time limit. */
export function closeTimeout(options: ProactorCloseOptions | undefined, fallback: number): number {
  const timeout = optionsObject(options).timeout ?? fallback;
  validateDelay(timeout, 'options.timeout');
  return timeout;
}
