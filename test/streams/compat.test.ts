// The same scenarios against node:net and against ours: where node:net's behaviour for pipes is
// defined, ours must match it (on the platform's terms where node:net's own differ).
import { describe, expect, it } from 'vitest';
import { compatFixtures } from '../support/compat.js';
import {
  closed,
  delay,
  echoOnce,
  listening,
  once,
  readAll,
  readBytes,
  recordEvents,
} from '../support/events.js';
import { startPeer } from '../support/peers.js';
import { uniquePipePath } from '../support/pipes.js';
import { isWindows, underWine } from '../support/platform.js';
import { type AnyServer, type AnySocket, type Impl, impls } from './impls.js';

describe.each(impls)('$name', (impl: Impl) => {
  const { serve, track, trackServer } = compatFixtures(impl, 'compat');

  describe('call shapes', () => {
    it.each([
      ['listen(path, cb)', (s: AnyServer, p: string, cb: () => void) => s.listen(p, cb)],
      ['listen(path, backlog, cb)', (s: AnyServer, p: string, cb: () => void) => s.listen(p, 8, cb)],
      ['listen({ path }, cb)', (s: AnyServer, p: string, cb: () => void) => s.listen({ path: p }, cb)],
      [
        'listen(path) + listening event',
        (s: AnyServer, p: string, cb: () => void) => s.listen(p).on('listening', cb),
      ],
    ])('%s', async (_name, listen) => {
      const path = uniquePipePath('shape');
      const server = impl.createServer((socket: AnySocket) => socket.pipe(socket));
      trackServer(server);
      await new Promise<void>((resolve) => listen(server, path, resolve));
      expect(server.listening).toBe(true);
      const client = track(impl.connect(path));
      expect(await echoOnce(client)).toBe('ping');
    });

    it('createServer(), createServer(listener), createServer(options, listener)', async () => {
      for (const make of [
        () => impl.createServer().on('connection', (s: AnySocket) => s.pipe(s)),
        () => impl.createServer((s: AnySocket) => s.pipe(s)),
        () => impl.createServer({ allowHalfOpen: false }, (s: AnySocket) => s.pipe(s)),
      ]) {
        const path = uniquePipePath('create');
        const server = make();
        trackServer(server);
        await listening(server, path);
        expect(await echoOnce(track(impl.connect(path)))).toBe('ping');
      }
    });

    it.each([
      ['connect(path)', (i: Impl, p: string) => i.connect(p)],
      ['connect(path, cb)', (i: Impl, p: string, cb: () => void) => i.connect(p, cb)],
      ['connect({ path })', (i: Impl, p: string) => i.connect({ path: p })],
      ['connect({ path }, cb)', (i: Impl, p: string, cb: () => void) => i.connect({ path: p }, cb)],
      ['createConnection(path, cb)', (i: Impl, p: string, cb: () => void) => i.createConnection(p, cb)],
      [
        'createConnection({ path }, cb)',
        (i: Impl, p: string, cb: () => void) => i.createConnection({ path: p }, cb),
      ],
    ])('%s', async (name, connect) => {
      const { path } = await serve();
      let called = 0;
      const socket = track(connect(impl, path, () => called++) as AnySocket);
      await once(socket, 'connect');
      expect(called).toBe(name.includes('cb') ? 1 : 0);
      expect(await echoOnce(socket)).toBe('ping');
    });
  });

  describe('events', () => {
    it('client: connect, ready, data, end, finish, close(false) when the server ends', async () => {
      const { path } = await serve((socket) => socket.end('bye'));
      const client = track(impl.connect(path));
      const events = recordEvents(client, ['connect', 'ready', 'data', 'end', 'finish', 'error']);
      client.resume();
      const [hadError] = await once<[boolean]>(client, 'close');
      expect(hadError).toBe(false);
      expect(events).toEqual(['connect', 'ready', 'data', 'end', 'finish']);
    });

    it('server side: connection, data, end, finish, close(false) when the client ends', async () => {
      let serverEvents: string[] = [];
      const serverClosed = new Promise<boolean>((resolve) => {
        void serve((socket) => {
          serverEvents = recordEvents(socket, ['data', 'end', 'finish', 'error']);
          socket.on('close', resolve);
        }).then(({ path }) => {
          const client = track(impl.connect(path));
          client.resume();
          client.end('hello');
        });
      });
      expect(await serverClosed).toBe(false);
      expect(serverEvents).toEqual(['data', 'end', 'finish']);
    });

    it('close(true) after an error', async () => {
      const client = track(impl.connect(uniquePipePath('nobody')));
      const events = recordEvents(client, ['error']);
      const hadError = await new Promise<boolean>((resolve) => client.once('close', resolve));
      expect(hadError).toBe(true);
      expect(events).toEqual(['error']);
    });

    it('connecting to a name nobody serves emits ENOENT', async () => {
      const path = uniquePipePath('nobody');
      const client = track(impl.connect(path));
      const [error] = await once<[Error]>(client, 'error');
      expect(error).toMatchObject({ code: 'ENOENT', syscall: 'connect', address: path });
      expect((error as Error & { errno: number }).errno).toBeLessThan(0);
    });

    it('writes made while connecting are sent once connected', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path));
      expect(client.pending).toBe(true);
      client.write('a');
      client.write('b');
      expect(client.write('c')).toBe(true);
      expect((await readBytes(client, 3)).toString()).toBe('abc');
    });
  });

  describe('properties', () => {
    it('connecting, pending and readyState through a socket’s life', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path));
      expect(client).toMatchObject({ connecting: true, pending: true, readyState: 'opening' });
      await once(client, 'connect');
      expect(client).toMatchObject({ connecting: false, pending: false, readyState: 'open' });
      client.destroy();
      await once(client, 'close');
      expect(client.readyState).toBe('closed');
    });

    it('address(): the path on the server (kept after close), {} on a socket', async () => {
      const path = uniquePipePath('address');
      const server = impl.createServer((s: AnySocket) => s.pipe(s));
      expect(server.address()).toBeNull();
      await listening(server, path);
      expect(server.address()).toBe(path);
      const client = track(impl.connect(path));
      await once(client, 'connect');
      expect(client.address()).toEqual({});
      client.destroy();
      await closed(server);
      expect(server.address()).toBe(path);
    });

    it('bytesRead and bytesWritten count both ways', async () => {
      const serverSockets: AnySocket[] = [];
      const { path } = await serve((socket) => {
        serverSockets.push(socket);
        socket.pipe(socket);
      });
      const client = track(impl.connect(path));
      const payload = Buffer.alloc(100_000, 7);
      client.write(payload.subarray(0, 40_000));
      client.write(payload.subarray(40_000));
      const echoed = await readBytes(client, payload.length);
      expect(echoed.length).toBe(payload.length);
      expect(client.bytesWritten).toBe(payload.length);
      expect(client.bytesRead).toBe(payload.length);
      expect(serverSockets[0]?.bytesRead).toBe(payload.length);
      expect(serverSockets[0]?.bytesWritten).toBe(payload.length);
    });

    it('setNoDelay and setKeepAlive are accepted and return the socket', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path)) as AnySocket & {
        setNoDelay(v?: boolean): unknown;
        setKeepAlive(v?: boolean, d?: number): unknown;
      };
      expect(client.setNoDelay(true)).toBe(client);
      expect(client.setKeepAlive(true, 1000)).toBe(client);
      expect(await echoOnce(client)).toBe('ping');
    });
  });

  describe('server', () => {
    it('getConnections counts open connections', async () => {
      const { server, path } = await serve();
      const a = track(impl.connect(path));
      const b = track(impl.connect(path));
      await Promise.all([echoOnce(a), echoOnce(b)]);
      const count = await new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
      expect(count).toBe(2);
    });

    it('close() stops accepting at once but emits close only when the last connection ends', async () => {
      const { server, path } = await serve();
      const client = track(impl.connect(path));
      expect(await echoOnce(client)).toBe('ping');
      let closeEmitted = false;
      const serverClosed = new Promise<void>((resolve, reject) =>
        server.close((error) => {
          closeEmitted = true;
          if (error) reject(error);
          else resolve();
        }),
      );
      expect(server.listening).toBe(false);
      // Windows keeps a pipe name alive while any instance is open (here, the connection), so a
      // late client finds it busy (node:net then waits in WaitNamedPipe); elsewhere it is gone.
      if (!isWindows) {
        const late = track(impl.connect(path));
        const [error] = await once<[Error & { code: string }]>(late, 'error');
        expect(['ENOENT', 'ECONNREFUSED']).toContain(error.code);
      }
      await delay(100);
      expect(closeEmitted).toBe(false);
      // The open connection still works.
      expect(await echoOnce(client)).toBe('ping');
      client.end();
      await serverClosed;
    });

    it('close(cb) on a server that is not listening: cb gets ERR_SERVER_NOT_RUNNING, close is emitted', async () => {
      const server = impl.createServer();
      let closeEvents = 0;
      server.on('close', () => closeEvents++);
      const [error] = await new Promise<[Error | undefined]>((resolve) => server.close((e) => resolve([e])));
      expect(error).toMatchObject({ code: 'ERR_SERVER_NOT_RUNNING' });
      expect(closeEvents).toBe(1);
    });

    it('listening twice throws ERR_SERVER_ALREADY_LISTEN', async () => {
      const path = uniquePipePath('twice');
      const server = impl.createServer();
      trackServer(server);
      server.listen(path);
      expect(() => server.listen(uniquePipePath('twice'))).toThrow(
        expect.objectContaining({ code: 'ERR_SERVER_ALREADY_LISTEN' }),
      );
      await once(server, 'listening');
    });

    // Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE (for node:net too): only real Windows and Linux
    // can refuse the second server, so this is skipped under Wine, and only there.
    it.skipIf(underWine)(
      'a taken name emits EADDRINUSE shaped as Node shapes it (skipped under Wine: it ignores FILE_FLAG_FIRST_PIPE_INSTANCE)',
      async () => {
        const { path } = await serve();
        const second = impl.createServer();
        second.listen(path);
        const [error] = await once<[Error & Record<string, unknown>]>(second, 'error');
        expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: path });
        expect(error.errno).toBeLessThan(0);
        expect(error.message).toMatch(/^listen EADDRINUSE/);
        expect(second.listening).toBe(false);
      },
    );

    it('maxConnections: further clients are closed and drop is emitted', async () => {
      const { server, path } = await serve();
      server.maxConnections = 1;
      let drops = 0;
      server.on('drop', () => drops++);
      const first = track(impl.connect(path));
      expect(await echoOnce(first)).toBe('ping');
      const second = track(impl.connect(path));
      second.on('error', () => undefined);
      second.resume();
      await once(second, 'close');
      expect(drops).toBe(1);
      const count = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
      expect(count).toBe(1);
      // The first one is unaffected.
      expect(await echoOnce(first)).toBe('ping');
    });

    it('pauseOnConnect: nothing is read until the socket is resumed', async () => {
      const received: Buffer[] = [];
      let accepted: AnySocket | undefined;
      const { path } = await serve(
        (socket) => {
          accepted = socket;
          socket.on('data', (chunk: Buffer) => received.push(chunk));
        },
        { pauseOnConnect: true },
      );
      const client = track(impl.connect(path));
      client.write('early');
      await once(client, 'connect');
      await delay(300);
      expect(accepted).toBeDefined();
      expect(received).toEqual([]);
      accepted?.resume();
      await delay(300);
      expect(Buffer.concat(received).toString()).toBe('early');
    });

    it('the listen signal option closes the server when aborted', async () => {
      const path = uniquePipePath('signal');
      const server = impl.createServer();
      const controller = new AbortController();
      server.listen({ path, signal: controller.signal });
      await once(server, 'listening');
      controller.abort();
      await once(server, 'close');
      expect(server.listening).toBe(false);
    });
  });

  describe('ending', () => {
    it('write after end() errors with ERR_STREAM_WRITE_AFTER_END', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path));
      await once(client, 'connect');
      client.end();
      client.write('late');
      const [error] = await once<[Error]>(client, 'error');
      expect(error).toMatchObject({ code: 'ERR_STREAM_WRITE_AFTER_END' });
    });

    it('write after the peer ended fails with EPIPE (allowHalfOpen false)', async () => {
      const { path } = await serve((socket) => socket.end());
      const client = track(impl.connect(path));
      client.resume();
      await once(client, 'end');
      await new Promise((resolve) => setImmediate(resolve));
      expect(client.writableEnded).toBe(true);
      // Whether the socket has already closed by now (then no 'error' event) is timing.
      client.on('error', () => undefined);
      const error = await new Promise<Error | null | undefined>((resolve) => {
        expect(client.write('late', resolve)).toBe(false);
      });
      expect(error).toMatchObject({ code: 'EPIPE' });
    });

    it('allowHalfOpen false: the socket ends its side when the peer ends', async () => {
      const ended = new Promise<AnySocket>((resolve) => {
        void serve((socket) => {
          socket.resume();
          socket.on('end', () => setImmediate(() => resolve(socket)));
        }).then(({ path }) => track(impl.connect(path)).end('x'));
      });
      const socket = await ended;
      expect(socket.writableEnded).toBe(true);
    });

    it('allowHalfOpen true: the socket stays writable after the peer ends', async () => {
      const ended = new Promise<AnySocket>((resolve) => {
        void serve(
          (socket) => {
            socket.resume();
            socket.on('end', () => setImmediate(() => resolve(socket)));
          },
          { allowHalfOpen: true },
        ).then(({ path }) => {
          const client = track(impl.connect(path));
          client.resume();
          client.on('error', () => undefined);
          client.end('x');
        });
      });
      const socket = await ended;
      expect(socket.allowHalfOpen).toBe(true);
      expect(socket.writableEnded).toBe(false);
      expect(socket.writable).toBe(true);
      socket.end();
    });

    // Half-close is real only on Linux; Windows byte pipes have none (node:net's end() there
    // flushes and then closes), so this round trip is Linux's behaviour alone.
    it.runIf(!isWindows)('Linux half-close: the client ends, the server still answers', async () => {
      const { path } = await serve(
        (socket) => {
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).toString()}`));
        },
        { allowHalfOpen: true },
      );
      const client = track(impl.connect(path));
      client.end('question');
      expect((await readAll(client)).toString()).toBe('got question');
    });

    it('destroySoon() ends, then destroys once the writes are done', async () => {
      const { path } = await serve((socket) => socket.resume());
      const client = track(impl.connect(path)) as AnySocket & { destroySoon(): void };
      await once(client, 'connect');
      client.write('x');
      const events = recordEvents(client, ['finish']);
      client.destroySoon();
      await once(client, 'close');
      expect(events).toEqual(['finish']);
      expect(client.destroyed).toBe(true);
    });
  });

  describe('setTimeout', () => {
    it('emits timeout after idling, without closing; timeout holds the value; 0 turns it off', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path));
      await once(client, 'connect');
      const started = performance.now();
      let fired = 0;
      client.setTimeout(150, () => fired++);
      expect(client.timeout).toBe(150);
      await once(client, 'timeout');
      expect(performance.now() - started).toBeGreaterThanOrEqual(100);
      expect(fired).toBe(1);
      expect(client.destroyed).toBe(false);
      expect(await echoOnce(client)).toBe('ping');
      client.setTimeout(0);
      expect(client.timeout).toBe(0);
      const before = fired;
      await delay(400);
      expect(fired).toBe(before);
    });

    it('activity puts the timeout off', async () => {
      const { path } = await serve();
      const client = track(impl.connect(path));
      await once(client, 'connect');
      let fired = 0;
      client.setTimeout(600, () => fired++);
      for (let i = 0; i < 6; i++) {
        await delay(150);
        expect(await echoOnce(client)).toBe('ping');
      }
      expect(fired).toBe(0);
    });
  });

  describe('ref and unref', () => {
    it('a process whose only handle is an unref’d server exits by itself', async () => {
      const { child, ready } = startPeer('unref-server', impl.fixtureName, uniquePipePath('unref'));
      await ready;
      const result = await child;
      expect(result.exitCode).toBe(0);
    });

    it('a referenced server keeps its process alive', async () => {
      const { child, ready } = startPeer('ref-server', impl.fixtureName, uniquePipePath('ref'));
      await ready;
      await delay(750);
      expect(child.exitCode).toBeNull();
      child.kill();
      expect(await child.catch((error: unknown) => error)).toMatchObject({ isTerminated: true });
    });

    it('a process whose only handle is an unref’d connected socket exits by itself', async () => {
      const { path } = await serve((socket) => socket.resume());
      const { child, ready } = startPeer('unref-client', impl.fixtureName, path);
      await ready;
      const result = await child;
      expect(result.exitCode).toBe(0);
    });
  });
});
