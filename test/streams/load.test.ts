// Load: 256 concurrent clients each send 1 MiB through an echo server and check the SHA-256 of
// what comes back. Every client must succeed and the server must never emit an error.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type PipeSocket } from '../../lib/index.js';
import { closed, listening } from '../support/events.js';
import { sha256, uniquePipePath } from '../support/pipes.js';

const CLIENTS = 256;
const SIZE = 1 << 20;

function echoThrough(path: string, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path, timeout: 60_000 });
    const hash = createHash('sha256');
    let received = 0;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
      if (received === payload.length) socket.end();
    });
    socket.on('close', (hadError: boolean) => {
      if (hadError) return;
      if (received !== payload.length) reject(new Error(`received ${received} of ${payload.length} bytes`));
      else resolve(hash.digest('hex'));
    });
    // Written in pieces, as a real client would; backpressure decides the pace.
    let offset = 0;
    const writeMore = (): void => {
      while (offset < payload.length) {
        const piece = payload.subarray(offset, offset + 256 * 1024);
        offset += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
}

describe('load', () => {
  it(`${CLIENTS} concurrent clients each echo 1 MiB with a matching SHA-256, no server error`, async () => {
    const path = uniquePipePath('load');
    const serverErrors: Error[] = [];
    const server = createServer({ instances: 16 }, (socket: PipeSocket) => {
      socket.on('error', (error: Error) => serverErrors.push(error));
      socket.pipe(socket);
    });
    server.on('error', (error: Error) => serverErrors.push(error));
    await listening(server as never, path);
    const payloads = Array.from({ length: 8 }, () => randomBytes(SIZE));
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: CLIENTS }, (_v, i) => echoThrough(path, payloads[i % payloads.length] as Buffer)),
    );
    const elapsed = performance.now() - started;
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    results.forEach((result, i) => {
      expect((result as PromiseFulfilledResult<string>).value).toBe(
        sha256(payloads[i % payloads.length] as Buffer),
      );
    });
    expect(serverErrors).toEqual([]);
    await closed(server as never);
    console.log(`load: ${CLIENTS} x 1 MiB echoed in ${Math.round(elapsed)} ms`);
  }, 120_000);
});
