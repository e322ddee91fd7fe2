// Server: a `net.Server` for pipes, with an accept loop that outlives its clients (L10).
import { EventEmitter } from 'node:events';
import { codedError, invalidArgType, systemErrorByName } from '../errors.js';
import { validatePipePath, validatePipePathSyntax, windowsPipePathProblem } from '../pipe-path.js';
import type { Channel } from '../engine/channel.js';
import type { Engine, InstanceSettings } from '../engine/engine.js';
import { Listener } from '../engine/listener.js';
import { getDefaultProactor } from '../proactor.js';
import { engineOf } from '../proactor-handles.js';
import { instanceSettings, type PipeInstanceOptions } from '../proactor-options.js';
import { validateFunction, validateInteger, validateSignal } from '../validate.js';
import { type ConnectionOwner, listenError, onAbort, serverNotRunning } from './internal.js';
import {
  type ListenOptions,
  normalizeListenArgs,
  type PipeSecurityOptions,
  type ServerOptions,
  validateServerOptions,
} from './server-options.js';
import { attachAccepted, PipeSocket } from './socket.js';
import { invalidPipePath } from './socket-options.js';

export type { ListenOptions, PipeSecurityOptions, ServerOptions } from './server-options.js';

const DEFAULT_INSTANCES = 4;

type State = 'closed' | 'listening';

interface ListenConfig {
  settings: InstanceSettings;
  instances: number;
}

/**
 * A pipe server, as `net.Server` is for pipes: `listen`, `close`, `address`, `getConnections`,
 * `maxConnections`, `ref`/`unref` and the events `listening`, `connection`, `error`, `close`
 * and `drop`. On Windows it keeps `instances` pipe instances waiting for clients, the first one
 * created exclusively (`FILE_FLAG_FIRST_PIPE_INSTANCE`) so nobody can squat on the name; on
 * Linux it listens on an AF_UNIX socket file, removed again on close.
 *
 * Errors: the constructor throws as `createServer` does. A failure that is one client's (it
 * came and went, L10) is dropped quietly; one that is the server's (`EMFILE`, ...) is emitted
 * as `'error'` and the accept is tried again after a pause. Cancellation: `close()`, or the
 * `signal` given to `listen()`.
 *
 * @example
 * ```js
 * import { createServer, pipePath } from 'proactor';
 * const server = createServer({ instances: 16, security: { currentUserOnly: true } }, (socket) => {
 *   console.log('client pid', socket.peerPid);
 *   socket.pipe(socket);
 * });
 * server.listen(pipePath('echo'));
 * ```
 */
export class Server extends EventEmitter {
  #engine: Engine;
  #options: ServerOptions;
  #state: State = 'closed';
  #pipeName: string | undefined;
  #listener: Listener | undefined;
  #connections = 0;
  #refed = true;
  #signalCleanup: (() => void) | undefined;

  /**
   * As `net.Server`: once this many connections are open, a new client's pipe is closed at once
   * (`'drop'` is emitted). No OS call beyond that close; errors: none.
   */
  maxConnections: number | undefined;

  /** As `createServer(connectionListener)`; `Server()` works without `new` too. */
  constructor(connectionListener?: (socket: PipeSocket) => void);
  /** As `createServer(options, connectionListener)`; `Server()` works without `new` too. */
  constructor(options?: ServerOptions, connectionListener?: (socket: PipeSocket) => void);
  constructor(
    options?: ServerOptions | ((socket: PipeSocket) => void),
    connectionListener?: (socket: PipeSocket) => void,
  ) {
    super();
    if (typeof options === 'function') {
      connectionListener = options;
      options = {};
    } else if (options === undefined || options === null) {
      options = {};
    } else if (typeof options !== 'object') {
      throw invalidArgType('options', 'of type object', options);
    }
    validateServerOptions(options as Record<string, unknown>, 'options');
    this.#options = options;
    this.#engine = engineOf(options.proactor ?? getDefaultProactor());
    if (connectionListener !== undefined) {
      validateFunction(connectionListener, 'connectionListener');
      this.on('connection', connectionListener);
    }
  }

  /**
   * Starts listening: `listen(path[, backlog][, callback])` or `listen({ path, backlog, signal,
   * instances, readableAll, writableAll, ... }[, callback])`. `callback` is added for
   * `listening`. As `node:net` for pipes, the name is bound before `listen()` returns and
   * `'listening'` (or `'error'`) is emitted on the next tick. Windows: `CreateNamedPipeW` for
   * the first instance (`FILE_FLAG_FIRST_PIPE_INSTANCE`) and the rest of `instances`, each
   * waiting in `ConnectNamedPipe`, and a new one for each client accepted. Linux:
   * `socket(AF_UNIX)`, `bind`, `chmod` when asked, `listen`, then `instances` `accept4`s.
   *
   * Errors: thrown, as `net.Server`: a path or options of the wrong type
   * `ERR_INVALID_ARG_TYPE`; options without `path`, or a bad path, `ERR_INVALID_ARG_VALUE`; a
   * number out of range `ERR_OUT_OF_RANGE`; listening twice `ERR_SERVER_ALREADY_LISTEN`.
   * Emitted as `'error'` (`syscall` `listen`, `address`, `port` -1): a taken name `EADDRINUSE`
   * (Wine cannot detect this on Windows, as for `node:net`); a missing directory (Linux) or a
   * name outside `\\.\pipe\` (Windows) `EACCES`, as libuv says. Cancellation: aborting
   * `signal` closes the server, as `close()`.
   *
   * @example
   * ```js
   * import { createServer, pipePath } from 'proactor';
   * const server = createServer().listen({ path: pipePath('listen'), instances: 8 }, () => {
   *   console.log('listening on', server.address());
   *   server.close();
   * });
   * ```
   */
  listen(path: string, backlog?: number, listeningListener?: () => void): this;
  /** As `listen(path[, backlog][, callback])`, or with `ListenOptions`. */
  listen(pathOrOptions: string | ListenOptions, listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    const { options, callback } = normalizeListenArgs(args);
    const config = this.#listenConfig(options);
    if (this.#state !== 'closed') {
      throw codedError(
        'ERR_SERVER_ALREADY_LISTEN',
        'Listen method has been called more than once without closing.',
      );
    }
    if (callback !== undefined) this.once('listening', callback);
    const { path } = config.settings;
    this.#pipeName = path;
    // As node:net for pipes: bound before listen() returns, 'listening' (or 'error') after.
    let listener: Listener | undefined;
    let failure: unknown;
    const problem = windowsPipePathProblem(path);
    if (problem !== undefined) {
      failure = systemErrorByName('EACCES', 'listen'); // what libuv says for a name that is no pipe
    } else {
      try {
        validatePipePath(path);
        listener = new Listener(this.#engine, config.settings, {
          connection: (channel) => this.#onConnection(channel),
          error: (error, during) =>
            this.emit('error', during === 'listen' ? listenError(error, path) : error),
        });
      } catch (error) {
        // As libuv on Unix: a bind that finds no such directory is reported as EACCES.
        failure =
          (error as { code?: string }).code === 'ENOENT' ? systemErrorByName('EACCES', 'listen') : error;
      }
    }
    if (listener === undefined) {
      const reported = listenError(failure, path);
      if (problem !== undefined) invalidPipePath(reported as Error, problem);
      process.nextTick(() => this.emit('error', reported));
      return this;
    }
    this.#state = 'listening';
    this.#listener = listener;
    if (!this.#refed) listener.setRef(false);
    const signal = options.signal as AbortSignal | undefined;
    if (signal !== undefined) this.#signalCleanup = onAbort(signal, () => this.close());
    // As libuv: every accept is waiting before listen() returns, so a client that connects
    // once it hears we listen, and closes at once, still completes one (a ConnectNamedPipe
    // issued after it came and went would fail with ERROR_NO_DATA, and it would be lost).
    // 'listening' still comes first, as with node:net: accepts report only after it.
    let announce: () => void = () => undefined;
    listener.start(config.instances, new Promise((resolve) => (announce = resolve)));
    process.nextTick(() => {
      if (this.#listener === listener) this.emit('listening');
      announce();
    });
    return this;
  }

  #listenConfig(options: Record<string, unknown>): ListenConfig {
    const merged: Record<string, unknown> = { ...this.#options, ...options };
    validatePipePathSyntax(merged.path, 'options.path');
    validateServerOptions(merged, 'options');
    if (merged.backlog !== undefined) validateInteger(merged.backlog, 'options.backlog', 0, 2 ** 31 - 1);
    validateSignal(merged.signal, 'options.signal');
    const security = (merged.security ?? {}) as PipeSecurityOptions;
    const instance: PipeInstanceOptions = {
      rejectRemoteClients: (merged.rejectRemoteClients as boolean | undefined) ?? true,
      currentUserOnly: security.currentUserOnly ?? false,
      readableAll: Boolean(merged.readableAll),
      writableAll: Boolean(merged.writableAll),
    };
    if (security.sddl !== undefined) instance.sddl = security.sddl;
    if (merged.backlog !== undefined) instance.backlog = merged.backlog as number;
    return {
      settings: instanceSettings(merged.path as string, instance).settings,
      instances: (merged.instances as number | undefined) ?? DEFAULT_INSTANCES,
    };
  }

  #onConnection(channel: Channel): void {
    if (this.maxConnections != null && this.#connections >= this.maxConnections) {
      channel.close();
      this.emit('drop');
      return;
    }
    const pauseOnCreate = Boolean(this.#options.pauseOnConnect);
    const socket = new PipeSocket({
      allowHalfOpen: Boolean(this.#options.allowHalfOpen),
      pauseOnCreate,
      highWaterMark: this.#options.highWaterMark,
      eofTimeout: this.#options.eofTimeout,
    });
    attachAccepted(socket, channel, this.#owner);
    // Its reading starts (unless paused) only once 'connection' has been emitted, so a connection
    // that the listeners destroy at once never starts one.
    if (pauseOnCreate) socket.pause();
    this.#connections++;
    this.emit('connection', socket);
    if (!pauseOnCreate && !socket.destroyed) socket.read(0);
  }

  /**
   * @internal With `captureRejections`, as `net.Server`: an async `'connection'` listener that
   * rejects destroys that socket with the error; any other event's becomes `'error'`.
   */
  override [EventEmitter.captureRejectionSymbol](
    error: Error,
    event: string | symbol,
    ...args: unknown[]
  ): void {
    if (event === 'connection') (args[0] as PipeSocket).destroy(error);
    else this.emit('error', error);
  }

  // What its sockets know of this server: it, and how to count themselves out.
  readonly #owner: ConnectionOwner<Server> = {
    server: this,
    connectionClosed: () => {
      this.#connections--;
      this.#emitCloseIfDrained();
    },
  };

  #emitCloseIfDrained(): void {
    if (this.#state !== 'closed' || this.#connections > 0) return;
    process.nextTick(() => this.emit('close'));
  }

  /**
   * Stops accepting: closes the waiting instances (Windows: `CloseHandle`, which ends their
   * `ConnectNamedPipe`; Linux: `close` and `unlink` of the socket file) but not the open
   * connections. `close` is emitted once the last connection has closed; `callback` is added
   * for it (when it is a function, as with `net.Server`).
   *
   * Errors: none thrown; `callback` gets `ERR_SERVER_NOT_RUNNING` if the server was not
   * listening. Cancellation: it is the cancellation of the waiting accepts (a client that
   * connected in the race is closed); open connections go on until they close.
   *
   * @example
   * ```js
   * import { createServer, pipePath } from 'proactor';
   * const server = createServer().listen(pipePath('closing'));
   * server.close((error) => console.log('closed', error)); // closed undefined
   * ```
   */
  close(callback?: (error?: Error) => void): this {
    // As net.Server: anything but a function is ignored.
    if (typeof callback === 'function') {
      if (this.#state === 'closed') this.once('close', () => callback(serverNotRunning()));
      else this.once('close', callback);
    }
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      this.#signalCleanup?.();
      this.#signalCleanup = undefined;
      this.#listener?.close();
      this.#listener = undefined;
    }
    this.#emitCloseIfDrained();
    return this;
  }

  /**
   * `await using server = ...`: closes the server, as `close()`, and resolves once it has
   * closed (its connections too). A server that is not listening resolves at once. Errors: none.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'closed') return;
    await new Promise<void>((resolve, reject) => this.close((error) => (error ? reject(error) : resolve())));
  }

  /**
   * The pipe path the server listens on (kept after close, as `net.Server` keeps it for pipes),
   * or null before `listen()`. No OS call; errors: none.
   */
  address(): string | null {
    return this.#pipeName ?? null;
  }

  /**
   * Calls back (on the next tick) with the number of open connections, as `net.Server`. No OS
   * call. Errors: thrown, a callback that is no function `ERR_INVALID_ARG_TYPE`.
   *
   * @example
   * ```js
   * import { createServer, pipePath } from 'proactor';
   * const server = createServer().listen(pipePath('count'));
   * server.getConnections((error, count) => {
   *   console.log(count); // 0
   *   server.close();
   * });
   * ```
   */
  getConnections(callback: (error: Error | null, count: number) => void): this {
    validateFunction(callback, 'callback');
    process.nextTick(callback, null, this.#connections);
    return this;
  }

  /** True while the server accepts connections. No OS call; errors: none. */
  get listening(): boolean {
    return this.#state === 'listening';
  }

  /**
   * The waiting instances keep the process alive (the default), as `net.Server.ref()`. No OS
   * call (the proactor's count of referenced operations); errors: none.
   */
  ref(): this {
    this.#refed = true;
    this.#listener?.setRef(true);
    return this;
  }

  /**
   * Lets the process exit while the server only waits for clients (open connections still
   * count), as `net.Server.unref()`. No OS call; errors: none.
   */
  unref(): this {
    this.#refed = false;
    this.#listener?.setRef(false);
    return this;
  }
}
