// spawn: node:child_process.spawn, plus an `exited` promise from our own watcher.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { abortError, systemErrorByName } from '../errors.js';
import { validateSignal, validateTimeout } from '../validate.js';
import type { ExitResult } from './exit.js';
import { ProcessWatcher } from './watcher.js';

/** The `ChildProcess` that `spawn` returns, with `exited`. */
export interface SpawnedProcess extends ChildProcess {
  /**
   * Resolves with how the child ended. Rejects with the spawn error (e.g. `ENOENT`), an
   * `AbortError` when `signal` aborted (the child is killed first), or `ETIMEDOUT` when
   * `timeout` passed (the child is killed, and the promise settles once it has exited).
   */
  exited: Promise<ExitResult>;
}

/** `spawn`'s options: `child_process.spawn`'s, whose `signal` and `timeout` also settle `exited`. */
export type ProactorSpawnOptions = SpawnOptions;

/**
 * `child_process.spawn` with an `exited` promise. `signal` and `timeout` behave as in Node
 * (the child is sent `killSignal`, default SIGTERM), and also settle `exited`. The child's
 * `'error'` event (spawn failure, abort) rejects `exited` instead of throwing when unheard.
 * The OS calls: Node's spawn (libuv: `CreateProcessW` / `fork` and `exec`), then
 * `waitForExit`'s for `exited`.
 *
 * Errors: thrown, a bad `timeout` `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`, a `signal` that
 * is no `AbortSignal` `ERR_INVALID_ARG_TYPE`, and what `child_process.spawn` throws. `exited`
 * rejects with the spawn error (`ENOENT`, ...), `AbortError`, or `ETIMEDOUT` (`syscall`
 * `spawn`). Cancellation: aborting `signal`, or `timeout`, kills the child; `exited` rejects
 * once it has exited.
 *
 * @example
 * ```js
 * import { spawn } from 'proactor';
 * const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { timeout: 10_000 });
 * console.log(await child.exited); // { pid: ..., exitCode: 3, signalCode: null }
 * ```
 */
export function spawn(
  command: string,
  args: readonly string[] = [],
  options: ProactorSpawnOptions = {},
): SpawnedProcess {
  const { timeout, signal, ...rest } = options;
  if (timeout !== undefined) validateTimeout(timeout, 'options.timeout');
  validateSignal(signal, 'options.signal');
  const child = nodeSpawn(command, args, { ...rest, signal }) as SpawnedProcess;

  let failure: Error | undefined;
  const exited = new Promise<ExitResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: ExitResult | undefined): void => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve(result as ExitResult);
    };
    child.on('error', (error) => {
      failure ??= signal?.aborted ? abortError(signal) : error;
      if (child.pid === undefined) finish(undefined); // never started: no exit will come
    });
    if (child.pid === undefined) return; // the 'error' event settles it
    if (timeout !== undefined && timeout > 0) {
      timer = setTimeout(() => {
        failure ??= systemErrorByName('ETIMEDOUT', 'spawn', command);
        child.kill(rest.killSignal);
      }, timeout);
    }
    new ProcessWatcher(child).exited.then(finish, (error: Error) => {
      failure ??= error;
      finish(undefined);
    });
  });
  exited.catch(() => undefined); // reported through `exited` itself, never as unhandled
  child.exited = exited;
  return child;
}
