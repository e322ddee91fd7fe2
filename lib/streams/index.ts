// The net-compatible pipe API: createServer, connect/createConnection, Server, PipeSocket.
import { validateFunction } from '../validate.js';
import { callableWithoutNew } from './internal.js';
import { Server as PipeServer } from './server.js';
import type { ServerOptions } from './server-options.js';
import { PipeSocket as PipeSocketClass } from './socket.js';
import { normalizeConnectArgs, type PipeConnectOptions, type PipeSocketOptions } from './socket-options.js';

/** A pipe server, as `net.Server` (see the class for its members); `Server()` works without `new`. */
export const Server = callableWithoutNew(PipeServer);
export type Server = PipeServer;

/** A connected pipe, as `net.Socket` (see the class for its members); callable without `new`. */
export const PipeSocket = callableWithoutNew(PipeSocketClass);
export type PipeSocket = PipeSocketClass;

/** `net.Socket`'s name for `PipeSocket`, so `import * as net from 'proactor'` keeps `net.Socket`. */
export const Socket = PipeSocket;
export type Socket = PipeSocketClass;

/** `net.Stream`, the old name `node:net` still exports for `net.Socket`. */
export const Stream = PipeSocket;
export type Stream = PipeSocketClass;
export type { ListenOptions, PipeSecurityOptions, ServerOptions } from './server-options.js';
export type { PipeConnectOptions, PipeSocketOptions } from './socket-options.js';

/**
 * As `net.createServer([options][, connectionListener])`, for pipes: a new `Server`, not yet
 * listening; `connectionListener` is added for `'connection'`. No OS call (`listen()` makes
 * them).
 *
 * Errors, thrown: options that are no object, or a listener that is no function,
 * `ERR_INVALID_ARG_TYPE`; a bad option `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` (see
 * `ServerOptions`). Cancellation: `server.close()`, or `listen({ signal })`.
 *
 * @example
 * ```js
 * import { connect, createServer, pipePath } from 'proactor';
 * const server = createServer((socket) => socket.pipe(socket)).listen(pipePath('echo'));
 * const socket = connect(pipePath('echo'), () => socket.end('hi'));
 * socket.on('data', (data) => console.log(data.toString())).on('close', () => server.close());
 * ```
 */
export function createServer(connectionListener?: (socket: PipeSocket) => void): Server;
/** As `createServer(connectionListener)`, with `ServerOptions`. */
export function createServer(
  options?: ServerOptions,
  connectionListener?: (socket: PipeSocket) => void,
): Server;
export function createServer(
  options?: ServerOptions | ((socket: PipeSocket) => void),
  connectionListener?: (socket: PipeSocket) => void,
): Server {
  return new Server(options as ServerOptions, connectionListener);
}

/** `connect`'s options: where to connect (`PipeConnectOptions`), plus the socket's own options. */
export type ConnectOpts = PipeConnectOptions & Omit<PipeSocketOptions, 'handle' | 'signal'>;

/**
 * As `net.connect(path[, connectListener])` / `net.connect({ path, ... }[, connectListener])`:
 * a new `PipeSocket`, connecting (`socket.connect()` says what it asks of the OS). Beyond
 * `node:net`: a busy pipe is retried (1 ms doubling to 100 ms) without blocking a thread,
 * `timeout` bounds the whole connect (`ETIMEDOUT`) and `signal` aborts it at once.
 *
 * Errors: thrown, as `net.connect`: no argument `ERR_MISSING_ARGS`; a path or options of the
 * wrong type `ERR_INVALID_ARG_TYPE`; an empty, too long (Linux) or NUL-holding path, or options
 * without `path`, `ERR_INVALID_ARG_VALUE`; a bad `timeout` `ERR_OUT_OF_RANGE`. Emitted as
 * `'error'`: no server `ENOENT` (also, as `node:net` on Windows, for a name outside
 * `\\.\pipe\`); a socket file nobody listens on `ECONNREFUSED` (Linux); not allowed `EACCES`;
 * `ETIMEDOUT`; `AbortError`. Cancellation: `signal` or `socket.destroy()` stops the connect at
 * once; once connected, `signal` destroys the socket.
 *
 * @example
 * ```js
 * import { connect, createServer, pipePath } from 'proactor';
 * const server = createServer((socket) => socket.end('hello')).listen(pipePath('hello'));
 * const socket = connect({ path: pipePath('hello'), timeout: 5000 });
 * socket.on('data', (data) => console.log(data.toString())).on('close', () => server.close());
 * ```
 */
export function connect(options: string | ConnectOpts, connectListener?: () => void): PipeSocket {
  const { path, timeout } = normalizeConnectArgs(options, arguments.length);
  if (connectListener !== undefined) validateFunction(connectListener, 'connectListener');
  // The socket watches the signal (one listener, as net.connect adds): aborting destroys it,
  // which also stops a connect in progress.
  const socketOptions: PipeSocketOptions = typeof options === 'string' ? {} : { ...options };
  delete (socketOptions as { path?: unknown }).path;
  delete (socketOptions as { timeout?: unknown }).timeout;
  const socket = new PipeSocket(socketOptions);
  return socket.connect(timeout === undefined ? { path } : { path, timeout }, connectListener);
}

/** The same as `connect` (as `net.createConnection` is `net.connect`). */
export const createConnection = connect;
