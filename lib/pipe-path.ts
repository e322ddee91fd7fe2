// Pipe paths: Windows named pipes (\\.\pipe\name) and, on Linux, AF_UNIX socket files.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalidArgType, invalidArgValue } from './errors.js';

/** Longest named-pipe path Windows accepts, in UTF-16 units. */
export const WINDOWS_PIPE_PATH_MAX = 256;
/** Longest AF_UNIX socket path on Linux, in bytes (sun_path holds 108 including the NUL). */
export const UNIX_SOCKET_PATH_MAX = 107;

const windowsPipePrefix = /^\\\\[.?]\\pipe\\/i;

/**
 * Checks a pipe path for this platform and throws Node-style errors: `ERR_INVALID_ARG_TYPE` for a
 * non-string, `ERR_INVALID_ARG_VALUE` for an empty path, an embedded NUL, a path that is too long,
 * or (Windows) one outside `\\.\pipe\` / `\\?\pipe\`. node:net on Linux silently truncates a long
 * path and accepts a NUL; we refuse both, since either would name a different socket.
 */
export function validatePipePath(
  path: unknown,
  name = 'path',
  platform = process.platform,
): asserts path is string {
  validatePipePathSyntax(path, name, platform);
  const problem = windowsPipePathProblem(path, platform);
  if (problem !== undefined) throw invalidArgValue(name, path, problem);
}

/**
 * The checks `node:net` makes at the call, whatever the platform: a non-empty string with no
 * NUL, and (Linux) one that fits in `sun_path`. What else a Windows pipe path must be is
 * `windowsPipePathProblem`'s, which the streams report as `node:net` does: asynchronously.
 */
export function validatePipePathSyntax(
  path: unknown,
  name = 'path',
  platform = process.platform,
): asserts path is string {
  if (typeof path !== 'string') throw invalidArgType(name, 'of type string', path);
  if (path.length === 0) throw invalidArgValue(name, path, 'must be a non-empty string');
  if (path.includes('\0')) throw invalidArgValue(name, path, 'must not contain null bytes');
  if (platform !== 'win32' && Buffer.byteLength(path) > UNIX_SOCKET_PATH_MAX) {
    throw invalidArgValue(name, path, `must be at most ${UNIX_SOCKET_PATH_MAX} bytes long`);
  }
}

/** Why `path` cannot name a Windows pipe (`must be ...`), or undefined: always so elsewhere. */
export function windowsPipePathProblem(path: string, platform = process.platform): string | undefined {
  if (platform !== 'win32') return undefined;
  if (!windowsPipePrefix.test(path)) return 'must be a pipe path of the form \\\\.\\pipe\\name';
  if (path.length === '\\\\.\\pipe\\'.length) return 'must name a pipe after \\\\.\\pipe\\';
  if (path.length > WINDOWS_PIPE_PATH_MAX) return `must be at most ${WINDOWS_PIPE_PATH_MAX} characters long`;
  return undefined;
}

/**
 * A pipe path for a bare name on this platform: `\\.\pipe\<name>` on Windows; on Linux a socket
 * file `<name>.sock` in `$XDG_RUNTIME_DIR` (when set) or the temp directory. No OS call: the
 * file is made by the server's `bind`, not here.
 *
 * Errors, thrown: a name that is no string `ERR_INVALID_ARG_TYPE`; an empty one, or one holding
 * `/`, `\` or NUL, `ERR_INVALID_ARG_VALUE`. (Too long a result is refused where it is used.)
 *
 * @example
 * ```js
 * import { pipePath } from 'proactor';
 * console.log(pipePath('echo')); // \\.\pipe\echo, or /run/user/1000/echo.sock
 * ```
 */
export function pipePath(name: string): string {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  if (name.length === 0 || /[\\/\0]/.test(name)) {
    throw invalidArgValue('name', name, 'must be a non-empty name without slashes or null bytes');
  }
  if (process.platform === 'win32') return `\\\\.\\pipe\\${name}`;
  const dir = process.env.XDG_RUNTIME_DIR || tmpdir();
  return join(dir, `${name}.sock`);
}
