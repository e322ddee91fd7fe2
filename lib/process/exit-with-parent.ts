// exitWithParent: the language server's watchdog, driven by the parent's exit instead of polling.
import { optionsObject, validateFunction, validateInteger, validatePid, validateDelay } from '../validate.js';
import { openProcess, type ProcessHandle } from './process-handle.js';

/** `exitWithParent`'s options. */
export interface ExitWithParentOptions {
  /** The process to outlive by no more than a moment (default `process.ppid`). */
  pid?: number;
  /** The exit code to exit with (default 0). */
  code?: number;
  /** Runs before the exit, and may return a promise: the exit waits for it, up to `timeout`. */
  beforeExit?: () => unknown;
  /** Milliseconds `beforeExit` may take (default 5000); the process exits then regardless. */
  timeout?: number;
}

/** What `exitWithParent` returns: the watch, which can be stopped. */
export interface ParentWatchdog {
  /** The process watched. */
  readonly pid: number;
  /**
   * False when nothing is watched: the process runs, but the OS will not let this process wait
   * for it (`EPERM`, Windows only), or, with the default `pid`, this process has no parent it can
   * see (`process.ppid` is 0: a parent in another pid namespace). A `'warning'` (code
   * `PROACTOR_PARENT_UNWATCHED`) says so.
   */
  readonly watching: boolean;
  /** Stops watching: from then on the parent's exit changes nothing (an exit already begun, running `beforeExit`, goes on). */
  close(): void;
  [Symbol.dispose](): void;
}

/**
 * Exits this process when `pid` (default: the parent) exits: then runs `beforeExit` (awaited,
 * at most `timeout` ms; a throw or rejection is reported as a warning) and calls
 * `process.exit(code)`. The watch never keeps the process alive: a process with nothing else to
 * do exits as it would without it. This replaces the `setInterval(() => process.kill(pid, 0))`
 * loops of language servers, which also take an `EPERM` from an elevated parent for its death.
 *
 * The parent is pinned at the call (`openProcess`), so a pid reused after its exit cannot keep
 * us alive. With the default `pid` it is also checked to have started before this process:
 * a parent that died before the call, whose pid another process took, counts as gone. A parent
 * that has already exited exits this process on the next turn of the loop — when it can be
 * told: on Linux a process whose parent died is re-parented at once (to init or a subreaper),
 * so with the default `pid` a parent that died before the call is not seen, and the new parent
 * is watched. Pass the pid you were given (a language server's `processId`) to be sure.
 *
 * `EPERM` (Windows: a process we may not even wait for): nothing is watched, `watching` is
 * false, and a warning is emitted; the process does not exit.
 *
 * OS calls: `openProcess`'s, then its `exited` wait (unref'd). Errors: thrown, bad options
 * (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`); what `openProcess`
 * throws other than `ESRCH` and `EPERM`. Cancellation: `close()`.
 *
 * @example
 * ```js
 * import { exitWithParent } from 'proactor';
 * // A language server: the editor's pid comes in the initialize request.
 * exitWithParent({ pid: params.processId, beforeExit: () => server.shutdown() });
 * ```
 */
export function exitWithParent(options?: ExitWithParentOptions): ParentWatchdog {
  const opts = optionsObject(options);
  if (opts.pid !== undefined) validatePid(opts.pid, 'options.pid');
  const pid = (opts.pid as number | undefined) ?? process.ppid;
  const code = opts.code ?? 0;
  validateInteger(code, 'options.code', -2147483648, 4294967295);
  if (opts.beforeExit !== undefined) validateFunction(opts.beforeExit, 'options.beforeExit');
  const timeout = opts.timeout ?? 5000;
  validateDelay(timeout, 'options.timeout');
  const beforeExit = opts.beforeExit as (() => unknown) | undefined;

  // No parent to name: Linux's getppid() is 0 when the parent is in another pid namespace (PID 1
  // of a container), and so is a Windows process's whose parent is no Windows process (Wine).
  if (pid === 0) {
    process.emitWarning('exitWithParent: this process has no parent it can see; nothing is watched', {
      code: 'PROACTOR_PARENT_UNWATCHED',
    });
    return watchdog(0, false, () => undefined);
  }
  let handle: ProcessHandle | undefined;
  let closed = false;
  const exit = (): void => {
    if (closed) return;
    closed = true;
    handle?.close();
    void runThenExit(beforeExit, timeout as number, code as number);
  };
  try {
    handle = openProcess(pid, { ref: false });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EPERM') {
      process.emitWarning(`exitWithParent: process ${pid} runs, but this process may not wait for it`, {
        code: 'PROACTOR_PARENT_UNWATCHED',
      });
      return watchdog(pid, false, () => undefined);
    }
    if (code !== 'ESRCH') throw error;
    setImmediate(exit).unref(); // gone already
    return watchdog(pid, true, () => (closed = true));
  }
  if (opts.pid === undefined && startedAfterUs(handle)) {
    handle.close();
    setImmediate(exit).unref();
    return watchdog(pid, true, () => (closed = true));
  }
  handle.exited.then(exit, () => undefined);
  return watchdog(pid, true, () => {
    closed = true;
    handle?.close();
  });
}

function watchdog(pid: number, watching: boolean, close: () => void): ParentWatchdog {
  return { pid, watching, close, [Symbol.dispose]: close };
}

// The parent's pid now names a process younger than us: the parent died and the pid was reused.
function startedAfterUs(parent: ProcessHandle): boolean {
  if (parent.startTime === null) return false;
  const self = openProcess(process.pid);
  try {
    return self.startTime !== null && parent.startTime > self.startTime;
  } finally {
    self.close();
  }
}

async function runThenExit(
  beforeExit: (() => unknown) | undefined,
  timeout: number,
  code: number,
): Promise<void> {
  if (beforeExit !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The timer keeps the loop alive while beforeExit runs, and bounds it.
      await Promise.race([
        Promise.resolve().then(beforeExit),
        new Promise((resolve) => (timer = setTimeout(resolve, timeout))),
      ]);
    } catch (error) {
      process.emitWarning(`exitWithParent: beforeExit failed: ${(error as Error)?.stack ?? String(error)}`, {
        code: 'PROACTOR_BEFORE_EXIT_FAILED',
      });
      await new Promise((resolve) => setImmediate(resolve)); // let the warning print
    } finally {
      clearTimeout(timer);
    }
  }
  process.exit(code);
}
