// Other processes: the fixtures in test/fixtures/, run as peers or to their end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

/** The path of test/fixtures/<name>. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/**
 * Starts `node test/fixtures/<name> ...args` (killed after `timeout` ms); `ready` resolves once it
 * printed "ready".
 */
export function startFixture(
  name: string,
  args: string[],
  timeout = 30_000,
): { child: ResultPromise; ready: Promise<void> } {
  const child = execa(process.execPath, [fixturePath(name), ...args], { timeout });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.catch(reject);
  });
  return { child, ready };
}

/** The other end of a stream pipe, on node:net or ours (test/fixtures/streams-peer.mjs). */
export function startPeer(
  mode: string,
  impl: 'net' | 'proactor',
  path: string,
): { child: ResultPromise; ready: Promise<void> } {
  return startFixture('streams-peer.mjs', [mode, impl, path]);
}

/** The other end of a low-level pipe (test/fixtures/pipe-peer.mjs). */
export function startPipePeer(
  role: 'client' | 'server',
  path: string,
): { child: ResultPromise; ready: Promise<void> } {
  return startFixture('pipe-peer.mjs', [role, path]);
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
  const child = spawn(process.execPath, [fixturePath(name), ...args], {
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
