// A socket's and a server's life as Node's own tests pin it (test-net-write-cb-on-destroy-before-
// connect, -reconnect, -socket-byteswritten, -bytes-read, -connect-abort-controller,
// -listen-close-server-callback-is-not-function, -server-capture-rejection, ...): the same
// scenario against node:net and against ours, on both platforms.
import { EventEmitter, getEventListeners } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { compatFixtures } from '../support/compat.js';
import { closeOf, delay, echoOnce, listening, once, readBytes } from '../support/events.js';
import { uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';
import { type AnySocket, type Impl, impls } from './impls.js';

describe.each(impls)('$name', (impl: Impl) => {
  const { serve, track, trackServer } = compatFixtures(impl, 'life');

  describe('connect', () => {
    it('a write queued before the connect fails with ERR_SOCKET_CLOSED_BEFORE_CONNECTION when the socket is destroyed first', async () => {
      const { path } = await serve();
      const socket = impl.connect(path);
      let connected = false;
      socket.on('connect', () => (connected = true));
      expect(socket.connecting).toBe(true);
      const written = new Promise<Error | null | undefined>((resolve) => socket.write('foo', resolve));
      socket.destroy();
      expect(await written).toMatchObject({ code: 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' });
      await delay(50);
      expect(connected).toBe(false);
    });

    it('connect() again after close reconnects, with byte counts starting again', async () => {
      const { path } = await serve();
      const socket = track(impl.connect(path));
      expect(await echoOnce(socket, 'first')).toBe('first');
      socket.destroy();
      await once(socket, 'close');
      expect(socket.pending).toBe(true);
      (socket as AnySocket & { connect(path: string): AnySocket }).connect(path);
      await once(socket, 'connect');
      expect(await echoOnce(socket, 'again')).toBe('again');
      expect(socket.bytesWritten).toBe(5);
      expect(socket.bytesRead).toBe(5);
    });

    it('bytesWritten counts writes queued before the connect', async () => {
      const { path } = await serve();
      const socket = track(impl.connect(path));
      socket.write('x');
      socket.write(Buffer.from('ab'));
      socket.write('é');
      expect(socket.bytesWritten).toBe(5);
      await once(socket, 'connect');
      expect(socket.bytesWritten).toBe(5);
      expect((await readBytes(socket, 5)).toString()).toBe('xabé');
    });

    it('connect() with no arguments throws ERR_MISSING_ARGS', () => {
      expect(() => impl.connect()).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
      expect(() => new impl.Socket().connect()).toThrow(
        expect.objectContaining({ code: 'ERR_MISSING_ARGS' }),
      );
    });

    it('connect({ signal }) adds one abort listener; aborting destroys the socket with an AbortError', async () => {
      const { path } = await serve();
      const controller = new AbortController();
      const socket = track(impl.connect({ path, signal: controller.signal }));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await once(socket, 'connect');
      const closing = closeOf(socket);
      controller.abort();
      const [error] = await once<[Error]>(socket, 'error');
      expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      expect(await closing).toBe(true);
    });

    it('an already aborted signal destroys the socket with an AbortError, then close', async () => {
      const { path } = await serve();
      const socket = track(impl.connect({ path, signal: AbortSignal.abort() }));
      const events: string[] = [];
      socket.on('error', (error: Error) => events.push(`error ${error.name}`));
      // (node:net's 'close' here carries no hadError: it revives the socket and connects after it.)
      await closeOf(socket);
      expect(events).toEqual(['error AbortError']);
    });

    it('net.Socket and net.Server also work when called without new', async () => {
      const server = impl.Server((socket: AnySocket) => socket.pipe(socket));
      trackServer(server);
      expect(server).toBeInstanceOf(impl.Server);
      const path = uniquePipePath('no-new');
      await listening(server, path);
      const socket = track(impl.Socket());
      expect(socket).toBeInstanceOf(impl.Socket);
      socket.connect(path);
      expect(await echoOnce(socket)).toBe('ping');
    });
  });

  describe('reading', () => {
    it("bytesRead rises with each 'data' event, by the bytes delivered; 'data' comes before 'end'", async () => {
      const total = 1024 * 1024;
      const { path } = await serve((socket) => socket.end(Buffer.alloc(total, 7)));
      const socket = track(impl.connect(path));
      const events: string[] = [];
      let delivered = 0;
      const wrong: string[] = [];
      socket.on('data', (chunk: Buffer) => {
        if (events.at(-1) !== 'data') events.push('data');
        delivered += chunk.length;
        if (socket.bytesRead !== delivered) wrong.push(`${socket.bytesRead} read, ${delivered} delivered`);
      });
      socket.on('end', () => events.push('end'));
      await closeOf(socket);
      expect(events).toEqual(['data', 'end']);
      expect(wrong).toEqual([]);
      expect(delivered).toBe(total);
      expect(socket.bytesRead).toBe(total);
    });

    it("writing after the peer ended (allowHalfOpen false) fails with EPIPE, the callback before 'error'", async () => {
      const { path } = await serve((socket) => {
        socket.resume();
        socket.end();
      });
      const socket = track(impl.connect(path));
      socket.resume();
      await once(socket, 'end');
      // The socket ends its own side on the next tick; from then on a write is refused.
      await new Promise((resolve) => setImmediate(resolve));
      expect(socket.writableEnded).toBe(true);
      const order: string[] = [];
      socket.on('error', (error: Error & { code?: string }) => order.push(`error ${error.code}`));
      const written = new Promise<Error | null | undefined>((resolve) =>
        expect(
          socket.write('late', (error) => {
            order.push(`callback ${(error as Error & { code?: string })?.code}`);
            resolve(error);
          }),
        ).toBe(false),
      );
      expect(await written).toMatchObject({
        code: 'EPIPE',
        message: 'This socket has been ended by the other party',
      });
      await delay(20);
      expect(order[0]).toBe('callback EPIPE');
    });
  });

  describe('ending first', () => {
    it("a socket that ended first, then read the peer's end: a write in 'end' returns false, EPIPE to its callback before 'error'", async () => {
      const { path } = await serve((socket) => {
        socket.resume();
        socket.on('end', () => socket.end());
      });
      const socket = track(impl.connect(path, () => socket.end()));
      socket.resume();
      await once(socket, 'end');
      let errored = false;
      socket.on('error', () => (errored = true));
      const written = new Promise<Error | null | undefined>((resolve) => {
        expect(socket.write('hello', resolve)).toBe(false);
      });
      expect(errored).toBe(false);
      expect(await written).toMatchObject({
        code: 'EPIPE',
        message: 'This socket has been ended by the other party',
      });
    });
  });

  describe('server', () => {
    it('listening is true as soon as listen(path) returns; listen then close() at once emits neither listening nor error', async () => {
      const path = uniquePipePath('sync-listen');
      const server = impl.createServer();
      const events: string[] = [];
      server.on('listening', () => events.push('listening'));
      server.on('error', () => events.push('error'));
      server.listen(path);
      expect(server.listening).toBe(true);
      server.close();
      expect(server.listening).toBe(false);
      await once(server, 'close');
      await delay(20);
      expect(events).toEqual([]);
    });

    it('a client that connects the moment the server listens and closes at once, having written nothing, is still a connection: connection, then end', async () => {
      const path = uniquePipePath('come-and-go');
      const events: string[] = [];
      const server = trackServer(
        impl.createServer((socket: AnySocket) => {
          events.push('connection');
          socket.on('end', () => events.push('end'));
          socket.resume();
        }),
      );
      const ended = new Promise<void>((resolve) => {
        server.on('connection', (socket: AnySocket) => socket.on('close', () => resolve()));
      });
      server.listen(path, () => {
        if (isWindows) {
          // Opened and closed inside the 'listening' callback, before anything else of ours runs:
          // the server's wait for a client must already be there (libuv's ConnectNamedPipe is).
          closeSync(openSync(path, 'r+'));
        } else {
          const client = net.connect(path, () => client.destroy());
        }
      });
      await ended;
      expect(events).toEqual(['connection', 'end']);
    });

    it.runIf(!isWindows)('Linux: close() removes the socket file before it returns', async () => {
      const { server, path } = await serve();
      expect(existsSync(path)).toBe(true);
      server.close();
      expect(existsSync(path)).toBe(false);
    });

    it('close(notAFunction) ignores the argument and still closes', async () => {
      const { server } = await serve();
      let closes = 0;
      server.on('close', () => closes++);
      expect(() => server.close('bad argument' as never)).not.toThrow();
      await once(server, 'close');
      expect(closes).toBe(1);
    });

    // Linux queues the connection on the listener, and closing the listener resets it: the
    // connect fails. A Windows client has opened its pipe instance before the server closed it,
    // so node:net reports the connect there, and then the end.
    it(`a client that connects as close() runs is ${isWindows ? 'connected, then ended (Windows: the pipe was open)' : 'refused (Linux: ECONNRESET), never connected'}`, async () => {
      const { server, path } = await serve((socket) => socket.end('hello'));
      const socket = track(impl.connect(path));
      const events: string[] = [];
      for (const name of ['connect', 'data', 'end']) socket.on(name, () => events.push(name));
      socket.on('error', (error: Error & { code?: string; syscall?: string }) =>
        events.push(`error ${error.code} ${error.syscall}`),
      );
      socket.resume();
      server.close();
      await closeOf(socket);
      expect(events).toEqual(isWindows ? ['connect', 'end'] : ['error ECONNRESET connect']);
    });

    it('captureRejections: a rejected async connection listener destroys that socket with its error', async () => {
      const previous = EventEmitter.captureRejections;
      EventEmitter.captureRejections = true;
      try {
        const failure = new Error('kaboom');
        const socketErrors: Error[] = [];
        let serverErrors = 0;
        const { server, path } = await serve(async (socket) => {
          socket.on('error', (error: Error) => socketErrors.push(error));
          throw failure;
        });
        server.on('error', () => serverErrors++);
        const socket = track(impl.connect(path));
        socket.on('error', () => undefined);
        await closeOf(socket);
        await delay(20);
        expect(socketErrors).toEqual([failure]);
        expect(serverErrors).toBe(0);
      } finally {
        EventEmitter.captureRejections = previous;
      }
    });
  });
});
