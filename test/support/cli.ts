// The real `proactor` command, as package.json's bin names it (dist/cli.mjs: `npm run build`
// makes it), run as users run it: its own process, with stdio on pipes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  bin: Record<string, string>;
};

/** The bin's file, from package.json. */
export const cliPath = fileURLToPath(new URL(`../../${pkg.bin.proactor}`, import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** A running command: its process, and what it printed once it has exited. */
export interface Cli {
  child: ChildProcessWithoutNullStreams;
  done: Promise<CliRun>;
  /** Resolves once stderr or stdout has printed `text` (or rejects when it exited first). */
  printed(text: string): Promise<void>;
}

/**
 * Starts `proactor ...args`. Killed after `timeout` ms, or when the test ends, so no test leaves
 * one behind (and one that failed does not wait for it).
 */
export function startCli(args: string[], timeout = 60_000): Cli {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: 'pipe' });
  // Input it no longer reads (it exited, or stopped reading) is not the test's failure.
  child.stdin.on('error', () => {});
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  let text = '';
  const waiters: { text: string; resolve(): void }[] = [];
  const check = (): void => {
    for (const waiter of waiters.splice(0)) {
      if (text.includes(waiter.text)) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    if (text.length < 65536) text += chunk.toString('latin1');
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    text += chunk;
    check();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr });
    });
  });
  const printed = (wanted: string): Promise<void> =>
    new Promise((resolve, reject) => {
      waiters.push({ text: wanted, resolve });
      check();
      void done.then(() => reject(new Error(`exited before printing '${wanted}': ${stderr}`)));
    });
  return { child, done, printed };
}

/** Runs `proactor ...args` to its end, with `input` (or nothing) on its stdin. */
export function runCli(args: string[], input: string | Buffer = ''): Promise<CliRun> {
  const cli = startCli(args);
  cli.child.stdin.end(input);
  return cli.done;
}
