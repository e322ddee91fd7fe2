// What PipeSocket and connect() take, and the checks on connect's arguments.
import type { DuplexOptions } from 'node:stream';
import { invalidArgType, invalidArgValue } from '../errors.js';
import { validatePipePath } from '../pipe-path.js';
import type { PipeHandle, Proactor } from '../proactor.js';
import { validateSignal, validateTimeout } from '../validate.js';

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
  /** Start with reading paused, as a server's sockets are with `pauseOnConnect`. */
  pauseOnCreate?: boolean;
  /** Destroy the socket (with an `AbortError`) when this signal aborts. */
  signal?: AbortSignal;
  /** The proactor that runs this socket's I/O. Default: `getDefaultProactor()`. */
  proactor?: Proactor;
}

/** What `connect()` takes, besides a bare path. */
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
export function normalizeConnectArgs(options: unknown): PipeConnectOptions {
  if (typeof options === 'string') {
    validatePipePath(options, 'path');
    return { path: options };
  }
  if (options === null || typeof options !== 'object') {
    throw invalidArgType('options', 'of type string or object', options);
  }
  const { path, timeout, signal } = options as Record<string, unknown>;
  if (path === undefined) throw invalidArgValue('options', options, 'must have the property "path"');
  validatePipePath(path, 'options.path');
  if (timeout !== undefined) validateTimeout(timeout, 'options.timeout');
  validateSignal(signal, 'options.signal');
  return { path, timeout: timeout as number | undefined, signal: signal as AbortSignal | undefined };
}
