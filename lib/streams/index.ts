// The net-compatible pipe API: createServer, connect/createConnection, Server, PipeSocket.
import { validateFunction } from '../validate.js';
import { Server } from './server.js';
import type { ServerOptions } from './server-options.js';
import { PipeSocket } from './socket.js';
import { normalizeConnectArgs, type PipeConnectOptions, type PipeSocketOptions } from './socket-options.js';

export { Server, PipeSocket };
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
  const target = normalizeConnectArgs(options);
  if (connectListener !== undefined) validateFunction(connectListener, 'connectListener');
  const socketOptions: PipeSocketOptions = typeof options === 'string' ? {} : { ...options };
  delete (socketOptions as { path?: unknown }).path;
  delete (socketOptions as { timeout?: unknown }).timeout;
  const socket = new PipeSocket(socketOptions);
  return socket.connect(target, connectListener);
}

/** The same as `connect`. */
export const createConnection = connect;
