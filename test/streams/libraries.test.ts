// Real, well-kept libraries over our sockets and over node:net, the same scenarios against both:
// node:http (its server fed our connections, its client given ours), vscode-jsonrpc,
// node:readline, stream.pipeline with zlib, for-await over the socket, and setEncoding. A
// drop-in `net` must carry what these libraries do with a socket, byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import readline from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createMessageConnection,
  type MessageConnection,
  NotificationType,
  RequestType,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { compatFixtures } from '../support/compat.js';
import { delay, once, readAll } from '../support/events.js';
import { sha256 } from '../support/pipes.js';
import { type AnySocket, type Impl, impls } from './impls.js';

/** Rejects, naming what stalled and how far it got, if `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string, progress?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${what}: stalled, not done within ${ms} ms${progress ? ` (${progress()})` : ''}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A small deterministic PRNG (mulberry32), so a failing split is the same split next run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `data` into pieces of `min`..`max` bytes (deterministically, from `seed`). */
function splitBytes(data: Buffer, min: number, max: number, seed: number): Buffer[] {
  const random = prng(seed);
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const size = min + Math.floor(random() * (max - min + 1));
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/**
 * Writes each piece as its own write, waiting for its callback before the next, so the pieces
 * reach the OS (and the peer) separately rather than coalesced; pauses for 1 ms after a piece
 * when `pauseAfter(index)` says so, so the reader sees them arrive piecemeal.
 */
async function writePieces(
  socket: AnySocket,
  pieces: Buffer[],
  pauseAfter: (index: number) => boolean,
): Promise<void> {
  for (let i = 0; i < pieces.length; i++) {
    await new Promise<void>((resolve, reject) =>
      socket.write(pieces[i], (error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (pauseAfter(i)) await delay(1);
  }
}

/** Every 16th piece. */
const every16 = (index: number): boolean => index % 16 === 15;

/** About every other piece, at random (seeded): often a lone piece, sometimes two back to back. */
function randomPauses(seed: number): (index: number) => boolean {
  const random = prng(seed);
  return () => random() < 0.5;
}

/** Text full of 2-, 3- and 4-byte UTF-8 characters (é, €, 𝄞) between ASCII. */
function multiByteText(lines: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`${i}: é€𝄞 café ${'€'.repeat(i % 7)} naïve ${'𝄞'.repeat(i % 5)} ${'x'.repeat(i % 11)} ü`);
  }
  return out;
}

describe.each(impls)('$name', (impl: Impl) => {
  // Every connection is tracked, so it is destroyed after the test.
  const { serve, track } = compatFixtures(impl, 'libs');

  describe('node:http', () => {
    /** An http.Server fed the pipe server's connections: echoes the body, with its hash and size. */
    async function httpOverPipe(): Promise<{
      path: string;
      httpServer: http.Server;
      connections: () => number;
    }> {
      const httpServer = http.createServer((req, res) => {
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          chunks.push(chunk);
        });
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'x-method': req.method ?? '',
            'x-url': req.url ?? '',
            'x-request-sha256': hash.digest('hex'),
            'x-request-length': String(body.length),
          });
          res.end(body);
        });
      });
      let connections = 0;
      // As http.Server's own net.Server: allowHalfOpen, http decides when to end.
      const { path } = await serve(
        (socket) => {
          connections++;
          httpServer.emit('connection', socket);
        },
        { allowHalfOpen: true },
      );
      return { path, httpServer, connections: () => connections };
    }

    function post(
      options: http.RequestOptions,
      body: Buffer,
    ): Promise<{ res: http.IncomingMessage; body: Buffer; reused: boolean }> {
      return new Promise((resolve, reject) => {
        const req = http.request({ method: 'POST', path: '/x', ...options }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    it('http.request over createConnection: a 1 MiB POST echoed, status, headers and SHA-256 equal', async () => {
      const { path } = await httpOverPipe();
      const payload = randomBytes(1 << 20);
      const { res, body } = await within(
        post(
          {
            createConnection: () => track(impl.connect(path)) as unknown as net.Socket,
            headers: { 'content-type': 'application/octet-stream' },
          },
          payload,
        ),
        20_000,
        'POST /x',
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['x-method']).toBe('POST');
      expect(res.headers['x-url']).toBe('/x');
      expect(res.headers['x-request-length']).toBe(String(payload.length));
      expect(res.headers['x-request-sha256']).toBe(sha256(payload));
      expect(res.headers['content-length'] ?? res.headers['transfer-encoding']).toBeDefined();
      expect(body.length).toBe(payload.length);
      expect(sha256(body)).toBe(sha256(payload));
    });

    it('keep-alive: two requests on one agent reuse one connection', async () => {
      const { path, connections } = await httpOverPipe();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      // The agent makes its connections with createConnection: ours (or node:net's) to the pipe.
      (agent as unknown as { createConnection: () => net.Socket }).createConnection = () =>
        track(impl.connect(path)) as unknown as net.Socket;
      try {
        const first = randomBytes(300_000);
        const second = randomBytes(200_000);
        const a = await within(post({ agent }, first), 20_000, 'first request');
        const b = await within(post({ agent }, second), 20_000, 'second request');
        expect(a.res.statusCode).toBe(200);
        expect(b.res.statusCode).toBe(200);
        expect(a.res.headers['x-request-sha256']).toBe(sha256(first));
        expect(b.res.headers['x-request-sha256']).toBe(sha256(second));
        expect(sha256(a.body)).toBe(sha256(first));
        expect(sha256(b.body)).toBe(sha256(second));
        expect(a.reused).toBe(false);
        expect(b.reused).toBe(true);
        expect(connections()).toBe(1);
      } finally {
        agent.destroy();
      }
    });

    it('a client that sends its request with end(request) still reads the whole response', async () => {
      const body = randomBytes(256 * 1024);
      const httpServer = http.createServer((req, res) => {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
          'x-url': req.url ?? '',
        });
        res.end(body);
      });
      const { path } = await serve((socket) => httpServer.emit('connection', socket), {
        allowHalfOpen: true,
      });
      const client = track(impl.connect(path));
      client.end('GET /whole HTTP/1.1\r\nHost: pipe\r\nConnection: close\r\n\r\n');
      let received = 0;
      client.on('data', (chunk: Buffer) => (received += chunk.length));
      const response = await within(
        readAll(client),
        20_000,
        'reading the response',
        () => `${received} bytes`,
      );
      const headerEnd = response.indexOf('\r\n\r\n');
      expect(response.subarray(0, 17).toString('latin1'), 'the status line').toBe('HTTP/1.1 200 OK\r\n');
      const head = response.subarray(0, headerEnd).toString('latin1').toLowerCase();
      expect(head).toContain('x-url: /whole');
      expect(head).toContain(`content-length: ${body.length}`);
      expect(sha256(response.subarray(headerEnd + 4))).toBe(sha256(body));
    });
  });

  describe('vscode-jsonrpc', () => {
    const add = new RequestType<{ a: number; b: number }, number, void>('add');
    const echoLength = new RequestType<{ text: string }, { length: number; sha256: string }, void>(
      'echoLength',
    );
    const whoAreYou = new RequestType<string, string, void>('whoAreYou');
    const log = new NotificationType<{ message: string }>('log');
    const bye = new NotificationType<string>('bye');

    function connection(socket: AnySocket): MessageConnection {
      return createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
    }

    /** A JSON-RPC server on the pipe; resolves the connection the server side makes. */
    async function rpcServer(): Promise<{ path: string; serverSide: Promise<MessageConnection> }> {
      let resolveServerSide: (c: MessageConnection) => void = () => undefined;
      const serverSide = new Promise<MessageConnection>((resolve) => (resolveServerSide = resolve));
      const { path } = await serve(
        (socket) => {
          const conn = connection(socket);
          conn.onRequest(add, ({ a, b }) => a + b);
          conn.onRequest(echoLength, ({ text }) => ({
            length: text.length,
            sha256: createHash('sha256').update(text).digest('hex'),
          }));
          conn.listen();
          resolveServerSide(conn);
        },
        { allowHalfOpen: true },
      );
      return { path, serverSide };
    }

    it('requests both ways, a notification, 200 concurrent requests and a 256 KiB string param', async () => {
      const { path, serverSide } = await rpcServer();
      const client = connection(track(impl.connect(path)));
      const notified: string[] = [];
      const gotLog = new Promise<void>((resolve) => {
        client.onNotification(log, ({ message }) => {
          notified.push(message);
          resolve();
        });
      });
      client.onRequest(whoAreYou, (asker) => `client, asked by ${asker}`);
      client.listen();
      try {
        expect(await within(client.sendRequest(add, { a: 2, b: 40 }), 10_000, 'add')).toBe(42);

        const server = await serverSide;
        // The server asks the client, and notifies it.
        expect(await within(server.sendRequest(whoAreYou, 'server'), 10_000, 'whoAreYou')).toBe(
          'client, asked by server',
        );
        await server.sendNotification(log, { message: 'hello from the server' });
        await within(gotLog, 10_000, 'the log notification');
        expect(notified).toEqual(['hello from the server']);

        // Many at once: every answer matches its own request.
        const answers = await within(
          Promise.all(Array.from({ length: 200 }, (_, i) => client.sendRequest(add, { a: i, b: 1000 * i }))),
          20_000,
          '200 concurrent requests',
        );
        expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => 1001 * i));

        // A large string param, multi-byte characters included (Content-Length counts bytes).
        const text = 'é€𝄞 json-rpc '.repeat(Math.ceil((256 * 1024) / 12)).slice(0, 300_000);
        expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(256 * 1024);
        const result = await within(client.sendRequest(echoLength, { text }), 20_000, 'the large request');
        expect(result).toEqual({
          length: text.length,
          sha256: createHash('sha256').update(text).digest('hex'),
        });
      } finally {
        client.dispose();
        void serverSide.then((server) => server.dispose());
      }
    });

    it('a client that ends its side after its last request still gets the answer', async () => {
      const { path, serverSide } = await rpcServer();
      const socket = track(impl.connect(path));
      const client = connection(socket);
      client.listen();
      const serverGotBye = serverSide.then(
        (server) => new Promise<string>((resolve) => server.onNotification(bye, resolve)),
      );
      try {
        expect(await within(client.sendRequest(add, { a: 1, b: 1 }), 10_000, 'the first request')).toBe(2);
        // The last request, a goodbye, and then our side is done writing: end() (the writes are
        // queued in order, so both are on the wire before the end).
        const answer = client.sendRequest(add, { a: 20, b: 22 });
        await client.sendNotification(bye, 'done');
        client.end();
        expect(await within(serverGotBye, 10_000, 'the bye notification')).toBe('done');
        expect(await within(answer, 10_000, 'the answer to the last request')).toBe(42);
      } finally {
        client.dispose();
        void serverSide.then((server) => server.dispose());
      }
    });
  });

  it('node:readline: every line, with multi-byte characters split across small delayed writes', async () => {
    // \r\n line ends too; crlfDelay Infinity keeps a \r\n split across writes one line end.
    const lines = multiByteText(300);
    const text = lines.map((line, i) => line + (i % 3 === 0 ? '\r\n' : '\n')).join('');
    const pieces = splitBytes(Buffer.from(text, 'utf8'), 1, 7, 1);
    const { path } = await serve((socket) => {
      void writePieces(socket, pieces, every16).then(() => socket.end());
    });
    const client = track(impl.connect(path));
    const rl = readline.createInterface({ input: client, crlfDelay: Infinity });
    const received: string[] = [];
    await within(
      (async () => {
        for await (const line of rl) received.push(line);
      })(),
      20_000,
      'reading lines',
      () => `${received.length} of ${lines.length} lines`,
    );
    expect(received.length).toBe(lines.length);
    expect(received).toEqual(lines);
  });

  describe('stream.pipeline with zlib', () => {
    function payload(): Buffer {
      // Half random (incompressible), half text (compressible): 4 MiB.
      const text = Buffer.from(multiByteText(40_000).join('\n')).subarray(0, 2 << 20);
      return Buffer.concat([randomBytes(2 << 20), text]);
    }
    function chunksOf(data: Buffer, size: number): Buffer[] {
      const out: Buffer[] = [];
      for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
      return out;
    }
    function hashSink(): { sink: Writable; digest: () => string; bytes: () => number } {
      const hash = createHash('sha256');
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          bytes += chunk.length;
          callback();
        },
      });
      return { sink, digest: () => hash.digest('hex'), bytes: () => bytes };
    }

    it('client → gzip → socket, socket → gunzip → hash on the server: 4 MiB, SHA-256 equal', async () => {
      const data = payload();
      const { sink, digest, bytes } = hashSink();
      let serverDone: Promise<void> | undefined;
      const { path, accepted } = await serve((socket) => {
        serverDone = pipeline(socket, zlib.createGunzip(), sink);
      });
      const client = track(impl.connect(path));
      const clientDone = pipeline(Readable.from(chunksOf(data, 100_000)), zlib.createGzip(), client);
      await within(clientDone, 20_000, 'the client pipeline');
      await within(accepted, 10_000, 'accepting');
      await within(
        serverDone as Promise<void>,
        20_000,
        'the server pipeline',
        () => `${bytes()} bytes unzipped`,
      );
      expect(bytes()).toBe(data.length);
      expect(digest()).toBe(sha256(data));
    });

    it('server → gzip → socket, socket → gunzip → hash on the client: 4 MiB, SHA-256 equal', async () => {
      const data = payload();
      let serverDone: Promise<void> | undefined;
      const { path, accepted } = await serve((socket) => {
        serverDone = pipeline(Readable.from(chunksOf(data, 100_000)), zlib.createGzip(), socket);
      });
      const { sink, digest, bytes } = hashSink();
      const client = track(impl.connect(path));
      await within(pipeline(client, zlib.createGunzip(), sink), 20_000, 'the client pipeline', () => {
        return `${bytes()} bytes unzipped`;
      });
      await within(accepted, 10_000, 'accepting');
      await within(serverDone as Promise<void>, 20_000, 'the server pipeline');
      expect(bytes()).toBe(data.length);
      expect(digest()).toBe(sha256(data));
    });
  });

  describe('for await (const chunk of socket)', () => {
    it('collects every chunk the server wrote, then ends', async () => {
      const chunks = Array.from({ length: 1000 }, (_, i) => Buffer.alloc(1000 + (i % 37) * 13, i & 0xff));
      const expected = Buffer.concat(chunks);
      const { path } = await serve((socket) => {
        for (const chunk of chunks) socket.write(chunk);
        socket.end();
      });
      const client = track(impl.connect(path));
      const received: Buffer[] = [];
      let total = 0;
      await within(
        (async () => {
          for await (const chunk of client) {
            received.push(chunk as Buffer);
            total += (chunk as Buffer).length;
          }
        })(),
        20_000,
        'for await',
        () => `${total} of ${expected.length} bytes`,
      );
      expect(total).toBe(expected.length);
      expect(sha256(Buffer.concat(received))).toBe(sha256(expected));
      expect(client.readableEnded).toBe(true);
    });

    it('break out of for-await destroys the socket with no unhandled error, and the server sees it close', async () => {
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const { path, accepted } = await serve((socket) => {
        // The server keeps writing until the client goes away.
        socket.on('error', () => undefined);
        const pump = (): void => {
          while (!socket.destroyed && socket.write(chunk));
        };
        socket.on('drain', pump);
        pump();
      });
      const client = track(impl.connect(path));
      // No 'error' listener of ours: an error nobody handles would fail the run. (Node's
      // iterator destroys the stream with an AbortError, which its own listener takes.)
      const clientClosed = new Promise<boolean>((resolve) => client.once('close', resolve));
      const serverSocket = await within(accepted, 10_000, 'accepting');
      const serverClosed = new Promise<void>((resolve) => serverSocket.once('close', () => resolve()));
      let seen = 0;
      await within(
        (async () => {
          for await (const data of client) {
            seen += (data as Buffer).length;
            if (seen >= 3 * chunk.length) break;
          }
        })(),
        10_000,
        'reading before the break',
        () => `${seen} bytes`,
      );
      expect(seen).toBeGreaterThanOrEqual(3 * chunk.length);
      expect(client.destroyed).toBe(true);
      await within(clientClosed, 10_000, "the client's close");
      await within(serverClosed, 10_000, "the server's close");
      expect(serverSocket.destroyed).toBe(true);
      const errored = (client as AnySocket & { errored: Error | null }).errored;
      expect(errored === null || errored.name === 'AbortError', `errored: ${String(errored)}`).toBe(true);
    });
  });

  describe('setEncoding("utf8") with multi-byte characters split across 1–5 byte writes', () => {
    const text = multiByteText(60).join('\n');
    const pieces = splitBytes(Buffer.from(text, 'utf8'), 1, 5, 7);

    /** Collects the decoded strings until 'end', failing (not hanging) if the data stalls. */
    async function collect(socket: AnySocket): Promise<{ decoded: string; types: Set<string> }> {
      socket.setEncoding('utf8');
      let decoded = '';
      const types = new Set<string>();
      socket.on('data', (data: unknown) => {
        types.add(typeof data);
        decoded += String(data);
      });
      await within(
        once(socket, 'end'),
        15_000,
        'reading with setEncoding',
        () => `${decoded.length} of ${text.length} characters decoded`,
      );
      return { decoded, types };
    }

    it('server → client', async () => {
      // Sanity: the split really cuts characters (a piece that is not valid UTF-8 on its own).
      expect(pieces.some((piece) => piece.toString('utf8').includes('\ufffd'))).toBe(true);
      const { path } = await serve((socket) => {
        socket.resume();
        void writePieces(socket, pieces, randomPauses(11)).then(() => socket.end());
      });
      const client = track(impl.connect(path));
      const { decoded, types } = await collect(client);
      expect([...types]).toEqual(['string']);
      expect(decoded.length).toBe(text.length);
      expect(decoded).toBe(text);
    });

    it('client → server', async () => {
      let result: ReturnType<typeof collect> | undefined;
      const { path, accepted } = await serve((socket) => {
        result = collect(socket);
      });
      const client = track(impl.connect(path));
      client.resume();
      await within(writePieces(client, pieces, randomPauses(13)), 15_000, 'writing the pieces');
      client.end();
      await within(accepted, 10_000, 'accepting');
      const { decoded, types } = await (result as ReturnType<typeof collect>);
      expect([...types]).toEqual(['string']);
      expect(decoded.length).toBe(text.length);
      expect(decoded).toBe(text);
    });
  });
});
