// Shared test helpers: unique pipe names, connected pairs, and small waits.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pipePath } from '../lib/pipe-path.js';
import type { PipeHandle, Proactor } from '../lib/proactor.js';

let counter = 0;

/** A pipe path no other test (or test leg running at the same time) uses. */
export function uniquePipePath(label: string): string {
  counter++;
  return pipePath(`proactor-test-${label}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`);
}

/** A server instance and a client connected to it, both on `proactor`. */
export async function connectedPair(
  proactor: Proactor,
  label = 'pair',
): Promise<{ path: string; instance: PipeHandle; server: PipeHandle; client: PipeHandle }> {
  const path = uniquePipePath(label);
  const instance = await proactor.createPipeInstance(path);
  const accepted = proactor.acceptPipe(instance);
  const client = await proactor.connectPipe(path);
  const server = await accepted;
  return { path, instance, server, client };
}

/** Reads exactly `length` bytes (or until EOF) and returns them. */
export async function readExactly(proactor: Proactor, handle: PipeHandle, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.alloc(65536);
  while (total < length) {
    const n = await proactor.recv(handle, buffer.subarray(0, Math.min(buffer.length, length - total)));
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles to 'pending' if `promise` has not settled within `ms`. */
export async function settledWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<PromiseSettledResult<T> | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  const settled = Promise.allSettled([promise]).then(([result]) => result as PromiseSettledResult<T>);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface FixtureRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node test/fixtures/<name> ...args` to its end (killed after `timeout` ms). */
export async function runFixture(
  name: string,
  args: string[],
  timeout = 60_000,
  env: NodeJS.ProcessEnv = {},
): Promise<FixtureRun> {
  const { spawn } = await import('node:child_process');
  const script = new URL(`fixtures/${name}`, import.meta.url);
  const child = spawn(process.execPath, [fileURLToPath(script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/**
 * What a process that took the host down leaves on stderr: Node's fatal errors, aborts, a C++
 * exception that escaped, Node-API's warning for an exception it swallowed, the sanitizers'
 * reports, and Wine's report of an exception that reached the OS.
 */
export const HOST_CRASH =
  /FATAL ERROR|Abort|terminate called|DEP0168|N-API callback exception|Segmentation fault|AddressSanitizer|runtime error:|Unhandled exception|unhandled exception/;
