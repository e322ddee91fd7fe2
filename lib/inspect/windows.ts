// Windows: pipes as the named pipe file system lists them, and what a client that opens one
// learns (addon/core/pipe_inspect.h). Every call is a short synchronous OS call.
import { basename } from 'node:path/win32';
import { moduleError, type SystemError } from '../errors.js';
import { native, type NativePipeDetails, type NativePipeListing } from '../native.js';

/** The pipes under `\\.\pipe\`. Throws what the OS says (ENOTSUP under Wine, which can't list them). */
export function listedPipes(): NativePipeListing[] {
  const pipes = native.listPipes?.() ?? -1;
  if (pipes === -1) throw withAddress(moduleError('NtQueryDirectoryFile'), '\\\\.\\pipe\\');
  return pipes;
}

/**
 * Opens `path` as a client without read or write access, asks, and closes; the server sees a
 * client come and go. Returns the details, or the error (EBUSY: every instance is taken).
 */
export function queryPipe(path: string): NativePipeDetails | SystemError {
  const details = native.queryPipe?.(path) ?? -1;
  return details === -1 ? withAddress(moduleError('CreateFile'), path) : details;
}

/** A process's image name (`node.exe`), or undefined where we may not ask. */
export function processName(pid: number): string | undefined {
  const path = native.processImagePath?.(pid) ?? -1;
  return path === -1 ? undefined : basename(path);
}

function withAddress(error: SystemError, address: string): SystemError {
  error.address = address;
  error.message = `${error.message} ${address}`;
  return error;
}
