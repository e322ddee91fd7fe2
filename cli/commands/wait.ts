// proactor wait PID...: wait for any processes to exit (the `tail --pid` job), and report each.
import { constants } from 'node:os';
import { waitForExit, type ExitResult } from 'proactor';
import { type Command, type Context, milliseconds, UsageError, type Values } from '../context.js';

export const waitCommand: Command = {
  options: {
    any: { type: 'boolean' },
    timeout: { type: 'string', short: 't' },
    json: { type: 'boolean' },
  },
  run,
};

function parsePid(text: string): number {
  const pid = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(pid) || pid < 1) {
    throw new UsageError(`PID must be a whole number >= 1, not '${text}'`);
  }
  return pid;
}

function describe({ pid, exitCode, signalCode }: ExitResult): string {
  if (signalCode !== null) return `${pid} was killed by ${signalCode}`;
  if (exitCode !== null) return `${pid} exited with code ${exitCode}`;
  return `${pid} exited (its exit code is unknown: not our child)`;
}

/** What our exit code is for one process: its own, 128 + a signal's number, 0 if unknown. */
function exitCodeOf({ exitCode, signalCode }: ExitResult): number {
  if (signalCode !== null) return 128 + (constants.signals[signalCode] ?? 0);
  return exitCode ?? 0;
}

async function run(values: Values, positionals: string[], context: Context): Promise<number> {
  if (positionals.length === 0) throw new UsageError('PID is missing');
  const pids = [...new Set(positionals.map(parsePid))];
  const timeout = milliseconds(values, 'timeout');
  // One signal stops every wait: Ctrl-C, or the first exit with --any.
  const done = new AbortController();
  const signal = AbortSignal.any([context.signal, done.signal]);
  const report = (exit: ExitResult): ExitResult => {
    if (!done.signal.aborted) {
      process.stdout.write(`${values.json === true ? JSON.stringify(exit) : describe(exit)}\n`);
    }
    if (values.any === true) done.abort();
    return exit;
  };
  const waits = pids.map((pid) =>
    waitForExit(pid, { signal, ...(timeout === undefined ? {} : { timeout }) }).then(
      report,
      (error: Error) => {
        // Which process it was about: `waitpid ESRCH` alone does not say.
        if (error.name !== 'AbortError') error.message = `pid ${pid}: ${error.message}`;
        throw error;
      },
    ),
  );
  try {
    if (values.any === true) {
      const first = await Promise.race(waits);
      return pids.length === 1 ? exitCodeOf(first) : 0;
    }
    const exits = await Promise.all(waits);
    return pids.length === 1 ? exitCodeOf(exits[0] as ExitResult) : 0;
  } finally {
    // The waits still pending (the rest, after --any or a failure) are cancelled, and their
    // AbortErrors are ours, not the caller's.
    done.abort();
    await Promise.allSettled(waits);
  }
}
