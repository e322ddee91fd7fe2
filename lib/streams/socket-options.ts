// What PipeSocket and connect() take, the checks on them, and what PipeSocket hands to Duplex.
import type { DuplexOptions } from 'node:stream';
import { codedError, invalidArgType, invalidArgValue, outOfRange, systemErrorByName } from '../errors.js';
import { validatePipePathSyntax, windowsPipePathProblem } from '../pipe-path.js';
import { PipeHandle, type Proactor } from '../proactor.js';
import { validateSignal, validateTimeout } from '../validate.js';
import { DEFAULT_READ_SIZE } from './read-buffers.js';

/** libuv's `eof_timeout` for Windows pipes after a shutdown: 50 ms. */
export const DEFAULT_EOF_TIMEOUT = 50;

/**
 * `new PipeSocket(options)`'s options: `stream.Duplex`'s (but object modes), plus these.
 * Errors (thrown by the constructor): a wrong type `ERR_INVALID_ARG_TYPE`; a negative
 * `eofTimeout` `ERR_OUT_OF_RANGE`; an object mode `ERR_INVALID_ARG_VALUE`.
 *
 * @example
 * ```js
 * import { PipeSocket } from 'proactor';
 * const socket = new PipeSocket({ allowHalfOpen: true, eofTimeout: Infinity });
 * ```
 */
export interface PipeSocketOptions extends Omit<
  DuplexOptions,
  'read' | 'write' | 'writev' | 'final' | 'destroy' | 'objectMode'
> {
  /**
   * Wrap a pipe that is already open: a `PipeHandle` from the low-level API, or a raw OS handle
   * (a Windows `HANDLE` or a Linux file descriptor, as a number or bigint) that the proactor
   * takes ownership of (see `Proactor.adoptHandle`).
   */
  handle?: PipeHandle | number | bigint;
  /**
   * As `net.Socket`: when false (the default) the socket ends its writable side as soon as the
   * peer ends. When true, a socket whose peer ended may still write — on Linux only: Windows
   * byte pipes cannot half-close, so there the peer's end is its close.
   */
  allowHalfOpen?: boolean;
  /** Start with reading paused (no read is issued), as a server's sockets are with `pauseOnConnect`. */
  pauseOnCreate?: boolean;
  /** Destroy the socket (with an `AbortError`) when this signal aborts. */
  signal?: AbortSignal;
  /**
   * Windows: after `end()` the socket keeps reading (byte pipes cannot half-close), and a read
   * that has waited this many milliseconds for a quiet peer is the end of the stream: the pipe
   * is then closed (`CloseHandle`), so the peer sees its end too. `Infinity` waits for the peer
   * to close. Default 50, libuv's `eof_timeout`, so the socket behaves as `net.Socket` does on
   * Windows. Each read restarts the wait; it starts once the peer has read everything written.
   * Linux half-closes for real and ignores it.
   */
  eofTimeout?: number;
  /**
   * As `net.Socket`'s: reads go into `buffer` (or the buffer `buffer()` returns, for each read),
   * and `callback(bytesRead, buffer)` gets each of them instead of `'data'` events. A callback
   * that returns `false` pauses reading until `resume()`. The buffer belongs to the read in
   * flight until its callback runs.
   */
  onread?: {
    buffer: Uint8Array | (() => Uint8Array);
    callback(bytesRead: number, buffer: Uint8Array): unknown;
  };
  /** The proactor that runs this socket's I/O. Default: `getDefaultProactor()`. */
  proactor?: Proactor;
}

/**
 * What `connect()` takes, besides a bare path. Errors (thrown by `connect()`): no `path`
 * `ERR_INVALID_ARG_VALUE`; a wrong type `ERR_INVALID_ARG_TYPE`; a negative or non-finite
 * `timeout` `ERR_OUT_OF_RANGE`.
 */
export interface PipeConnectOptions {
  /** The pipe path: `\\.\pipe\name` on Windows, a socket file on Linux (see `pipePath`). */
  path: string;
  /**
   * Milliseconds the whole connect may take, retries on a busy pipe included; then the socket
   * is destroyed with `ETIMEDOUT`. Once connected, it is the socket's idle timeout, as
   * `net.connect({ timeout })` sets it (`socket.setTimeout(timeout)`).
   */
  timeout?: number;
  /** Aborting stops a connect at once, or destroys the connected socket, with an `AbortError`. */
  signal?: AbortSignal;
}

/** `connect`'s first argument: a path, or `{ path, timeout, signal }`. */
export interface ConnectTarget extends PipeConnectOptions {
  /** The error a path that cannot name a pipe gives (Windows): node:net reports it asynchronously. */
  invalid?: Error;
}

/**
 * Checks `connect(options)`. `argumentCount` tells `connect()` from `connect(undefined)`: the
 * first, as for node:net, is `ERR_MISSING_ARGS`.
 */
export function normalizeConnectArgs(options: unknown, argumentCount = 1): ConnectTarget {
  if (argumentCount === 0) {
    throw codedError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified');
  }
  let target: ConnectTarget;
  if (typeof options === 'string') {
    validatePipePathSyntax(options, 'path');
    target = { path: options };
  } else {
    if (options === null || typeof options !== 'object') {
      throw invalidArgType('options', 'of type string or object', options);
    }
    const { path, timeout, signal } = options as Record<string, unknown>;
    if (path === undefined) throw invalidArgValue('options', options, 'must have the property "path"');
    validatePipePathSyntax(path, 'options.path');
    if (timeout !== undefined) validateTimeout(timeout, 'options.timeout');
    validateSignal(signal, 'options.signal');
    target = { path, timeout: timeout as number | undefined, signal: signal as AbortSignal | undefined };
  }
  const problem = windowsPipePathProblem(target.path);
  if (problem !== undefined) {
    target.invalid = invalidPipePath(systemErrorByName('ENOENT', 'connect', target.path), problem);
  }
  return target;
}

/**
 * The error node:net gives on Windows for a name that cannot be a pipe (libuv reports `connect`
 * ENOENT, `listen` EACCES), with our reason added to its message.
 */
export function invalidPipePath<E extends Error>(error: E, problem: string): E {
  error.message += ` (the path ${problem})`;
  return error;
}

/** `new PipeSocket(options)`'s options, checked: thrown errors as `PipeSocketOptions` says. */
export function checkedSocketOptions(options: PipeSocketOptions | undefined): PipeSocketOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgType('options', 'of type object', options);
  }
  const checked = options ?? {};
  validateSocketOptions(checked as Record<string, unknown>);
  return checked;
}

/**
 * What PipeSocket hands to `stream.Duplex`: its options but `signal`, which PipeSocket watches
 * itself (one listener): Duplex would watch it too, and an aborted one would destroy the stream
 * inside super(), before PipeSocket is set up.
 */
export function duplexOptions(options: PipeSocketOptions): DuplexOptions {
  const duplex: DuplexOptions = {
    ...options,
    readableHighWaterMark: options.readableHighWaterMark ?? DEFAULT_READ_SIZE,
    allowHalfOpen: Boolean(options.allowHalfOpen),
    // As net.Socket: 'close' is PipeSocket's to emit, with hadError, once the handle is closed.
    emitClose: false,
    autoDestroy: true,
  };
  delete duplex.signal;
  return duplex;
}

/** Checks the options PipeSocket adds to Duplex's. */
function validateSocketOptions(options: Record<string, unknown>): void {
  validateSignal(options.signal, 'options.signal');
  const { handle, eofTimeout } = options;
  if (
    handle !== undefined &&
    !(handle instanceof PipeHandle) &&
    typeof handle !== 'number' &&
    typeof handle !== 'bigint'
  ) {
    throw invalidArgType('options.handle', 'a PipeHandle, a number or a bigint', handle);
  }
  validateEofTimeout(eofTimeout, 'options.eofTimeout');
  // As net.Socket: a byte stream, never an object stream.
  for (const name of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
    if (options[name]) throw invalidArgValue(`options.${name}`, options[name], 'is not supported');
  }
}

export function validateEofTimeout(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= 0)) throw outOfRange(name, '>= 0 (Infinity waits for the peer)', value);
}

/** `onread` as net.Socket takes it: used only when it has a buffer (or a function) and a callback. */
export function usableOnread(onread: PipeSocketOptions['onread']): PipeSocketOptions['onread'] {
  if (onread === null || typeof onread !== 'object') return undefined;
  const { buffer, callback } = onread;
  if (!(buffer instanceof Uint8Array) && typeof buffer !== 'function') return undefined;
  return typeof callback === 'function' ? onread : undefined;
}
