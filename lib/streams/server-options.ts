// What createServer() and listen() take, and the checks on them.
import { invalidArgType, invalidArgValue } from '../errors.js';
import type { Proactor } from '../proactor.js';
import { validateBoolean, validateInteger } from '../validate.js';
import { validateEofTimeout } from './socket-options.js';

/**
 * Who may connect to a server (`ServerOptions.security`). Errors (thrown by `createServer` /
 * `listen`): a wrong type `ERR_INVALID_ARG_TYPE`; a malformed `sddl` is emitted as `'error'`.
 */
export interface PipeSecurityOptions {
  /**
   * Only this user may connect. Windows: a protected DACL granting only the current user's SID;
   * Linux: the socket file's mode is 0600 (`chmod`). Wins over `readableAll` / `writableAll`.
   * Default false.
   */
  currentUserOnly?: boolean;
  /**
   * Windows: the pipe's security descriptor as SDDL (e.g. `'D:P(A;;GA;;;BA)'`); wins over the
   * rest. Linux: ignored.
   */
  sddl?: string;
}

/**
 * Options for `createServer` (`instances`, `rejectRemoteClients`, `security`, `readableAll` and
 * `writableAll` may also be given to `listen`, which wins). Errors (thrown): a wrong type
 * `ERR_INVALID_ARG_TYPE`; a number out of range `ERR_OUT_OF_RANGE`.
 *
 * @example
 * ```js
 * import { createServer, pipePath } from 'proactor';
 * const server = createServer({ instances: 16, security: { currentUserOnly: true } });
 * server.listen(pipePath('options'), () => server.close());
 * ```
 */
export interface ServerOptions {
  /** As `net.Server`: keep a socket's writable side open after its peer ends (Linux; see `PipeSocket`). */
  allowHalfOpen?: boolean;
  /** As `net.Server`: accepted sockets start paused; call `socket.resume()` to read. */
  pauseOnConnect?: boolean;
  /**
   * The accepted sockets' `highWaterMark`: the size of each read (`ReadFile` / `read`) and the
   * write buffer's limit. Default: 64 KiB reads, Node's default for writes.
   */
  highWaterMark?: number;
  /**
   * Windows: how many server instances wait for clients at once (libuv's fixed 4, there only
   * changeable through `UV_PIPE_INSTANCES`). More absorbs bursts of connects without clients
   * seeing "busy". Linux: how many accepts are kept queued on the listening socket. 1–4096;
   * default 4.
   */
  instances?: number;
  /** Windows: refuse clients on other machines (`PIPE_REJECT_REMOTE_CLIENTS`). Default true. */
  rejectRemoteClients?: boolean;
  /** Who may connect (see `PipeSecurityOptions`). */
  security?: PipeSecurityOptions;
  /** As `net.Server.listen`: everyone may read the pipe (see `PipeInstanceOptions.readableAll`). */
  readableAll?: boolean;
  /** As `net.Server.listen`: everyone may connect (see `PipeInstanceOptions.writableAll`). */
  writableAll?: boolean;
  /** The proactor that runs the server and its sockets. Default: `getDefaultProactor()`. */
  proactor?: Proactor;
  /** The accepted sockets' `eofTimeout` (Windows; see `PipeSocketOptions.eofTimeout`). Default 50. */
  eofTimeout?: number;
}

/**
 * What `listen` takes, besides `listen(path[, backlog][, callback])`. Errors: as
 * `ServerOptions`, and no `path` `ERR_INVALID_ARG_VALUE`.
 */
export interface ListenOptions extends Pick<
  ServerOptions,
  'instances' | 'rejectRemoteClients' | 'security' | 'readableAll' | 'writableAll'
> {
  /** The pipe path (see `pipePath`). */
  path: string;
  /** Linux: the listen backlog (default 4096; see PipeInstanceOptions.backlog). Ignored on Windows (see `instances`). */
  backlog?: number;
  /** Aborting closes the server, as `server.close()`. */
  signal?: AbortSignal;
  /** Accepted for `net` compatibility; ignored. */
  exclusive?: boolean;
}

const MAX_INSTANCES = 4096;

export function validateServerOptions(options: Record<string, unknown>, name: string): void {
  if (options.instances !== undefined) {
    validateInteger(options.instances, `${name}.instances`, 1, MAX_INSTANCES);
  }
  if (options.rejectRemoteClients !== undefined) {
    validateBoolean(options.rejectRemoteClients, `${name}.rejectRemoteClients`);
  }
  if (options.security !== undefined) {
    const security = options.security;
    if (security === null || typeof security !== 'object') {
      throw invalidArgType(`${name}.security`, 'of type object', security);
    }
    const { currentUserOnly, sddl } = security as Record<string, unknown>;
    if (currentUserOnly !== undefined) validateBoolean(currentUserOnly, `${name}.security.currentUserOnly`);
    if (sddl !== undefined && typeof sddl !== 'string') {
      throw invalidArgType(`${name}.security.sddl`, 'of type string', sddl);
    }
  }
  if (options.highWaterMark !== undefined) {
    validateInteger(options.highWaterMark, `${name}.highWaterMark`, 0, 2 ** 31 - 1);
  }
  validateEofTimeout(options.eofTimeout, `${name}.eofTimeout`);
}

export function normalizeListenArgs(args: unknown[]): {
  options: Record<string, unknown>;
  callback: (() => void) | undefined;
} {
  let callback: (() => void) | undefined;
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    callback = last as () => void;
    args = args.slice(0, -1);
  }
  const [first, second] = args;
  if (typeof first === 'string') {
    const options: Record<string, unknown> = { path: first };
    if (second !== undefined && second !== null) {
      options.backlog = second;
    }
    return { options, callback };
  }
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const options = first as Record<string, unknown>;
    // As net.Server: no path, or one that is no string, is a bad options object.
    if (typeof options.path !== 'string') {
      throw invalidArgValue('options', first, 'must have the property "path"');
    }
    return { options, callback };
  }
  throw invalidArgType('path', 'of type string, or an object with a "path"', first);
}
