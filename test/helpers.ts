// Shared test helpers: unique pipe names, connected pairs, and small waits.
import { createHash, randomBytes } from 'node:crypto';
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
