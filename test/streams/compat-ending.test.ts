// L11: end() never loses the reply. Each exchange runs for every pairing of client and server
// implementation: node:net with node:net is the reference; ours must behave the same with itself
// and with node:net on either side. On Linux end() half-closes; on Windows byte pipes cannot, so
// end() flushes (the peer has read everything) and goes on reading until the peer closes or has
// been quiet for 50 ms with a read waiting, as libuv does.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compatFixtures } from '../support/compat.js';
import { delay, once, readAll } from '../support/events.js';
import { sha256 } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';
import { type AnySocket, type Impl, impls } from './impls.js';

const [net, ours] = impls as [Impl, Impl];

const pairs = [
  { name: 'node:net client, node:net server', client: net, server: net },
  { name: 'proactor client, proactor server', client: ours, server: ours },
  { name: 'proactor client, node:net server', client: ours, server: net },
  { name: 'node:net client, proactor server', client: net, server: ours },
];

describe.each(pairs)('$name', ({ client, server: serverImpl }) => {
  const fixtures = compatFixtures(serverImpl, 'ending');
  const { track } = fixtures;
  const serve = async (onConnection: (socket: AnySocket) => void, options: Record<string, unknown> = {}) =>
    (await fixtures.serve(onConnection, options)).path;

  /** A server that answers each request (a line) with `reply(line)`, `after` ms later, then ends. */
  function answering(reply: (request: string) => string, after = 0) {
    // allowHalfOpen, as http.Server: on Linux the client's end() reaches the server first.
    return serve(
      (socket) => {
        let request = '';
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
          request += text;
          if (!request.endsWith('\n')) return;
          const answer = reply(request.trimEnd());
          if (after === 0) socket.end(answer);
          else setTimeout(() => socket.end(answer), after);
        });
        socket.on('error', () => undefined);
      },
      { allowHalfOpen: true },
    );
  }

  it('L11: end(request), then the whole reply arrives', async () => {
    const path = await answering((request) => `reply to ${request}`.repeat(1000));
    const socket = track(client.connect(path));
    socket.end('ping\n');
    const reply = (await readAll(socket)).toString();
    expect(reply).toBe('reply to ping'.repeat(1000));
  });

  it('L11: a server that answers 20 ms after the request still gets its answer through', async () => {
    const path = await answering((request) => `late ${request}`, 20);
    const socket = track(client.connect(path));
    socket.end('question\n');
    expect((await readAll(socket)).toString()).toBe('late question');
  });

  it('L11: 64 concurrent clients each end(64 KiB) and read back their echo', async () => {
    const path = await serve((socket) => socket.pipe(socket));
    const results = await Promise.all(
      Array.from({ length: 64 }, async () => {
        const payload = randomBytes(64 * 1024);
        const socket = track(client.connect(path));
        socket.end(payload);
        const echo = await readAll(socket);
        return sha256(echo) === sha256(payload) && echo.length === payload.length;
      }),
    );
    expect(results.filter((ok) => !ok)).toEqual([]);
  });

  it('L11: 8 MiB written, then end(): the 8 MiB echo arrives whole', async () => {
    const path = await serve((socket) => socket.pipe(socket));
    const payload = randomBytes(8 * 1024 * 1024);
    const socket = track(client.connect(path));
    const echo = readAll(socket);
    for (let offset = 0; offset < payload.length; offset += 256 * 1024) {
      socket.write(payload.subarray(offset, offset + 256 * 1024));
    }
    socket.end();
    const received = await echo;
    expect(received.length).toBe(payload.length);
    expect(sha256(received)).toBe(sha256(payload));
  });

  /**
   * A pauseOnConnect server; `client` does its part, then 150 ms later the server resumes and
   * must receive exactly 'abc', and then the end.
   */
  async function handsOverAbc(clientPart: (socket: AnySocket) => Promise<void>): Promise<void> {
    const received: Buffer[] = [];
    const { path, accepted } = await fixtures.serve(
      (socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)),
      { pauseOnConnect: true },
    );
    const socket = track(client.connect(path));
    socket.on('error', () => undefined);
    await clientPart(socket);
    await delay(150);
    const serverSide = await accepted;
    expect(received).toEqual([]);
    serverSide.resume();
    await once(serverSide, 'end');
    expect(Buffer.concat(received).toString()).toBe('abc');
  }

  it('a client that writes and ends before the server reads still hands over its data (pauseOnConnect, resume 150 ms later)', () =>
    handsOverAbc(async (socket) => {
      socket.end('abc');
    }));

  it('a client that writes and leaves at once still hands over its data (L10 drops only empty connections)', () =>
    handsOverAbc(async (socket) => {
      await once(socket, 'connect');
      await new Promise<void>((resolve) => socket.write('abc', () => resolve()));
      socket.destroy();
      await once(socket, 'close');
    }));

  // Windows only: there 'finish' means the peer has read everything (libuv flushes before it
  // reports the shutdown); a Linux half-close finishes at once.
  it.runIf(isWindows)('Windows: finish comes once the peer has read what was written', async () => {
    let accepted: AnySocket | undefined;
    const path = await serve(
      (socket) => {
        accepted = socket;
      },
      { pauseOnConnect: true },
    );
    const socket = track(client.connect(path));
    socket.on('error', () => undefined);
    let finishedAt = 0;
    socket.on('finish', () => (finishedAt = performance.now()));
    socket.end('unread');
    await delay(200);
    expect(finishedAt).toBe(0);
    const resumedAt = performance.now();
    accepted?.resume();
    await once(socket, 'finish');
    expect(finishedAt).toBeGreaterThanOrEqual(resumedAt);
  });
});
