// killAndWait: signal a process and resolve once it has really exited, escalating to SIGKILL.
import { abortError, invalidArgValue, systemErrorByName } from '../errors.js';
import { type ChildLike, type ExitResult, isChildLike, waitForExit } from '../child/exit.js';
import { optionsObject, validateDelay, validatePid, validateSignal } from '../validate.js';
import { openProcess, ProcessHandle, type SignalLike, signalNumber } from './process-handle.js';

/** `killAndWait`'s options; the names follow `child_process`. */
export interface KillAndWaitOptions {
  /** The signal to send first (default `'SIGTERM'`). */
  killSignal?: SignalLike;
  /** Milliseconds after which `SIGKILL` follows if the process still runs (default: never). */
  escalate?: number;
  /** Milliseconds the whole may take; then it rejects with `ETIMEDOUT` (the process is left as it is). */
  timeout?: number;
  /** Aborting stops the waiting (`AbortError`); a signal already sent stays sent. */
  signal?: AbortSignal;
}

/** What killAndWait can stop: a pid, a `ChildProcess` (or execa's), or a `ProcessHandle`. */
export type KillTarget = number | (ChildLike & { kill(signal?: SignalLike): boolean }) | ProcessHandle;

/**
 * Sends `killSignal` to a process and resolves with its exit (`{ pid, exitCode, signalCode }`)
 * once it has really exited; after `escalate` ms it sends `SIGKILL`. A pid is pinned first
 * (`openProcess`), so neither signal can reach a process that got the pid later; a
 * `ChildProcess` is signalled with its own `kill()` and its exit is Node's (`waitForExit(child)`),
 * so a Windows child reports `signalCode` as Node does; a `ProcessHandle` is signalled through
 * it and its `exited` awaited. A process that has already exited resolves with its exit.
 *
 * OS calls: `ProcessHandle.kill`'s (Windows `TerminateProcess`, which ends the process at once,
 * so escalation never has to follow there; Linux `pidfd_send_signal`) and the wait's.
 *
 * Errors: thrown, a bad target (`ERR_INVALID_ARG_VALUE`), an unknown `killSignal`
 * (`ERR_UNKNOWN_SIGNAL`), a bad `escalate` or `timeout` (`ERR_INVALID_ARG_TYPE` /
 * `ERR_OUT_OF_RANGE`), a `signal` that is no AbortSignal. Rejected: no such pid `ESRCH`; not
 * allowed `EPERM`; `timeout` passed `ETIMEDOUT` (`syscall` `waitpid`). Cancellation: aborting
 * rejects with an `AbortError` (at once if `signal` is already aborted, before anything is
 * sent) and sends nothing more. After a timeout or an abort, a pid's or a child's wait is
 * stopped; a `ProcessHandle`'s `exited` (the caller's) goes on waiting until it is closed.
 *
 * @example
 * ```js
 * import { spawn } from 'node:child_process';
 * import { killAndWait } from 'proactor';
 * const server = spawn(process.execPath, ['server.js']);
 * const exit = await killAndWait(server, { escalate: 2000, timeout: 10_000 });
 * console.log(exit); // { pid: ..., exitCode: null, signalCode: 'SIGTERM' }
 * ```
 */
export function killAndWait(target: KillTarget, options?: KillAndWaitOptions): Promise<ExitResult> {
  const opts = optionsObject(options);
  const killSignal = (opts.killSignal ?? 'SIGTERM') as SignalLike;
  signalNumber(killSignal, 'options.killSignal');
  if (opts.escalate !== undefined) validateDelay(opts.escalate, 'options.escalate');
  if (opts.timeout !== undefined) validateDelay(opts.timeout, 'options.timeout');
  validateSignal(opts.signal, 'options.signal');
  const signal = opts.signal as AbortSignal | undefined;
  const child = !(target instanceof ProcessHandle) && isChildLike(target) ? target : undefined;
  if (child !== undefined && typeof (child as { kill?: unknown }).kill !== 'function') {
    throw invalidArgValue('target', target, 'must be a pid, a ChildProcess or a ProcessHandle');
  }
  if (child === undefined && !(target instanceof ProcessHandle)) validatePid(target, 'target');
  if (signal?.aborted) return Promise.reject(abortError(signal));

  // A pid is pinned here, and the handle is ours to close.
  let handle: ProcessHandle | undefined;
  let owned = false;
  if (target instanceof ProcessHandle) handle = target;
  else if (child === undefined) {
    try {
      handle = openProcess(target as number);
      owned = true;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  const send = (sig: SignalLike): void => {
    if (handle !== undefined) handle.kill(sig);
    else (child as { kill(signal?: SignalLike): boolean }).kill(sig);
  };
  // Our wait on a child ends with the call (a timeout or an abort must not leave it holding the
  // loop); a caller's own handle keeps its wait, as its `exited` is theirs.
  const stopWaiting = new AbortController();
  const exit: Promise<ExitResult> =
    handle !== undefined ? handle.exited : waitForExit(child as ChildLike, { signal: stopWaiting.signal });

  return new Promise<ExitResult>((resolve, reject) => {
    let escalation: NodeJS.Timeout | undefined;
    let limit: NodeJS.Timeout | undefined;
    const finish = (settle: () => void): void => {
      clearTimeout(escalation);
      clearTimeout(limit);
      signal?.removeEventListener('abort', onAbort);
      if (owned) handle?.close();
      settle();
      stopWaiting.abort();
    };
    const onAbort = (): void => finish(() => reject(abortError(signal)));
    exit.then(
      (result) => finish(() => resolve(result)),
      (error: Error) => finish(() => reject(error)),
    );
    try {
      send(killSignal);
    } catch (error) {
      finish(() => reject(error as Error));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.escalate !== undefined) {
      escalation = setTimeout(() => {
        try {
          send('SIGKILL');
        } catch (error) {
          finish(() => reject(error as Error));
        }
      }, opts.escalate as number);
    }
    if (opts.timeout !== undefined) {
      limit = setTimeout(
        () => finish(() => reject(systemErrorByName('ETIMEDOUT', 'waitpid'))),
        opts.timeout as number,
      );
    }
  });
}
