// Connecting to a pipe whose server is busy (L7): libuv blocks a thread-pool thread in
// WaitNamedPipe for up to 30 s and cannot cancel it. Here a busy server (Windows
// ERROR_PIPE_BUSY, Linux a full backlog: EAGAIN) is tried again on a timer, from 1 ms doubling
// to 100 ms: no thread waits, and an abort, a timeout or the engine's close stops it at once.
import { abortError, systemErrorByName } from '../errors.js';
import type { Channel } from './channel.js';
import type { Engine } from './engine.js';

const FIRST_DELAY = 1;
const MAX_DELAY = 100;

export interface BusyConnectOptions {
  /** Milliseconds the whole connect may take, retries included; then `ETIMEDOUT`. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called before each wait for a busy server, with the delay and the attempt's number. */
  onRetry?: ((delayMs: number, attempt: number) => void) | undefined;
}

/** A connect under way: its result, and `abort()` (an `AbortError`) for a caller with no signal. */
export interface Connecting {
  promise: Promise<Channel>;
  abort(): void;
}

/**
 * Connects to `path`. The first attempt runs at once; the signal's listener and the timers are
 * set up only if the server is busy, which that attempt learns synchronously.
 */
export function connectWithRetry(engine: Engine, path: string, options: BusyConnectOptions = {}): Connecting {
  const { timeout, signal, onRetry } = options;
  let abort: () => void = () => undefined;
  const promise = new Promise<Channel>((resolve, reject) => {
    let retryTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let delay = FIRST_DELAY;
    let attempts = 0;
    let waiting = false;
    let done = false;
    const finish = (error: Error | undefined, channel?: Channel): void => {
      if (done) return;
      done = true;
      if (waiting) {
        clearTimeout(retryTimer);
        clearTimeout(deadlineTimer);
        signal?.removeEventListener('abort', onAbort);
        engine.offClose(fail);
      }
      if (error) reject(error);
      else resolve(channel as Channel);
    };
    const fail = (error: Error): void => finish(error);
    const onAbort = (): void => fail(abortError(signal));
    abort = onAbort;
    if (signal?.aborted) return fail(abortError(signal));
    if (engine.closed) return fail(engine.closedError());
    const wait = (): void => {
      if (waiting) return;
      waiting = true;
      signal?.addEventListener('abort', onAbort, { once: true });
      engine.onClose(fail);
      if (timeout !== undefined) {
        deadlineTimer = setTimeout(() => fail(systemErrorByName('ETIMEDOUT', 'connect', path)), timeout);
      }
    };
    const attempt = (): void => {
      retryTimer = undefined;
      attempts++;
      const result = engine.connectOnce(path);
      if (!(result instanceof Error)) return finish(undefined, result);
      if (result.code !== 'EBUSY' && result.code !== 'EAGAIN') return fail(result);
      wait();
      if (done) return; // aborted or closed while adding the listener
      onRetry?.(delay, attempts);
      retryTimer = setTimeout(attempt, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    };
    attempt();
  });
  return { promise, abort: () => abort() };
}
