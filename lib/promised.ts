// The public API's adapter: an engine operation as a promise, with an AbortSignal and a timeout.
import { abortError } from './errors.js';
import { type Engine, isCancellation, type Settle } from './engine/engine.js';

/** A wait's time limit: when its cancel wins, `onTimeout()` settles the promise instead. */
export interface TimeLimit<T> {
  ms: number;
  /** Its return value resolves; a throw rejects. */
  onTimeout(): T;
  /** False: the timer does not keep the process alive (a wait with `ref: false`). */
  ref?: boolean;
}

/**
 * Runs `start(done)` (which returns the operation's id, or 0 when it finished at once) and
 * settles with `map(value)` or the error. An abort, or the time limit, asks the engine to cancel;
 * an operation that completes first keeps its result (L5).
 */
export function promised<V, T>(
  engine: Engine,
  signal: AbortSignal | undefined,
  start: (done: Settle<V>) => number,
  map: (value: V) => T,
  limit?: TimeLimit<T>,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (engine.closed) return Promise.reject(engine.closedError());
  return new Promise<T>((resolve, reject) => {
    let id = 0;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => engine.cancel(id);
    const done: Settle<V> = (value, error) => {
      if (id !== 0) {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      }
      if (error === undefined) return resolve(map(value));
      // A cancel made for the time limit, not for the signal (which may have come too).
      if (limit !== undefined && timedOut && !signal?.aborted && isCancellation(error)) {
        try {
          return resolve(limit.onTimeout());
        } catch (timeoutError) {
          return reject(timeoutError as Error);
        }
      }
      reject(error);
    };
    id = start(done);
    if (id === 0) return; // finished at once: done has run
    signal?.addEventListener('abort', onAbort, { once: true });
    if (limit !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        engine.cancel(id);
      }, limit.ms);
      if (limit.ref === false) timer.unref();
    }
  });
}
