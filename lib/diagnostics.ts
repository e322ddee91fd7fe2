// What this process holds, for leak checks and benchmarks.
import { native } from './native.js';

/** Open handles (Windows `GetProcessHandleCount`) / file descriptors (Linux `/proc/self/fd`) in this process. */
export function openHandleCount(): number {
  return native.openHandleCount();
}

/** Threads of this process (Windows: a Toolhelp snapshot; Linux: `/proc/self/status`) — what waits cost. */
export function threadCount(): number {
  return native.threadCount();
}
