// Pipes on the low-level API: unique names, connected pairs, busy servers, exact reads.
import { createHash, randomBytes } from 'node:crypto';
import { pipePath } from '../../lib/pipe-path.js';
import type { PipeHandle, Proactor } from '../../lib/proactor.js';
import { isWindows } from './platform.js';

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

/**
 * A server, on `proactor`, that has room for no further client: Windows, a single-instance pipe
 * whose one instance is taken; Linux, a listener with backlog 0 whose queue holds one unaccepted
 * client. `release()` makes room for exactly one more client and resolves with its connection;
 * `dispose()` closes every handle the server made.
 */
export async function busyServer(
  proactor: Proactor,
): Promise<{ path: string; release(): Promise<PipeHandle>; dispose(): void }> {
  const path = uniquePipePath('busy');
  const handles: PipeHandle[] = [];
  const instance = await proactor.createPipeInstance(path, { maxInstances: 1, backlog: 0 });
  handles.push(instance);
  // Nobody accepts the occupant: it holds the only instance / the only backlog slot.
  const occupant = await proactor.connectPipe(path);
  handles.push(occupant);
  return {
    path,
    async release() {
      if (isWindows) {
        // Free the only instance, then offer a new one.
        proactor.closeHandle(occupant);
        proactor.closeHandle(instance);
        const next = await proactor.createPipeInstance(path, { maxInstances: 1 });
        handles.push(next);
        return proactor.acceptPipe(next);
      }
      // Take the queued client off the backlog; the next one fits.
      handles.push(await proactor.acceptPipe(instance));
      const next = await proactor.acceptPipe(instance);
      handles.push(next);
      return next;
    },
    dispose() {
      for (const handle of handles) proactor.closeHandle(handle);
    },
  };
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
