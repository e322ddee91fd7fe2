// Shared by the socket and the server: what a server-side socket knows of its server, watching
// an abort signal, and argument normalisation that both `connect()` and `socket.connect()` need.
import { getSystemErrorMap } from 'node:util';
import { codedError, invalidArgType, outOfRange, type SystemError } from '../errors.js';
import { validateTimeout } from '../validate.js';

/** The server of a server-side socket, which counts the socket out once it has closed. */
export interface ConnectionOwner<S = unknown> {
  readonly server: S;
  connectionClosed(): void;
}

export type ErrorCallback = (error?: Error | null) => void;

/** Node's `ERR_SERVER_NOT_RUNNING`. */
export function serverNotRunning(): Error {
  return codedError('ERR_SERVER_NOT_RUNNING', 'Server is not running.');
}

/**
 * Node builds `listen` errors with the OS's description and `port: -1` for pipes
 * (`listen EADDRINUSE: address already in use <path>`); the low-level layer's are terser.
 */
export function listenError(error: unknown, path: string): unknown {
  const system = error as Partial<SystemError>;
  if (!(error instanceof Error) || typeof system.code !== 'string' || typeof system.errno !== 'number') {
    return error;
  }
  const description = getSystemErrorMap().get(system.errno)?.[1];
  error.message = `listen ${system.code}${description ? `: ${description}` : ''} ${path}`;
  system.syscall = 'listen';
  system.address = path;
  (error as Error & { port?: number }).port = -1;
  return error;
}

/**
 * Calls `abort` when `signal` aborts, or on the next tick if it has already. Returns what stops
 * watching it, or undefined when there is nothing to stop (the signal had aborted).
 */
export function onAbort(signal: AbortSignal, abort: () => void): (() => void) | undefined {
  if (signal.aborted) {
    process.nextTick(abort);
    return undefined;
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

/** `socket.setTimeout(msecs)`'s check, with Node's wording. */
export function validateMsecs(value: unknown): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType('msecs', 'of type number', value);
  if (!Number.isFinite(value) || value < 0) {
    throw outOfRange('msecs', 'a non-negative finite number', value);
  }
}

export { validateTimeout };

/**
 * `target`, callable without `new` as well, as `net.Server` and `net.Socket` are: `Server()`
 * constructs like `new Server()`. `new`, `instanceof`, statics and subclasses are unchanged.
 */
export function callableWithoutNew<C extends new (...args: never[]) => object>(
  target: C,
): C & ((...args: ConstructorParameters<C>) => InstanceType<C>) {
  const callable: C = new Proxy(target, {
    apply: (constructor, _thisArg, args: unknown[]) => Reflect.construct(constructor, args),
    // `new` on the proxy constructs the class itself: with the proxy as new.target, V8 cannot use
    // the class's cached object layout and builds every instance the slow way, many times
    // slower (bench/decisions.md). A subclass keeps its own new.target.
    construct: (constructor, args: unknown[], newTarget: C) =>
      Reflect.construct(constructor, args as never[], newTarget === callable ? constructor : newTarget),
  });
  return callable as C & ((...args: ConstructorParameters<C>) => InstanceType<C>);
}
