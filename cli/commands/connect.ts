// proactor connect PATH: bridge stdin and stdout to a pipe server (the npiperelay shape).
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type PipeSocket } from 'proactor';
import { Input, session, StatusLine } from '../bridge.js';
import { type Command, type Context, milliseconds, onePath, type Values } from '../context.js';

export const connectCommand: Command = {
  options: {
    timeout: { type: 'string', short: 't' },
    wait: { type: 'boolean', short: 'w' },
    'eof-timeout': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  run,
};

async function run(values: Values, positionals: string[], context: Context): Promise<number> {
  const path = onePath(positionals);
  const timeout = milliseconds(values, 'timeout');
  const eofTimeout = milliseconds(values, 'eof-timeout') ?? 1000;
  const socket = await connected(path, timeout, values.wait === true, eofTimeout, context.signal);
  const input = new Input(process.stdin);
  const status = StatusLine.for(values.quiet === true, context.status);
  const failure = await session(socket, input, process.stdout, status, 'connected');
  if (context.signal.aborted) input.close();
  else process.stdin.pause();
  if (failure !== undefined && failure.name !== 'AbortError') throw failure;
  return 0;
}

// A server that is not there yet: no pipe (ENOENT), or a socket file not listening yet.
const NOT_YET = new Set(['ENOENT', 'ECONNREFUSED']);
const POLL_MS = 50;

/**
 * A connected socket. Busy servers are retried until `timeout` (L7); with `wait`, so is a pipe
 * that does not exist yet, every 50 ms (npiperelay's -p). Ctrl-C aborts.
 */
async function connected(
  path: string,
  timeout: number | undefined,
  wait: boolean,
  eofTimeout: number,
  signal: AbortSignal,
): Promise<PipeSocket> {
  const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
  for (;;) {
    const left = deadline - performance.now();
    const socket = connect({
      path,
      allowHalfOpen: true,
      eofTimeout,
      signal,
      pauseOnCreate: true,
      ...(left === Infinity ? {} : { timeout: Math.max(0, Math.ceil(left)) }),
    });
    try {
      await once(socket, 'connect');
      // Given at connect, `timeout` is also the idle timeout (as net.connect's): not wanted here.
      socket.setTimeout(0);
      return socket;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!wait || !NOT_YET.has(code)) throw error;
      if (performance.now() + POLL_MS >= deadline) {
        throw Object.assign(new Error(`connect ETIMEDOUT ${path}`), {
          code: 'ETIMEDOUT',
          syscall: 'connect',
          address: path,
        });
      }
      await sleep(POLL_MS, undefined, { signal });
    }
  }
}
