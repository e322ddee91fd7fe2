// Errors shaped like Node's own: argument errors with Node's codes, thrown synchronously;
// system errors with code/errno/syscall/address (and winerror on Windows); AbortError.
import { getSystemErrorMap, inspect } from 'node:util';
import { SCRATCH_SYS_ERROR, SCRATCH_UV_ERROR } from './engine/wire.js';
import { native } from './native.js';

type CodedError<E extends Error> = E & { code: string };

function coded<E extends Error>(error: E, code: string): CodedError<E> {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  // Node prints "TypeError [ERR_X]: message" in the stack's first line.
  error.stack = error.stack?.replace(/^(\w*Error)/, `$1 [${code}]`);
  return error as CodedError<E>;
}

/** How Node's errors describe a received value ("type number (1)", "an instance of Foo", ...). */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${String(value)}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

/** `ERR_INVALID_ARG_TYPE`: `expected` reads like "of type string" or "an instance of AbortSignal". */
export function invalidArgType(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  const what = name.includes('.') ? `"${name}" property` : `"${name}" argument`;
  return coded(
    new TypeError(`The ${what} must be ${expected}.${describeReceived(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/** `ERR_INVALID_ARG_VALUE`: `reason` reads like "must be a pipe name". */
export function invalidArgValue(name: string, value: unknown, reason: string): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  const shown = inspect(value, { colors: false, maxStringLength: 300 });
  return coded(new TypeError(`The ${kind} '${name}' ${reason}. Received ${shown}`), 'ERR_INVALID_ARG_VALUE');
}

/** `ERR_OUT_OF_RANGE`: `range` reads like ">= 0". */
export function outOfRange(name: string, range: string, value: unknown): CodedError<RangeError> {
  return coded(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(value)}`),
    'ERR_OUT_OF_RANGE',
  );
}

/** A Node-style error with only a code (e.g. `ERR_SERVER_NOT_RUNNING`). */
export function codedError(code: string, message: string): CodedError<Error> {
  return coded(new Error(message), code);
}

/** A Node-style TypeError with only a code (e.g. `ERR_INVALID_HANDLE_TYPE`). */
export function codedTypeError(code: string, message: string): CodedError<TypeError> {
  return coded(new TypeError(message), code);
}

// util.getSystemErrorMap() builds a new Map on every call: read it once.
let systemErrors: Map<number, [string, string]> | undefined;
let errnoByName: Map<string, number> | undefined;

function errorMap(): Map<number, [string, string]> {
  systemErrors ??= getSystemErrorMap();
  return systemErrors;
}

/** The running platform's libuv error number for a code name such as `'ETIMEDOUT'`. */
export function errnoOf(code: string): number {
  if (errnoByName === undefined) {
    errnoByName = new Map();
    for (const [errno, [name]] of errorMap()) errnoByName.set(name, errno);
  }
  return errnoByName.get(code) ?? 0;
}

/** The code name of a libuv error number on this platform, e.g. -2 → `'ENOENT'` on Linux. */
export function errnoName(errno: number): string {
  return errorMap().get(errno)?.[0] ?? `UNKNOWN`;
}

export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  /** The raw Win32 error code, on Windows. */
  winerror?: number;
}

/**
 * A system error as Node builds one: `"<syscall> <CODE> <address>"`, with `code`, `errno`
 * (negative, libuv's), `syscall`, `address` and, on Windows, `winerror`.
 */
export function systemError(errno: number, sysCode: number, syscall: string, address?: string): SystemError {
  const code = errnoName(errno);
  const error = new Error(`${syscall} ${code}${address === undefined ? '' : ` ${address}`}`) as SystemError;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  if (process.platform === 'win32' && sysCode !== 0) error.winerror = sysCode;
  return error;
}

/** The error a failed module call (which returned -1) left in the addon module's scratch. */
export function moduleError(syscall: string): SystemError {
  const { scratch } = native;
  return systemError(scratch[SCRATCH_UV_ERROR] as number, scratch[SCRATCH_SYS_ERROR] as number, syscall);
}

/** A system error made in JS (no OS call failed), e.g. `ETIMEDOUT` for a connect timeout. */
export function systemErrorByName(code: string, syscall: string, address?: string): SystemError {
  return systemError(errnoOf(code), 0, syscall, address);
}

/**
 * Node's `AbortError`: `name` `'AbortError'`, `code` `'ABORT_ERR'`, `cause` the signal's reason.
 * Every cancelled operation rejects with one (DESIGN §4). No OS call; errors: none.
 *
 * @example
 * ```js
 * import { AbortError, waitForHandle, createEvent } from 'proactor';
 * const event = createEvent();
 * const error = await waitForHandle(event.handle, { signal: AbortSignal.abort() }).catch((e) => e);
 * console.log(error instanceof AbortError, error.code); // true 'ABORT_ERR'
 * event.close();
 * ```
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function abortError(signal?: AbortSignal): AbortError {
  return signal?.aborted ? new AbortError(undefined, { cause: signal.reason }) : new AbortError();
}
