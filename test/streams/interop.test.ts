// Our server with a node:net client, and a node:net server with our client: 1 MiB each way,
// checksums equal, both ends closing cleanly.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, createServer } from '../../lib/index.js';
import { closed, listening, once, readBytes } from '../support/events.js';
import { sha256, uniquePipePath } from '../support/pipes.js';
import type { AnyServer, AnySocket } from './impls.js';

const pairs = [
  { name: 'our server, node:net client', server: createServer, client: net.connect },
  { name: 'node:net server, our client', server: net.createServer, client: connect },
] as const;

describe.each(pairs)('interop: $name', ({ server: makeServer, client: makeClient }) => {
  it('echoes 1 MiB, checksum equal, and both ends close without error', async () => {
    const path = uniquePipePath('interop');
    const serverErrors: Error[] = [];
    const serverClosed: Promise<unknown>[] = [];
    const server = (makeServer as (l: (s: AnySocket) => void) => AnyServer)((socket) => {
      socket.on('error', (error: Error) => serverErrors.push(error));
      serverClosed.push(once(socket, 'close'));
      socket.pipe(socket);
    });
    server.on('error', (error: Error) => serverErrors.push(error));
    await listening(server, path);
    const client = (makeClient as (p: string) => AnySocket)(path);
    const payload = randomBytes(1 << 20);
    client.write(payload);
    const echoed = await readBytes(client, payload.length);
    expect(echoed.length).toBe(payload.length);
    expect(sha256(echoed)).toBe(sha256(payload));
    client.end();
    const [hadError] = await new Promise<[boolean]>((resolve) =>
      client.once('close', (e: boolean) => resolve([e])),
    );
    expect(hadError).toBe(false);
    await Promise.all(serverClosed);
    await closed(server);
    expect(serverErrors).toEqual([]);
  });
});
