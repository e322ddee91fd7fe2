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
 * As `net.createServer([options][, connectionListener])`, for pipes.
 *
 * ```js
 * const server = createServer((socket) => socket.pipe(socket)).listen(pipePath('echo'));
 * ```
 */
export function createServer(connectionListener?: (socket: PipeSocket) => void): Server;
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

/** `connect`'s options: where to connect, plus the socket's own options. */
export type ConnectOpts = PipeConnectOptions & Omit<PipeSocketOptions, 'handle' | 'signal'>;

/**
 * As `net.connect(path[, connectListener])` / `net.connect({ path, ... }[, connectListener])`:
 * a new `PipeSocket`, connecting. Beyond `node:net`: a busy pipe is retried (1 ms doubling to
 * 100 ms) without blocking a thread, `timeout` bounds the whole connect (`ETIMEDOUT`) and
 * `signal` aborts it at once.
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

/** The same as `connect`. */
export const createConnection = connect;
