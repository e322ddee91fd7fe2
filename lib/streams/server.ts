// Server: a `net.Server` for pipes, with an accept loop that outlives its clients (L10).
import { EventEmitter } from 'node:events';
import { codedError, invalidArgType, systemErrorByName } from '../errors.js';
import { validatePipePathSyntax, windowsPipePathProblem } from '../pipe-path.js';
import { getDefaultProactor, type PipeHandle, type PipeInstanceOptions, type Proactor } from '../proactor.js';
import { validateFunction, validateInteger, validateSignal } from '../validate.js';
import { type ConnectionOwner, kConnectionClosed, listenError, serverNotRunning } from './internal.js';
import {
  type ListenOptions,
  normalizeListenArgs,
  type PipeSecurityOptions,
  type ServerOptions,
  validateServerOptions,
} from './server-options.js';
import { acceptedSocket, type PipeSocket } from './socket.js';
import { invalidPipePath } from './socket-options.js';

export type { ListenOptions, PipeSecurityOptions, ServerOptions } from './server-options.js';

const DEFAULT_INSTANCES = 4;
const RETRY_DELAY = 100;
const isWindows = process.platform === 'win32';

// Errors that belong to one client, not to the server: it came and went (ERROR_NO_DATA is
// EPIPE), or reset. The instance is closed and the loop goes on, silently (L10), as libuv does.
const perConnectionErrors = new Set(['EPIPE', 'ENOTCONN', 'ECONNRESET', 'ECONNABORTED', 'EOF']);

type State = 'closed' | 'listening';

interface ListenConfig {
  path: string;
  instanceOptions: PipeInstanceOptions;
  instances: number;
}

/**
 * A pipe server, as `net.Server` is for pipes: `listen`, `close`, `address`, `getConnections`,
 * `maxConnections`, `ref`/`unref` and the events `listening`, `connection`, `error`, `close`
 * and `drop`. On Windows it keeps `instances` pipe instances waiting for clients, the first one
 * created exclusively (`FILE_FLAG_FIRST_PIPE_INSTANCE`) so nobody can squat on the name; on
 * Linux it listens on an AF_UNIX socket file, removed again on close.
 *
 * ```js
 * import { createServer, pipePath } from 'proactor';
 * const server = createServer({ instances: 16, security: { currentUserOnly: true } }, (socket) => {
 *   console.log('client pid', socket.peerPid);
 *   socket.pipe(socket);
 * });
 * server.listen(pipePath('echo'));
 * ```
 */
export class Server extends EventEmitter implements ConnectionOwner {
  #proactor: Proactor;
  #options: ServerOptions;
  #state: State = 'closed';
  #pipeName: string | undefined;
  #listeners = new Set<PipeHandle>();
  #connections = 0;
  #refed = true;
  #signalCleanup: (() => void) | undefined;
  #generation = 0;
  #announced: Promise<void> = Promise.resolve(); // 'listening' has been emitted for this listen()

  /** As `net.Server`: once this many connections are open, new clients are closed (`drop`). */
  maxConnections: number | undefined;

  constructor(connectionListener?: (socket: PipeSocket) => void);
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
    this.#proactor = options.proactor ?? getDefaultProactor();
    if (connectionListener !== undefined) {
      validateFunction(connectionListener, 'connectionListener');
      this.on('connection', connectionListener);
    }
  }

  /**
   * Starts listening: `listen(path[, backlog][, callback])` or `listen({ path, backlog, signal,
   * instances, readableAll, writableAll, ... }[, callback])`. `callback` is added for
   * `listening`. A taken name is emitted as `error` with `code: 'EADDRINUSE'`, `syscall:
   * 'listen'` and `address` (Wine cannot detect this on Windows, as for `node:net`).
   * Listening twice throws `ERR_SERVER_ALREADY_LISTEN`.
   */
  listen(path: string, backlog?: number, listeningListener?: () => void): this;
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
    this.#pipeName = config.path;
    const generation = ++this.#generation;
    // As node:net for pipes: bound before listen() returns, 'listening' (or 'error') after.
    let first: PipeHandle | undefined;
    let failure: unknown;
    const problem = windowsPipePathProblem(config.path);
    if (problem !== undefined) {
      failure = systemErrorByName('EACCES', 'listen'); // what libuv says for a name that is no pipe
    } else {
      try {
        first = this.#proactor.createPipeInstanceSync(config.path, {
          ...config.instanceOptions,
          first: true,
        });
      } catch (error) {
        // As libuv on Unix: a bind that finds no such directory is reported as EACCES.
        failure =
          (error as { code?: string }).code === 'ENOENT' ? systemErrorByName('EACCES', 'listen') : error;
      }
    }
    if (first === undefined) {
      const reported = listenError(failure, config.path);
      if (problem !== undefined) invalidPipePath(reported as Error, problem);
      process.nextTick(() => this.emit('error', reported));
      return this;
    }
    this.#state = 'listening';
    this.#track(first);
    const signal = options.signal as AbortSignal | undefined;
    if (signal !== undefined) {
      const onAbort = (): void => {
        this.close();
      };
      if (signal.aborted) process.nextTick(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.#signalCleanup = () => signal.removeEventListener('abort', onAbort);
      }
    }
    // As libuv: every accept is waiting before listen() returns, so a client that connects
    // once it hears we listen, and closes at once, still completes one (a ConnectNamedPipe
    // issued after it came and went would fail with ERROR_NO_DATA, and it would be lost).
    // 'listening' still comes first, as with node:net: accepts report only after it.
    let announce: () => void = () => undefined;
    this.#announced = new Promise((resolve) => (announce = resolve));
    this.#acceptLoop(first, config, generation);
    for (let i = 1; i < config.instances; i++) {
      // Windows: every waiting instance is its own pipe; Linux: the one listening socket takes
      // several queued accepts.
      if (isWindows) this.#addInstance(config, generation);
      else this.#acceptLoop(first, config, generation);
    }
    process.nextTick(() => {
      if (this.#active(generation)) this.emit('listening');
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
    const instanceOptions: PipeInstanceOptions = {
      rejectRemoteClients: (merged.rejectRemoteClients as boolean | undefined) ?? true,
      currentUserOnly: security.currentUserOnly ?? false,
      readableAll: Boolean(merged.readableAll),
      writableAll: Boolean(merged.writableAll),
    };
    if (security.sddl !== undefined) instanceOptions.sddl = security.sddl;
    if (merged.backlog !== undefined) instanceOptions.backlog = merged.backlog as number;
    return {
      path: merged.path as string,
      instanceOptions,
      instances: (merged.instances as number | undefined) ?? DEFAULT_INSTANCES,
    };
  }

  #track(handle: PipeHandle): void {
    this.#listeners.add(handle);
    if (!this.#refed) this.#proactor.unrefHandle(handle);
  }

  #active(generation: number): boolean {
    return this.#state === 'listening' && generation === this.#generation;
  }

  /**
   * A further Windows instance (never `first`), its accept started in the same breath, so no
   * client can come and go in between, or `acceptDelay` ms later (after an accept error, so a
   * lasting one does not spin). On failure, `error` (once) and a retry while listening.
   */
  #addInstance(config: ListenConfig, generation: number, acceptDelay = 0, reported = false): void {
    if (!this.#active(generation)) return;
    let instance: PipeHandle;
    try {
      instance = this.#proactor.createPipeInstanceSync(config.path, {
        ...config.instanceOptions,
        first: false,
      });
    } catch (error) {
      if (!reported) this.emit('error', listenError(error, config.path));
      setTimeout(() => this.#addInstance(config, generation, 0, true), RETRY_DELAY).unref();
      return;
    }
    this.#track(instance);
    this.#acceptLoop(instance, config, generation, acceptDelay);
  }

  /** Accepts on `instance` (after `delay` ms), then again on the instance that serves next. */
  #acceptLoop(instance: PipeHandle, config: ListenConfig, generation: number, delay = 0): void {
    if (delay > 0) {
      setTimeout(() => this.#acceptLoop(instance, config, generation), delay).unref();
      return;
    }
    const proactor = this.#proactor;
    // close() may have come between the instance's creation and here.
    if (!this.#active(generation) || instance.closed) return;
    proactor.acceptPipe(instance).then(
      async (connection) => {
        await this.#announced;
        if (!this.#active(generation)) {
          proactor.closeHandle(connection);
          return;
        }
        // The next accept waits before this connection's handler runs, which may throw.
        if (isWindows) {
          // The instance itself is now the connection; a fresh one takes its place.
          this.#listeners.delete(instance);
          if (!this.#refed) proactor.refHandle(connection);
          this.#addInstance(config, generation);
        } else {
          this.#acceptLoop(instance, config, generation);
        }
        this.#onConnection(connection);
      },
      async (error: Error & { code?: string }) => {
        await this.#announced;
        // Closed under us (the proactor shut down): there is nothing left to serve with.
        if (!this.#active(generation) || proactor.closed) return;
        const perConnection = perConnectionErrors.has(error.code ?? '');
        if (!perConnection) {
          (error as Error & { syscall?: string }).syscall = 'accept';
          this.emit('error', error);
        }
        const delay = perConnection ? 0 : RETRY_DELAY;
        if (isWindows) {
          // The replacement first, at once: while no instance exists the name is gone, and
          // clients would see ENOENT; and one left in place would take clients it never serves.
          this.#addInstance(config, generation, delay);
          this.#listeners.delete(instance);
          if (!instance.closed) proactor.closeHandle(instance);
        } else {
          this.#acceptLoop(instance, config, generation, delay);
        }
      },
    );
  }

  #onConnection(handle: PipeHandle): void {
    if (this.maxConnections != null && this.#connections >= this.maxConnections) {
      this.#proactor.closeHandle(handle);
      this.emit('drop');
      return;
    }
    const options = {
      handle,
      allowHalfOpen: Boolean(this.#options.allowHalfOpen),
      pauseOnCreate: Boolean(this.#options.pauseOnConnect),
      highWaterMark: this.#options.highWaterMark,
      proactor: this.#proactor,
      eofTimeout: this.#options.eofTimeout,
    };
    acceptedSocket(options, (socket) => {
      socket.ownedBy(this);
      this.#connections++;
      this.emit('connection', socket);
    });
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

  /** @internal A connection of this server closed. */
  [kConnectionClosed](): void {
    this.#connections--;
    this.#emitCloseIfDrained();
  }

  #emitCloseIfDrained(): void {
    if (this.#state !== 'closed' || this.#connections > 0) return;
    process.nextTick(() => this.emit('close'));
  }

  /**
   * Stops accepting: closes the waiting instances (Linux: the socket file is removed) but not
   * the open connections. `close` is emitted once the last connection has closed; `callback`
   * is added for it (when it is a function, as with `net.Server`), and gets
   * `ERR_SERVER_NOT_RUNNING` if the server was not listening.
   */
  close(callback?: (error?: Error) => void): this {
    // As net.Server: anything but a function is ignored.
    if (typeof callback === 'function') {
      if (this.#state === 'closed') this.once('close', () => callback(serverNotRunning()));
      else this.once('close', callback);
    }
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      this.#generation++;
      this.#signalCleanup?.();
      this.#signalCleanup = undefined;
      for (const handle of this.#listeners) this.#proactor.closeHandle(handle);
      this.#listeners.clear();
    }
    this.#emitCloseIfDrained();
    return this;
  }

  /** `await using server = ...`: closes the server (resolves once it has closed). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'closed') return;
    await new Promise<void>((resolve, reject) => this.close((error) => (error ? reject(error) : resolve())));
  }

  /** The pipe path the server listens on (kept after close, as `net.Server`), or null. */
  address(): string | null {
    return this.#pipeName ?? null;
  }

  /** Calls back (asynchronously) with the number of open connections. */
  getConnections(callback: (error: Error | null, count: number) => void): this {
    validateFunction(callback, 'callback');
    process.nextTick(callback, null, this.#connections);
    return this;
  }

  /** True while the server accepts connections. */
  get listening(): boolean {
    return this.#state === 'listening';
  }

  /** The waiting instances keep the process alive (the default). */
  ref(): this {
    this.#refed = true;
    for (const handle of this.#listeners) this.#proactor.refHandle(handle);
    return this;
  }

  /** Lets the process exit while the server only waits for clients (open connections still count). */
  unref(): this {
    this.#refed = false;
    for (const handle of this.#listeners) this.#proactor.unrefHandle(handle);
    return this;
  }
}
