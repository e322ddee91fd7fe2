// Scenarios from Node's own net tests (test/parallel/test-net-*, test-pipe-*, test-stream-*, and
// a few from test/sequential) that the other compat files do not cover yet, pointed at pipe
// paths and run against node:net and against ours. Each title names the Node test it follows.
// node:net on the running platform is the reference: where it differs between Linux and
// Windows, each platform's own behaviour is asserted, and the title says so.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Writable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as ours from '../../lib/index.js';
import { compatFixtures } from '../support/compat.js';
import { closed, closeOf, delay, echoOnce, listening, once, readAll, readBytes } from '../support/events.js';
import { uniquePipePath } from '../support/pipes.js';
import { isWindows, underWine } from '../support/platform.js';
import { type AnyServer, type AnySocket, type Impl, impls } from './impls.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);

/** The members of net.Socket these scenarios use beyond AnySocket. */
type Sock = AnySocket & {
  bufferSize?: number;
  server?: unknown;
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
  localAddress?: string;
  destroySoon(): void;
  resetAndDestroy(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  setKeepAlive(enable?: boolean, delay?: number): unknown;
  connect(...args: unknown[]): Sock;
};
type Err = Error & { code?: string; errno?: number; syscall?: string; address?: string; port?: number };

// Linux only: plain files and missing directories, for the connect and listen errors.
const scratch = isWindows ? '' : mkdtempSync(join(tmpdir(), 'pcn-'));
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Polls `condition` every 5 ms; rejects after `ms`. */
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

describe.each(impls)('$name', (impl: Impl) => {
  const api = (impl.name === 'node:net' ? net : ours) as unknown as Record<string, unknown>;
  const fixtures = compatFixtures(impl, 'node');
  const { trackServer } = fixtures;
  const track = (socket: AnySocket): Sock => fixtures.track(socket) as Sock;
  const serve = (
    onConnection?: (socket: Sock) => void,
    options?: Record<string, unknown>,
  ): Promise<{ server: AnyServer; path: string; accepted: Promise<Sock> }> =>
    fixtures.serve<Sock>(onConnection, options);
  function connect(...args: unknown[]): Sock {
    return track(impl.connect(...args));
  }
  /** A server whose first accepted socket the promise gives. */
  const serveOne = (
    onConnection: (socket: Sock) => void = () => undefined,
    options: Record<string, unknown> = {},
  ): Promise<{ server: AnyServer; path: string; accepted: Promise<Sock> }> => serve(onConnection, options);

  describe('pause, resume and flow', () => {
    it('pause()/resume() before the connect decide whether data flows (test-net-pause-resume-connecting)', async () => {
      const { path } = await serve((socket) => socket.write('hello'));
      const variants: [string, (socket: Sock) => void, boolean][] = [
        ['a data listener alone', () => undefined, true],
        ['pause()', (s) => s.pause(), false],
        ['pause(), resume()', (s) => s.pause().resume(), true],
        ['pause(), resume() on connect', (s) => s.pause().once('connect', () => s.resume()), true],
        ['resume(), pause()', (s) => s.resume().pause(), false],
      ];
      const results = await Promise.all(
        variants.map(async ([name, setup]) => {
          const socket = connect(path);
          let received = '';
          socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
          setup(socket);
          await once(socket, 'connect');
          await delay(150);
          return [name, received === 'hello'];
        }),
      );
      expect(results).toEqual(variants.map(([name, , flows]) => [name, flows]));
    });

    it('pauseOnConnect: bytesRead stays 0 until resume(); pause() and resume() return the socket (test-net-server-pause-on-connect)', async () => {
      const { path, accepted } = await serveOne(() => undefined, { pauseOnConnect: true });
      const client = connect(path);
      client.write('abc');
      const socket = await accepted;
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      await delay(100);
      expect(socket.bytesRead).toBe(0);
      expect(received).toBe('');
      expect(socket.resume()).toBe(socket);
      await until(() => received === 'abc');
      expect(socket.bytesRead).toBe(3);
      expect(socket.pause()).toBe(socket);
    });

    // Windows: the pending write fails with ERROR_BROKEN_PIPE. libuv's write callback path
    // translates that as EOF (its synchronous path says EPIPE, and Bun's fork fixed the other):
    // node:net reports EOF there, proactor EPIPE, as for every other write to a closed pipe.
    const brokenWrite = impl.name === 'proactor' ? 'EPIPE' : 'EOF';
    it(`a paused client destroyed while the server writes 8 MiB: the server socket emits exactly one error (${isWindows ? `Windows: ${brokenWrite} from write` : 'Linux: EPIPE or ECONNRESET'}), then close(true) (test-net-stream, test-net-error-twice)`, async () => {
      const serverSide = new Promise<{ errors: Err[]; hadError: boolean }>((resolve) => {
        void serve((socket) => {
          const errors: Err[] = [];
          socket.on('error', (error: Err) => errors.push(error));
          socket.on('close', (hadError: boolean) => resolve({ errors, hadError }));
          for (let i = 0; i < 8; i++) socket.write(Buffer.alloc(1024 * 1024, i));
        }).then(({ path }) => {
          const client = connect(path);
          expect(client.pause()).toBe(client);
          client.once('connect', () => setTimeout(() => client.destroy(), 50));
        });
      });
      const { errors, hadError } = await serverSide;
      await delay(20);
      expect(errors).toHaveLength(1);
      // Linux: EPIPE from the write or ECONNRESET from the read, whichever comes first. Windows:
      // the pending write fails with ERROR_BROKEN_PIPE, which libuv calls EOF.
      expect(isWindows ? [brokenWrite] : ['EPIPE', 'ECONNRESET']).toContain(errors[0]?.code);
      expect(errors[0]).toMatchObject({
        syscall: isWindows ? 'write' : expect.stringMatching(/^(write|read)$/),
      });
      expect(hadError).toBe(true);
    });

    it('a writer filling the pipe sees write() return false, then drain; a reader that pauses gets every byte (test-net-throttle)', async () => {
      const chunk = Buffer.alloc(1024, 'x');
      let written = 0;
      let bufferedAtFalse = -1;
      let drained = false;
      const { path } = await serve((socket) => {
        for (let i = 0; i < 4096 && socket.write(chunk); i++) written += chunk.length;
        written += chunk.length;
        bufferedAtFalse = socket.writableLength;
        // Then about as much as Node's test sends: more than a few reads' worth, however the
        // chunks were coalesced.
        const more = Buffer.alloc(512 * 1024, 'y');
        socket.write(more);
        socket.write(more);
        written += 2 * more.length;
        socket.once('drain', () => {
          drained = true;
          socket.end();
        });
      });
      const client = connect(path);
      let received = 0;
      let pauses = 0;
      client.on('data', (data: Buffer) => {
        received += data.length;
        if (pauses < 3) {
          pauses++;
          client.pause();
          setTimeout(() => client.resume(), 30);
        }
      });
      await once(client, 'end');
      expect(drained).toBe(true);
      expect(bufferedAtFalse).toBeGreaterThan(0);
      expect(bufferedAtFalse).toBeLessThanOrEqual(written);
      expect(pauses).toBeGreaterThan(1);
      expect(received).toBe(written);
    });

    // Wine completes a named pipe's queued writes only once the reader has drained them all (a
    // 2 MB transfer: the first write's callback at 33 ms, the other nine together at 459 ms),
    // so node:net's timer, refreshed by write completions, sees no activity for 400 ms there.
    // Real Windows completes each write as the pipe's buffer frees; proactor runs everywhere.
    const wineHoldsWrites = underWine && impl.name === 'node:net';
    it.skipIf(wineHoldsWrites)(
      `the idle timeout does not fire while writes drain to a slow reader (test-net-write-slow)${wineHoldsWrites ? '; node:net skipped under Wine: Wine holds write completions until the reader drains them all' : ''}`,
      async () => {
        const total = 10 * 200 * 1024;
        let timeouts = 0;
        const { path } = await serve((socket) => {
          socket.setTimeout(250, () => timeouts++);
          for (let i = 0; i < 10; i++) socket.write(Buffer.alloc(200 * 1024, i));
          socket.end();
        });
        const client = connect(path);
        let received = 0;
        client.on('data', (data: Buffer) => {
          received += data.length;
          client.pause();
          setTimeout(() => client.resume(), 15);
        });
        await once(client, 'end');
        expect(received).toBe(total);
        expect(timeouts).toBe(0);
      },
    );
  });

  describe('write callbacks and ordering', () => {
    // net.Socket's rule: a write the OS takes at once calls back at once (inside the 'connect'
    // listener its queued write added, so before the test's). libuv has no synchronous pipe
    // write on Windows, so there node:net's callbacks all come later; ours keep the rule on
    // Windows too (a write that finished at once is not made to wait: bulk writes are faster).
    const writesWait = isWindows && impl.name === 'node:net';
    it(`write callbacks run in order, for writes before and after the connect; end(cb) with finish; ${writesWait ? "node:net on Windows: the first after 'connect' (libuv's pipe writes always complete later)" : "the first, taken by the OS at once, before the test's 'connect' listener"}`, async () => {
      const { path } = await serve((socket) => socket.resume());
      const client = connect(path);
      const order: string[] = [];
      client.write('a', () => order.push('a'));
      client.write('b', () => order.push('b'));
      client.once('connect', () => {
        order.push('connect');
        client.write('c', () => order.push('c'));
        client.end('d', () => order.push('end callback'));
      });
      client.on('finish', () => order.push('finish'));
      client.resume();
      await closeOf(client);
      expect(order).toEqual(
        writesWait
          ? ['connect', 'a', 'b', 'c', 'end callback', 'finish']
          : ['a', 'connect', 'b', 'c', 'end callback', 'finish'],
      );
    });

    it('a write before the connect and one in the connect callback arrive in order (test-net-write-connect-write)', async () => {
      const { path } = await serve();
      const client = connect(path, () => client.write(' after'));
      client.write('before');
      expect((await readBytes(client, 12)).toString()).toBe('before after');
    });

    it('highWaterMark 0: writes while connecting return false, count in bytesWritten; pending and readyState through it (test-net-connect-buffer)', async () => {
      const a = "L'État, c'est ";
      const b = 'moi';
      const { path, accepted } = await serveOne();
      const client = track(new impl.Socket({ highWaterMark: 0 }));
      expect(client.pending).toBe(true);
      client.connect(path);
      expect(client).toMatchObject({ pending: true, connecting: true, readyState: 'opening' });
      const states: unknown[] = [];
      expect(
        client.write(a, () =>
          states.push({ pending: client.pending, connecting: client.connecting, bytes: client.bytesWritten }),
        ),
      ).toBe(false);
      expect(client.bytesWritten).toBe(Buffer.byteLength(a));
      client.end(b);
      expect(client.readyState).toBe('opening');
      const server = await accepted;
      const text = readAll(server);
      client.resume();
      const hadError = await closeOf(client);
      expect(hadError).toBe(false);
      expect(states).toEqual([{ pending: false, connecting: false, bytes: Buffer.byteLength(a + b) }]);
      expect(client.pending).toBe(true);
      expect(String(await text)).toBe(a + b);
    });

    it('destroy().destroy() returns the socket; a later write calls back ERR_STREAM_DESTROYED and emits no error (test-net-socket-destroy-send)', async () => {
      const { path } = await serve();
      const client = connect(path);
      await once(client, 'connect');
      const errors: Error[] = [];
      client.on('error', (error: Error) => errors.push(error));
      expect(client.destroy().destroy()).toBe(client);
      const error = await new Promise<Error | null | undefined>((resolve) => client.write('x', resolve));
      expect(error).toMatchObject({
        code: 'ERR_STREAM_DESTROYED',
        message: 'Cannot call write after a stream was destroyed',
      });
      await closeOf(client);
      await tick();
      expect(errors).toEqual([]);
    });

    it('write() with a bad chunk throws the Writable errors, with their messages, before and after the connect (test-net-write-arguments, test-net-socket-write-error)', async () => {
      const { path } = await serve();
      const fresh = track(new impl.Socket());
      const connected = connect(path);
      await once(connected, 'connect');
      const errors: Error[] = [];
      for (const socket of [fresh, connected]) {
        socket.on('error', (error: Error) => errors.push(error));
        expect(() => socket.write(null)).toThrow(
          expect.objectContaining({
            code: 'ERR_STREAM_NULL_VALUES',
            message: 'May not write null values to stream',
          }),
        );
        for (const chunk of [true, false, undefined, 1, 1.0, Infinity, [], {}]) {
          expect(() => socket.write(chunk)).toThrow(
            expect.objectContaining({
              code: 'ERR_INVALID_ARG_TYPE',
              message: expect.stringMatching(
                /^The "chunk" argument must be of type string or an instance of Buffer/,
              ),
            }),
          );
        }
      }
      expect(await echoOnce(connected)).toBe('ping');
      expect(errors).toEqual([]);
    });

    // Node 26's Writable checks the encoding itself, before net.Socket's handle would.
    const unknownEncoding = (() => {
      try {
        new Writable({ decodeStrings: false, write: (_c, _e, cb) => cb() }).write(
          '',
          'buffer' as BufferEncoding,
        );
        return false;
      } catch {
        return true;
      }
    })();
    const refusal = unknownEncoding
      ? { code: 'ERR_UNKNOWN_ENCODING', message: 'Unknown encoding: buffer' }
      : { code: 'ERR_INVALID_ARG_TYPE', message: 'Second argument must be a buffer' };
    it(`write(string, 'buffer') throws ${refusal.code}: '${refusal.message}' (test-stream-base-typechecking)`, async () => {
      const { path } = await serve();
      const client = connect(path);
      await once(client, 'connect');
      expect(() => client.write('broken', 'buffer' as BufferEncoding)).toThrow(
        expect.objectContaining(refusal),
      );
    });
  });

  describe('writev and cork', () => {
    it('cork(), two writes, end(): one _writev with both chunks; the server gets "ping" (test-pipe-writev)', async () => {
      const { path, accepted } = await serveOne();
      const client = connect(path);
      await once(client, 'connect');
      const writev = vi.spyOn(client as unknown as { _writev(...args: unknown[]): void }, '_writev');
      client.cork();
      client.write('pi');
      client.write('ng');
      client.end();
      const received = readAll(await accepted);
      expect(String(await received)).toBe('ping');
      expect(writev).toHaveBeenCalledTimes(1);
      expect((writev.mock.calls[0]?.[0] as unknown[]).length).toBe(2);
    });

    it('cork, two small writes, uncork, 100 times in a row: write() never returns false (test-net-sync-cork)', async () => {
      const { path, accepted } = await serveOne();
      const client = connect(path);
      await once(client, 'connect');
      const results: boolean[] = [];
      const errors: Error[] = [];
      client.on('error', (error: Error) => errors.push(error));
      for (let i = 0; i < 100; i++) {
        client.cork();
        results.push(client.write(Buffer.from('ab')));
        results.push(client.write('cd'));
        client.uncork();
      }
      client.end();
      const received = await readAll(await accepted);
      expect(results.filter((ok) => !ok)).toEqual([]);
      expect(received.toString()).toBe('abcd'.repeat(100));
      expect(errors).toEqual([]);
    });

    it('corked before the connect: bytesWritten is 7 at once, on connect and on end (test-net-socket-byteswritten)', async () => {
      const { path } = await serve();
      const client = connect(path);
      client.cork();
      client.write('one');
      client.write(Buffer.from('twø', 'utf8'));
      client.uncork();
      const counts = [client.bytesWritten];
      client.once('connect', () => counts.push(client.bytesWritten));
      expect((await readBytes(client, 7)).toString()).toBe('onetwø');
      client.end();
      client.resume();
      await once(client, 'end');
      counts.push(client.bytesWritten);
      expect(counts).toEqual([7, 7, 7]);
    });

    it('corked writes of mixed encodings arrive in order, byte for byte', async () => {
      const { path, accepted } = await serveOne();
      const client = connect(path);
      client.cork();
      client.write('a');
      client.write(Buffer.from('b'));
      client.write('63', 'hex');
      client.write('é', 'latin1');
      client.write('ZA==', 'base64');
      client.write('€', 'utf8');
      client.uncork();
      expect(client.bytesWritten).toBe(8);
      client.end();
      const received = await readAll(await accepted);
      expect([...received]).toEqual([0x61, 0x62, 0x63, 0xe9, 0x64, 0xe2, 0x82, 0xac]);
    });
  });

  describe('end, finish and close', () => {
    it('end() while connecting: the data goes out, then the end callback and finish, then end and close (test-net-socket-end-before-connect)', async () => {
      const { path, accepted } = await serveOne((socket) => socket.resume());
      const client = connect(path);
      const order: string[] = [];
      for (const name of ['connect', 'prefinish', 'finish', 'end']) client.on(name, () => order.push(name));
      client.end('bye', () => order.push('end callback'));
      client.resume();
      expect(client.connecting).toBe(true);
      const hadError = await closeOf(client);
      await accepted;
      expect(hadError).toBe(false);
      expect(order).toEqual(['connect', 'prefinish', 'end callback', 'finish', 'end']);
    });

    it('end(cb), end(data, cb) and end(data, encoding, cb) all call back and return the socket (test-net-socket-end-callback)', async () => {
      const { path } = await serve((socket) => socket.resume());
      const forms: ((socket: Sock, cb: () => void) => unknown)[] = [
        (s, cb) => s.end(cb),
        (s, cb) => s.end('foo', cb),
        (s, cb) => s.end('foo', 'utf8', cb),
      ];
      const results = await Promise.all(
        forms.map(async (form) => {
          const client = connect(path);
          await once(client, 'connect');
          let returned: unknown;
          await new Promise<void>((resolve) => (returned = form(client, resolve)));
          return returned === client;
        }),
      );
      expect(results).toEqual([true, true, true]);
    });

    // Node 20's _final waits for 'connect' while the socket is pending, so there the callback
    // never comes; Node 21 (nodejs/node#47385, semver-major) waits only while connecting.
    // proactor follows Node 21 on, what our users run (22, 24, 26).
    const modern = impl.name === 'proactor' || nodeMajor >= 21;
    it(`end(cb) on a socket that never connected: writable is false, and the callback ${modern ? 'runs (Node 21 on)' : 'never comes (Node 20 waits for a connect)'} (test-net-end-without-connect)`, async () => {
      const socket = track(new impl.Socket());
      let called = false;
      socket.end(() => (called = true));
      expect(socket.writable).toBe(false);
      await delay(100);
      expect(called).toBe(modern);
    });

    it('destroy() on a socket that never connected still emits close, with no arguments (test-net-connect-destroy)', async () => {
      const socket = track(new impl.Socket());
      const closing = new Promise<unknown[]>((resolve) =>
        socket.once('close', (...args: unknown[]) => resolve(args)),
      );
      socket.destroy();
      expect(await closing).toEqual([]);
    });

    it('the server ends: the default client is not destroyed at end, a tick later or at finish; close follows; also when the client ends too (test-net-allow-half-open)', async () => {
      for (const clientEnds of [false, true]) {
        const { path } = await serve((socket) => {
          socket.resume();
          socket.end(Buffer.alloc(1024));
        });
        const client = connect(path);
        expect(client.allowHalfOpen).toBe(false);
        if (clientEnds) client.once('connect', () => client.end('asd'));
        const seen: string[] = [];
        client.on('end', () => {
          seen.push(`end ${client.destroyed}`);
          process.nextTick(() => seen.push(`next tick ${client.destroyed}`));
        });
        client.on('finish', () => seen.push(`finish ${client.destroyed}`));
        client.resume();
        await closeOf(client);
        // The client's own end() first: once both sides are done it is destroyed, right after
        // 'end'. Otherwise it ends its side on the tick after 'end', and is destroyed after 'finish'.
        if (clientEnds) expect(seen).toEqual(expect.arrayContaining(['end false', 'finish false']));
        else expect(seen).toEqual(['end false', 'next tick false', 'finish false']);
      }
    });

    it('close comes after end, even when reading starts 100 ms late (test-net-socket-close-after-end)', async () => {
      const { path } = await serve((socket) => socket.end('hello'));
      const client = connect(path);
      const order: string[] = [];
      client.pause();
      client.on('data', (data: Buffer) => order.push(`data ${data.toString()}`));
      client.on('end', () => order.push('end'));
      client.on('close', () => order.push('close'));
      await once(client, 'connect');
      await delay(100);
      expect(order).toEqual([]);
      client.resume();
      await until(() => order.includes('close'));
      expect(order).toEqual(['data hello', 'end', 'close']);
    });

    it("after the client's own end(), destroyed is still false in its 'end' (test-net-end-destroyed)", async () => {
      const { path } = await serve((socket) => socket.resume());
      const client = connect(path, () => client.end());
      client.resume();
      const [destroyedAtEnd] = await new Promise<[boolean]>((resolve) =>
        client.once('end', () => resolve([client.destroyed])),
      );
      expect(destroyedAtEnd).toBe(false);
      await closeOf(client);
    });

    it('ping/pong over an allowHalfOpen server: socket.server, getConnections, bufferSize, and readable/writable at end and close (test-net-pingpong)', async () => {
      const rounds = 50;
      const facts: Record<string, unknown> = {};
      const bufferSizes: number[] = [];
      const serverClosed = new Promise<void>((resolve) => {
        const server = impl.createServer({ allowHalfOpen: true }, (socket: Sock) => {
          facts.server = socket.server === server;
          facts.getConnectionsReturns =
            server.getConnections((error, count) => {
              facts.connections = error ?? count;
            }) === server;
          socket.setEncoding('utf8');
          socket.on('data', (text: string) => {
            bufferSizes.push(socket.bufferSize ?? -1);
            for (let i = 0; i < text.length / 4; i++) socket.write('PONG');
          });
          socket.on('end', () => {
            facts.atEnd = { readable: socket.readable, writable: socket.writable };
            socket.end();
          });
          socket.on('error', (error: Err) => (facts.serverError = error.code));
          socket.on('close', () => {
            facts.atClose = { readable: socket.readable, writable: socket.writable };
            resolve();
          });
        });
        trackServer(server);
        const path = uniquePipePath('pingpong');
        void listening(server, path).then(() => {
          const client = connect(path);
          client.setEncoding('utf8');
          let pongs = 0;
          client.write('PING');
          client.on('data', (text: string) => {
            pongs += text.length / 4;
            if (pongs < rounds) client.write('PING');
            else if (pongs === rounds) client.end();
          });
          client.on('error', (error: Err) => (facts.clientError = error.code));
        });
      });
      await serverClosed;
      expect(facts).toEqual({
        server: true,
        getConnectionsReturns: true,
        connections: 1,
        atEnd: { readable: false, writable: true },
        atClose: { readable: false, writable: false },
      });
      expect(bufferSizes.every((size) => size >= 0 && size <= 4)).toBe(true);
    });

    it("readyState: 'open' on a fresh socket and on both ends of a connection; 'readOnly' once end() has finished; 'writeOnly' on an allowHalfOpen server after the peer's end (test-net-keepalive, A18)", async () => {
      expect(track(new impl.Socket()).readyState).toBe('open');
      const { path, accepted } = await serveOne((socket) => socket.resume(), { allowHalfOpen: true });
      const client = connect(path);
      await once(client, 'connect');
      const server = await accepted;
      expect([client.readyState, server.readyState]).toEqual(['open', 'open']);
      const serverEnded = once(server, 'end');
      client.resume();
      client.end();
      await once(client, 'finish');
      const clientState = client.readyState;
      await serverEnded;
      expect([clientState, server.readyState]).toEqual(['readOnly', 'writeOnly']);
    });
  });

  describe('destroy', () => {
    it('listen, connect, server.close() and destroy() in one tick: no connect, no error, one close (test-net-connect-immediate-destroy, test-net-connect-after-destroy)', async () => {
      const server = impl.createServer();
      const path = uniquePipePath('immediate');
      server.listen(path);
      const client = track(impl.connect(path, () => events.push('connect callback')));
      const events: string[] = [];
      client.on('connect', () => events.push('connect'));
      client.on('error', (error: Err) => events.push(`error ${error.code}`));
      client.on('close', () => events.push('close'));
      server.close();
      client.destroy();
      await once(server, 'close');
      await until(() => events.includes('close'));
      await delay(50);
      expect(events).toEqual(['close']);
    });

    it("destroy(error) while connecting: 'error', 'close'(true), then the first write gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION and the rest the error (A1)", async () => {
      const { path } = await serve();
      const client = connect(path);
      const order: string[] = [];
      const failure = new Error('boom');
      const record = (name: string) => (error?: Error | null) =>
        order.push(`${name} ${(error as Err | null | undefined)?.code ?? error?.message}`);
      client.on('error', (error: Error) => order.push(`error ${error.message}`));
      client.on('close', (hadError: boolean) => order.push(`close ${hadError}`));
      client.write('a', record('write a'));
      client.write('b', record('write b'));
      client.end(record('end'));
      client.destroy(failure);
      await until(() => order.length >= 5);
      await delay(20);
      expect(order).toEqual([
        'error boom',
        'close true',
        'write a ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
        'write b boom',
        'end boom',
      ]);
    });

    it('a failed connect, and destroy() inside its error listener: one error, one close (test-net-socket-destroy-twice)', async () => {
      const client = connect(uniquePipePath('nobody'));
      let errors = 0;
      let closes = 0;
      client.on('error', () => {
        errors++;
        client.destroy();
      });
      client.on('close', () => closes++);
      await until(() => closes > 0);
      await delay(50);
      expect([errors, closes]).toEqual([1, 1]);
    });

    it('resetAndDestroy(): on a connected pipe it throws ERR_INVALID_HANDLE_TYPE; with no pipe it destroys with ERR_SOCKET_CLOSED, then close without hadError (test-net-connect-reset)', async () => {
      const { path } = await serve();
      const client = connect(path);
      await once(client, 'connect');
      expect(() => client.resetAndDestroy()).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_HANDLE_TYPE', name: 'TypeError' }),
      );
      expect(await echoOnce(client)).toBe('ping');
      const fresh = track(new impl.Socket()) as Sock;
      const events: string[] = [];
      fresh.on('error', (error: Err) => events.push(`error ${error.code} ${error.message}`));
      // node:net: a socket that never had a pipe emits 'close' with no arguments.
      fresh.on('close', (hadError?: boolean) => events.push(`close ${hadError}`));
      expect(fresh.resetAndDestroy()).toBe(fresh);
      await until(() => events.length === 2);
      expect(events).toEqual(['error ERR_SOCKET_CLOSED Socket is closed', 'close undefined']);
    });

    it('after close, the socket methods still work; bufferSize and the remote* properties are undefined (test-net-after-close, test-net-during-close)', async () => {
      const { server, path } = await serve((socket) => socket.end());
      const client = connect(path);
      client.resume();
      await closeOf(client);
      server.close();
      expect(() => {
        client.setNoDelay(true);
        client.setKeepAlive(true);
        client.pause();
        client.resume();
        client.address();
      }).not.toThrow();
      expect({
        bufferSize: client.bufferSize,
        remoteAddress: client.remoteAddress,
        remotePort: client.remotePort,
        remoteFamily: client.remoteFamily,
      }).toEqual({
        bufferSize: undefined,
        remoteAddress: undefined,
        remotePort: undefined,
        remoteFamily: undefined,
      });
    });
  });

  describe('timeouts', () => {
    it('setTimeout on a destroyed socket returns it and never fires; setTimeout(0, cb) removes cb (test-net-socket-timeout, test-net-settimeout)', async () => {
      const { path } = await serve();
      const live = connect(path);
      await once(live, 'connect');
      let fired = 0;
      const listener = (): void => {
        fired++;
      };
      expect(live.setTimeout(50, listener)).toBe(live);
      expect(live.listenerCount('timeout')).toBe(1);
      expect(live.setTimeout(0, listener)).toBe(live);
      expect(live.listenerCount('timeout')).toBe(0);
      const dead = connect(path);
      await once(dead, 'connect');
      dead.destroy();
      expect(dead.setTimeout(1, listener)).toBe(dead);
      await delay(150);
      expect(fired).toBe(0);
    });

    it('setTimeout rejects bad delays and callbacks with the codes node:net uses (test-net-socket-timeout)', () => {
      const socket = track(new impl.Socket());
      for (const bad of [null, true, false, '100', [], {}]) {
        expect(() => socket.setTimeout(bad as never)).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
      for (const bad of [-1, -Infinity, Infinity, NaN]) {
        expect(() => socket.setTimeout(bad)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      }
      for (const bad of [1, 'x', {}, true]) {
        expect(() => socket.setTimeout(10, bad as never)).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
        );
      }
    });

    it('a write inside the timeout listener keeps the connection usable; end and close follow (test-net-can-reset-timeout)', async () => {
      const { path } = await serve((socket) => {
        let ticks = 0;
        socket.setTimeout(60);
        socket.on('timeout', () => {
          // The timer goes on after end() until the socket closes (net.Socket's too): a loaded
          // machine can fire it once more in between, when writing would be a write after end.
          if (socket.writableEnded) return;
          ticks++;
          socket.write(`tick${ticks};`);
          if (ticks === 2) socket.end();
        });
      });
      const client = connect(path);
      const text = readAll(client);
      expect(String(await text)).toBe('tick1;tick2;');
      expect(await closeOf(client)).toBe(false);
    });

    it('a socket that never connected still emits timeout (test-net-timeout-no-handle)', async () => {
      const socket = track(new impl.Socket());
      let connected = false;
      socket.on('connect', () => (connected = true));
      socket.setTimeout(50);
      await once(socket, 'timeout');
      expect(connected).toBe(false);
      expect(socket.connecting).toBe(false);
    });

    it('connect({ path, timeout }) sets the idle timeout, and timeout fires when idle; new Socket({ timeout }) sets none (A17)', async () => {
      const { path } = await serve();
      const client = connect({ path, timeout: 150 });
      await once(client, 'connect');
      expect(client.timeout).toBe(150);
      await once(client, 'timeout');
      expect(client.destroyed).toBe(false);
      expect(track(new impl.Socket({ timeout: 150 })).timeout).toBeUndefined();
    });
  });

  describe('server connections', () => {
    it('maxConnections 3 with 6 clients: the first 3 are served, the rest closed without data; drop carries no argument for pipes (test-net-server-max-connections, test-net-server-drop-connections)', async () => {
      const { server, path } = await serve((socket) => socket.write('hi'));
      server.maxConnections = 3;
      const drops: unknown[][] = [];
      server.on('drop', (...args: unknown[]) => drops.push(args));
      const served: string[] = [];
      for (let i = 0; i < 3; i++) served.push((await readBytes(connect(path), 2)).toString());
      const rejected: string[] = [];
      for (let i = 0; i < 3; i++) {
        const client = connect(path);
        client.on('error', () => undefined);
        let received = '';
        client.on('data', (data: Buffer) => (received += data.toString()));
        await closeOf(client);
        rejected.push(received);
      }
      expect(served).toEqual(['hi', 'hi', 'hi']);
      expect(rejected).toEqual(['', '', '']);
      expect(drops).toEqual([[], [], []]);
    });

    it('maxConnections 1: once the connection closes, the next client is served (test-net-server-max-connections-close-makes-more-available)', async () => {
      const accepted: Sock[] = [];
      const { server, path } = await serve((socket) => {
        accepted.push(socket);
        socket.write('hi');
      });
      server.maxConnections = 1;
      const first = connect(path);
      expect((await readBytes(first, 2)).toString()).toBe('hi');
      const second = connect(path);
      second.on('error', () => undefined);
      let secondReceived = '';
      second.on('data', (data: Buffer) => (secondReceived += data.toString()));
      await closeOf(second);
      expect(secondReceived).toBe('');
      const firstServerSide = accepted[0] as Sock;
      first.destroy();
      await closeOf(firstServerSide);
      expect((await readBytes(connect(path), 2)).toString()).toBe('hi');
      expect(accepted).toHaveLength(2);
    });

    // Node 20 tests maxConnections for truthiness, so 0 is no limit there; Node 21 on tests it
    // against null (nodejs/node#48276), and 0 drops every client. proactor follows Node 21 on.
    const dropsAtZero = impl.name === 'proactor' || nodeMajor >= 21;
    it(`maxConnections = 0 ${dropsAtZero ? 'drops every connection (Node 21 on)' : 'is ignored (Node 20: no limit)'} (test-net-server-drop-connections)`, async () => {
      const { server, path } = await serve((socket) => socket.write('hi'));
      server.maxConnections = 0;
      let drops = 0;
      server.on('drop', () => drops++);
      const client = connect(path);
      client.on('error', () => undefined);
      let received = '';
      client.on('data', (data: Buffer) => {
        received += data.toString();
        client.destroy();
      });
      await closeOf(client);
      expect([received, drops]).toEqual(dropsAtZero ? ['', 1] : ['hi', 0]);
    });

    it('server[Symbol.asyncDispose]() closes the server and resolves; again once closed (test-net-server-async-dispose)', async () => {
      const { server } = await serve();
      let closes = 0;
      server.on('close', () => closes++);
      const dispose = (server as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose];
      expect(typeof dispose).toBe('function');
      await dispose?.call(server);
      expect(server.listening).toBe(false);
      expect(closes).toBe(1);
      await dispose?.call(server);
    });
  });

  describe('listen forms and errors', () => {
    it('the listen callback is a once listener: removed when called, each time (test-net-server-listen-remove-callback)', async () => {
      const server = impl.createServer();
      trackServer(server);
      const path = uniquePipePath('once');
      await new Promise<void>((resolve) => server.listen(path, resolve));
      expect(server.listeners('listening')).toHaveLength(0);
      await closed(server);
      await new Promise<void>((resolve) => server.listen(path, resolve));
      expect(server.listeners('listening')).toHaveLength(0);
    });

    it('a closed server listens again on the same path, and serves (test-net-server-call-listen-multiple-times)', async () => {
      const { server, path } = await serve();
      expect(await echoOnce(connect(path))).toBe('ping');
      fixtures.destroySockets();
      await closed(server);
      trackServer(server);
      await listening(server, path);
      expect(server.listening).toBe(true);
      expect(await echoOnce(connect(path))).toBe('ping');
    });

    // Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE, for node:net too: a taken name never fails there.
    it.skipIf(underWine)(
      'after EADDRINUSE the same server can listen on another path (test-net-server-try-ports, test-net-server-call-listen-multiple-times; skipped under Wine: it ignores FILE_FLAG_FIRST_PIPE_INSTANCE)',
      async () => {
        const { path: taken } = await serve();
        const server = impl.createServer((socket: Sock) => socket.pipe(socket));
        trackServer(server);
        server.listen(taken);
        const [error] = await once<[Err]>(server, 'error');
        expect(error.code).toBe('EADDRINUSE');
        expect(server.listening).toBe(false);
        const other = uniquePipePath('other');
        await listening(server, other);
        expect(await echoOnce(connect(other))).toBe('ping');
      },
    );

    it(`listen ${isWindows ? 'at a name outside \\\\.\\pipe\\ (Windows)' : 'in a missing directory (Linux: ENOENT is reported as EACCES)'}: error EACCES with address and port -1; the listen callback never runs (test-net-better-error-messages-listen-path)`, async () => {
      const path = isWindows ? 'C:\\blah\\fadfa' : join(scratch, 'missing', 'x.sock');
      const server = impl.createServer();
      let called = false;
      server.listen(path, () => (called = true));
      const [error] = await once<[Err]>(server, 'error');
      expect(error).toMatchObject({ code: 'EACCES', syscall: 'listen', address: path, port: -1 });
      expect(error.message.startsWith(`listen EACCES: permission denied ${path}`)).toBe(true);
      expect(server.listening).toBe(false);
      await delay(20);
      expect(called).toBe(false);
    });

    it.runIf(!isWindows)(
      'Linux: a plain file in the way: connect is ECONNREFUSED, listen is EADDRINUSE (test-net-pipe-connect-errors)',
      async () => {
        const path = join(scratch, `file-${impl.fixtureName}`);
        writeFileSync(path, '');
        const client = connect(path);
        const [connectError] = await once<[Err]>(client, 'error');
        expect(connectError).toMatchObject({
          code: 'ECONNREFUSED',
          syscall: 'connect',
          address: path,
          message: `connect ECONNREFUSED ${path}`,
        });
        const server = impl.createServer();
        server.listen(path);
        const [listenError] = await once<[Err]>(server, 'error');
        expect(listenError).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: path });
        expect(statSync(path).isFile()).toBe(true);
      },
    );

    it.runIf(!isWindows)(
      'Linux: readableAll and writableAll make the socket file readable and writable by all (test-net-server-listen-path)',
      async () => {
        const path = uniquePipePath('mode');
        const server = impl.createServer();
        trackServer(server);
        server.listen({ path, readableAll: true, writableAll: true });
        await once(server, 'listening');
        expect(statSync(path).mode & 0o006).toBe(0o006);
      },
    );

    it('createServer() with a string or a number throws ERR_INVALID_ARG_TYPE (test-net-server-options)', () => {
      expect(() => impl.createServer('path')).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expect(() => impl.createServer(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    });

    it('listen({}) and listen({ path: -1 }) throw ERR_INVALID_ARG_VALUE (test-net-server-listen-options)', () => {
      const server = impl.createServer();
      expect(() => server.listen({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(() => server.listen({ path: -1 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
      expect(server.listening).toBe(false);
    });
  });

  describe('half-open', () => {
    // Linux half-closes, so the write reaches the server. A Windows pipe cannot: the server's
    // end() closed it (libuv's 50 ms eof timer), so the write fails at once, with EPIPE.
    it(`an allowHalfOpen client, 50 ms after the server's end: readable false, writable true; ${isWindows ? 'Windows: the pipe is closed, write() returns false and fails with EPIPE' : 'Linux: write() returns true and the server reads it'} (test-net-connect-options-allowhalfopen)`, async () => {
      let received = '';
      const { path } = await serve((socket) => {
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => (received += text));
        socket.on('error', () => undefined);
        socket.end();
      });
      const client = connect({ path, allowHalfOpen: true });
      client.resume();
      const errors: string[] = [];
      client.on('error', (error: Err) => errors.push(`${error.code} ${error.syscall}`));
      await once(client, 'end');
      await delay(50);
      const state = { readable: client.readable, writable: client.writable };
      let returned: boolean | undefined;
      const written = await new Promise<Err | null | undefined>((resolve) => {
        returned = client.write('x', resolve);
      });
      client.end();
      await closeOf(client);
      if (!isWindows) await until(() => received === 'x');
      expect({ state, returned, callback: written?.code, errors, received }).toEqual({
        state: { readable: false, writable: true },
        returned: !isWindows,
        callback: isWindows ? 'EPIPE' : undefined,
        errors: isWindows ? ['EPIPE write'] : [],
        received: isWindows ? '' : 'x',
      });
    });

    it(`in the default client's own 'end' listener, writable is still true; ${isWindows ? 'Windows: the pipe is closed, so a write there returns false and fails with EPIPE' : 'Linux: a write there succeeds'} (test-net-writable)`, async () => {
      const { path } = await serve((socket) => {
        socket.on('error', () => undefined);
        socket.resume();
        socket.end();
      });
      const client = connect(path);
      const errors: string[] = [];
      client.on('error', (error: Err) => errors.push(`${error.code} ${error.syscall}`));
      client.resume();
      const result = await new Promise<{ writable: boolean; returned: boolean; error: Promise<unknown> }>(
        (resolve) =>
          client.once('end', () => {
            const writable = client.writable;
            let done: (error: unknown) => void = () => undefined;
            const error = new Promise<unknown>((r) => (done = r));
            const returned = client.write('x', done);
            resolve({ writable, returned, error });
          }),
      );
      const error = (await result.error) as Err | null | undefined;
      await closeOf(client);
      expect({ writable: result.writable, returned: result.returned, callback: error?.code, errors }).toEqual(
        {
          writable: true,
          returned: !isWindows,
          callback: isWindows ? 'EPIPE' : undefined,
          errors: isWindows ? ['EPIPE write'] : [],
        },
      );
    });

    it(`pipeline(socket, socket) on the server echoes, and finishes once the client ends (test-stream-pipeline)`, async () => {
      const outcome = new Promise<Error | undefined | null>((resolve) => {
        void serve((socket) => pipeline(socket, socket, (error) => resolve(error))).then(({ path }) => {
          const client = connect(path);
          client.end('hello');
          void readAll(client).then((echo) => (echoed = echo.toString()));
        });
      });
      let echoed = '';
      expect(await outcome).toBeFalsy();
      await until(() => echoed !== '');
      expect(echoed).toBe('hello');
    });
  });

  describe('reconnecting', () => {
    it('reconnect from inside close, 10 times: each connection gets its data, each close is close(false) (test-net-reconnect)', async () => {
      const { path } = await serve((socket) => {
        socket.resume();
        socket.end('hello\r\n');
      });
      const client = connect(path);
      const data: string[] = [];
      const closes: boolean[] = [];
      let ends = 0;
      client.setEncoding('utf8');
      client.on('data', (text: string) => data.push(text));
      client.on('end', () => ends++);
      const done = new Promise<void>((resolve) =>
        client.on('close', (hadError: boolean) => {
          closes.push(hadError);
          if (closes.length < 11) client.connect(path);
          else resolve();
        }),
      );
      await done;
      expect(closes).toEqual(Array(11).fill(false));
      expect(data).toEqual(Array(11).fill('hello\r\n'));
      expect(ends).toBe(11);
    });

    it('reconnect from inside close after ENOENT, 5 times: 6 errors, 6 close(true) (seq/test-net-reconnect-error)', async () => {
      const path = uniquePipePath('nobody');
      const client = connect(path);
      const errors: string[] = [];
      const closes: boolean[] = [];
      client.on('error', (error: Err) => errors.push(error.code ?? ''));
      await new Promise<void>((resolve) =>
        client.on('close', (hadError: boolean) => {
          closes.push(hadError);
          if (closes.length < 6) client.connect(path);
          else resolve();
        }),
      );
      expect(errors).toEqual(Array(6).fill('ENOENT'));
      expect(closes).toEqual(Array(6).fill(true));
    });
  });

  describe('large writes', () => {
    it('end(5 MB Buffer) and a 5 MB string: bytesWritten is the total at once and in the callback; the peer reads it all (test-net-bytes-written-large)', async () => {
      const size = 5_000_000;
      for (const payload of [Buffer.alloc(size, 'a'), 'b'.repeat(size)]) {
        const { path, accepted } = await serveOne();
        const client = connect(path);
        const counts: number[] = [];
        client.end(payload, () => counts.push(client.bytesWritten));
        counts.push(client.bytesWritten);
        const server = await accepted;
        const received = await readAll(server);
        await until(() => counts.length === 2);
        expect(counts).toEqual([size, size]);
        expect(received.length).toBe(size);
        expect(server.bytesRead).toBe(size);
      }
    });

    it('a corked 1 MB string then a 1 MB Buffer: bytesWritten is 1 MB, then 2 MB, at once (test-net-bytes-written-large)', async () => {
      const size = 1_000_000;
      const { path, accepted } = await serveOne();
      const client = connect(path);
      await once(client, 'connect');
      client.cork();
      client.write('c'.repeat(size));
      const first = client.bytesWritten;
      client.write(Buffer.alloc(size, 'd'));
      const second = client.bytesWritten;
      client.uncork();
      client.end();
      const received = await readAll(await accepted);
      expect([first, second]).toEqual([size, 2 * size]);
      expect(received.length).toBe(2 * size);
    });

    it('write until false, go on at drain, 20 rounds of Buffer and hex string: every byte arrives in order (test-net-write-fully-async-buffer, -hex-string)', async () => {
      const { path, accepted } = await serveOne();
      const client = connect(path);
      await once(client, 'connect');
      const received = accepted.then(readAll);
      const sent = createHash('sha256');
      let total = 0;
      for (let round = 0; round < 20; round++) {
        for (;;) {
          const chunk = Buffer.alloc(16 * 1024 + round, round);
          sent.update(chunk);
          total += chunk.length;
          const more = round % 2 === 0 ? client.write(chunk) : client.write(chunk.toString('hex'), 'hex');
          if (!more) break;
        }
        await once(client, 'drain');
      }
      client.end();
      const all = await received;
      expect(all.length).toBe(total);
      expect(createHash('sha256').update(all).digest('hex')).toBe(sent.digest('hex'));
    });

    it('512 KiB of writes, then destroySoon(): the server receives every byte and sees the end (seq/test-net-response-size)', async () => {
      const { path, accepted } = await serveOne();
      const client = connect(path);
      const closing = closeOf(client);
      for (let i = 0; i < 8; i++) client.write(Buffer.alloc(64 * 1024, i));
      client.destroySoon();
      const received = await readAll(await accepted);
      expect(received.length).toBe(512 * 1024);
      expect(received[received.length - 1]).toBe(7);
      expect(await closing).toBe(false);
    });

    it('latin1: all 256 byte values round-trip twice, 512 characters (test-net-binary)', async () => {
      let binary = '';
      for (let i = 0; i < 256; i++) binary += String.fromCharCode(i);
      const { path } = await serve();
      const client = connect(path);
      client.setEncoding('latin1');
      client.write(binary, 'latin1');
      client.write(binary, 'latin1');
      let received = '';
      client.on('data', (text: string) => {
        received += text;
        if (received.length >= 512) client.end();
      });
      await once(client, 'end');
      expect(received.length).toBe(512);
      expect(received).toBe(binary + binary);
    });

    it("one 40 KiB-character write of 'あ' with setEncoding('utf8'): exactly 40960 characters (test-net-large-string)", async () => {
      const text = 'あ'.repeat(40 * 1024);
      const { path, accepted } = await serveOne((socket) => socket.setEncoding('utf8'));
      const client = connect(path);
      client.end(text);
      const server = await accepted;
      let received = '';
      server.on('data', (chunk: string) => (received += chunk));
      await once(server, 'end');
      expect(received.length).toBe(40960);
      expect(received).toBe(text);
    });
  });

  describe('error shapes', () => {
    it('connect to a name nobody serves: the message is exactly "connect ENOENT <path>"; errno is ENOENT (test-net-better-error-messages-path)', async () => {
      const path = uniquePipePath('nobody');
      const client = connect(path);
      const [error] = await once<[Err]>(client, 'error');
      expect(error.message).toBe(`connect ENOENT ${path}`);
      expect(getSystemErrorName(error.errno ?? 0)).toBe('ENOENT');
    });

    it('a write to a peer that has closed: EPIPE from syscall write, "write EPIPE", to the callback and as error', async () => {
      const { path, accepted } = await serveOne((socket) => socket.resume(), { allowHalfOpen: true });
      const client = connect(path);
      await once(client, 'connect');
      const server = await accepted;
      client.destroy();
      await once(server, 'end');
      const errors: Err[] = [];
      server.on('error', (error: Err) => errors.push(error));
      const written = await new Promise<Err | null | undefined>((resolve) => server.write('late', resolve));
      await closeOf(server);
      expect(written).toMatchObject({ code: 'EPIPE', syscall: 'write', message: 'write EPIPE' });
      expect(getSystemErrorName(written?.errno ?? 0)).toBe('EPIPE');
      expect(errors).toEqual([written]);
    });

    // Linux's node:net reports ECONNRESET from read here (the kernel resets a connection closed
    // with data unread); ours reads end of stream by design (DESIGN.md §4: a peer that went away
    // is EOF, never an error), so only Windows, where both read EOF, runs this.
    it.runIf(isWindows)(
      "Windows: a peer that closes with data it never read is 'end', then close(false)",
      async () => {
        const { path, accepted } = await serveOne((socket) => socket.write('unread'));
        const client = connect(path);
        client.pause();
        await once(client, 'connect');
        const server = await accepted;
        const events: string[] = [];
        server.on('end', () => events.push('end'));
        server.on('error', (error: Err) =>
          events.push(`error ${error.code} ${error.syscall} ${error.message}`),
        );
        server.resume();
        await delay(50);
        client.destroy();
        events.push(`close ${await closeOf(server)}`);
        expect(events).toEqual(['end', 'close false']);
      },
    );
  });

  describe('construction', () => {
    it('new Socket() is readable and writable, pending, not connecting (test-net-socket-constructor)', () => {
      const socket = track(new impl.Socket());
      expect(socket).toMatchObject({ readable: true, writable: true, pending: true, connecting: false });
    });

    it('objectMode, readableObjectMode and writableObjectMode are refused with ERR_INVALID_ARG_VALUE (test-net-connect-options-invalid, test-socket-options-invalid)', () => {
      for (const option of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
        const expected = expect.objectContaining({
          code: 'ERR_INVALID_ARG_VALUE',
          message: `The property 'options.${option}' is not supported. Received true`,
        });
        expect(() => new impl.Socket({ [option]: true })).toThrow(expected);
        expect(() => impl.connect({ path: uniquePipePath('obj'), [option]: true })).toThrow(expected);
      }
    });

    it('net.Stream is net.Socket, and a Stream talks over a pipe (test-pipe-stream)', async () => {
      expect(api.Stream).toBe(api.Socket);
      const { path } = await serve();
      const Stream = api.Stream as unknown as new () => Sock;
      const client = track(new Stream());
      client.connect(path);
      expect(await echoOnce(client, 'PING')).toBe('PING');
    });

    it('Socket.prototype.bytesWritten is undefined, and reading it does not throw (test-net-access-byteswritten)', () => {
      expect(() => (impl.Socket.prototype as unknown as Sock).bytesWritten).not.toThrow();
      expect((impl.Socket.prototype as unknown as Sock).bytesWritten).toBeUndefined();
    });

    it('connect() calls Socket.prototype.connect exactly once (test-net-connect-call-socket-connect)', async () => {
      const { path } = await serve();
      const spy = vi.spyOn(
        impl.Socket.prototype as unknown as { connect(...args: unknown[]): unknown },
        'connect',
      );
      try {
        const client = connect(path);
        await once(client, 'connect');
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('onread with a static buffer: no data events; the callback gets each read in that buffer (test-net-onread-static-buffer)', async () => {
      const message = 'hello world, in small reads';
      const { path } = await serve((socket) => socket.end(message));
      const buffer = Buffer.alloc(4);
      const reads: { n: number; same: boolean }[] = [];
      let received = '';
      const client = connect({
        path,
        onread: {
          buffer,
          callback(n: number, buf: Buffer) {
            reads.push({ n, same: buf === buffer });
            received += buf.toString('latin1', 0, n);
          },
        },
      });
      let dataEvents = 0;
      client.on('data', () => dataEvents++);
      await closeOf(client);
      expect(received).toBe(message);
      expect(dataEvents).toBe(0);
      expect(reads.every((read) => read.same && read.n > 0 && read.n <= 4)).toBe(true);
    });
  });
});
