// What node:net lacks and we add (connect timeout/abort, peerPid, instances, security), and the
// stream rules only ours can be asked about: L6 reads, coalesced writes, read size, L10.
import { execa } from 'execa';
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { connect, createServer, PipeSocket, type Server } from '../../lib/index.js';
import { Channel } from '../../lib/engine/channel.js';
import type { Done } from '../../lib/engine/engine.js';
import { engineOf } from '../../lib/proactor-handles.js';
import type { PipeHandle, Proactor } from '../../lib/proactor.js';
import { useProactor } from '../support/engine.js';
import { closed, delay, listening, once, readBytes } from '../support/events.js';
import { startPeer } from '../support/peers.js';
import { busyServer, connectedPair, uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

// Clients run on `proactor`, servers on `serverProactor`, so spies on one see one side only.
const proactor = useProactor();
const serverProactor = useProactor();

/**
 * Watches the reads (`recv` into a buffer, `readable` with none) and writes (`send`) that
 * sockets start on the channels of `proactor`: the buffer each was given. The spies go when the
 * test ends, whether or not it passed, so a failure can't leak them into the next test.
 */
function spyIo(proactor: Proactor): {
  calls(kind: 'recv' | 'readable' | 'send'): (Uint8Array | undefined)[];
  clear(): void;
  restore(): void;
} {
  const engine = engineOf(proactor);
  const spies = {
    recv: vi.spyOn(Channel.prototype, 'read'),
    readable: vi.spyOn(Channel.prototype, 'waitReadable'),
    send: vi.spyOn(Channel.prototype, 'write'),
  };
  const restore = (): void => Object.values(spies).forEach((spy) => spy.mockRestore());
  onTestFinished(restore);
  return {
    calls: (kind) => {
      const { mock } = spies[kind];
      return mock.calls
        .filter((_args, i) => (mock.contexts[i] as Channel).engine === engine)
        .map(([first]) => (first instanceof Uint8Array ? first : undefined));
    },
    clear: () => Object.values(spies).forEach((spy) => spy.mockClear()),
    restore,
  };
}

/**
 * Makes `serverProactor`'s accepts fail with what `failure()` gives, as long as it gives one;
 * `passedOn()` counts the accepts since then that went to the OS. Undone when the test ends,
 * whether or not it passed.
 */
function failAccepts(failure: () => Error | undefined): { passedOn(): number; restore(): void } {
  const engine = engineOf(serverProactor);
  const original = Channel.prototype.accept;
  let passedOn = 0;
  const spy = vi.spyOn(Channel.prototype, 'accept').mockImplementation(function (
    this: Channel,
    done,
    signal,
  ) {
    const error = this.engine === engine ? failure() : undefined;
    if (error === undefined) {
      if (this.engine === engine) passedOn++;
      return original.call(this, done, signal);
    }
    setImmediate(() => done(undefined, error));
    return 0;
  });
  onTestFinished(() => spy.mockRestore());
  return { passedOn: () => passedOn, restore: () => spy.mockRestore() };
}

async function echoServer(options: Record<string, unknown> = {}): Promise<{ server: Server; path: string }> {
  const path = uniquePipePath('feat');
  const server = createServer({ proactor: serverProactor, ...options }, (socket) => socket.pipe(socket));
  await listening(server as never, path);
  return { server, path };
}

describe('connect beyond node:net', () => {
  it('L7: timeout bounds a connect to a busy pipe with ETIMEDOUT', async () => {
    const busy = await busyServer(proactor);
    const started = performance.now();
    const socket = connect({ path: busy.path, timeout: 300, proactor });
    const [error] = await once<[Error]>(socket, 'error').catch((e: Error) => [e]);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'connect', address: busy.path });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
    expect(socket.destroyed).toBe(true);
    busy.dispose();
  });

  it('L7: aborting a connect to a busy pipe stops it at once with AbortError', async () => {
    const busy = await busyServer(proactor);
    const controller = new AbortController();
    const socket = connect({ path: busy.path, signal: controller.signal, proactor });
    const errored = once<[Error]>(socket, 'error').catch((e: Error) => [e]);
    await delay(50);
    expect(socket.connecting).toBe(true);
    const started = performance.now();
    controller.abort(new Error('stop'));
    const [error] = await errored;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    busy.dispose();
  });

  it('aborting after the connect destroys the socket with AbortError', async () => {
    const { server, path } = await echoServer();
    const controller = new AbortController();
    const socket = connect({ path, signal: controller.signal, proactor });
    await once(socket, 'connect');
    const errored = new Promise<Error>((resolve) => socket.once('error', resolve));
    controller.abort();
    expect(await errored).toMatchObject({ name: 'AbortError' });
    await closed(server as never);
  });

  it('once connected, timeout is the idle timeout, as net.connect({ timeout }) sets it', async () => {
    const { server, path } = await echoServer();
    const socket = connect({ path, timeout: 200, proactor });
    await once(socket, 'connect');
    expect(socket.timeout).toBe(200);
    await once(socket, 'timeout');
    socket.destroy();
    await closed(server as never);
  });
});

describe('peerPid', () => {
  it('a server socket reports the client process id', async () => {
    const path = uniquePipePath('peer-srv');
    const server = createServer({ proactor });
    await listening(server as never, path);
    const accepted = once<[PipeSocket]>(server, 'connection');
    const { child, ready } = startPeer('client', 'proactor', path);
    const [socket] = await accepted;
    await ready;
    expect(socket.peerPid).toBe(child.pid);
    socket.end();
    expect((await child).exitCode).toBe(0);
    await closed(server as never);
  });

  it('a client socket reports the server process id', async () => {
    const path = uniquePipePath('peer-cli');
    const { child, ready } = startPeer('server', 'proactor', path);
    await ready;
    const socket = connect({ path, timeout: 10_000, proactor });
    await once(socket, 'connect');
    expect(socket.peerPid).toBe(child.pid);
    socket.end();
    expect((await child).exitCode).toBe(0);
  });

  it('is undefined before the socket connects', () => {
    expect(new PipeSocket({ proactor }).peerPid).toBeUndefined();
  });
});

describe('server options beyond node:net', () => {
  it('instances: 16 serves 16 clients connecting at once', async () => {
    const { server, path } = await echoServer({ instances: 16 });
    const clients = Array.from({ length: 16 }, () => connect({ path, proactor }));
    const replies = await Promise.all(
      clients.map(async (client, i) => {
        client.write(`c${i.toString().padStart(2, '0')}`);
        return (await readBytes(client, 3)).toString();
      }),
    );
    expect(replies).toEqual(clients.map((_c, i) => `c${i.toString().padStart(2, '0')}`));
    for (const client of clients) client.end();
    await closed(server as never);
  });

  it('security.currentUserOnly lets this user connect (Linux: mode 0600)', async () => {
    const { server, path } = await echoServer({
      security: { currentUserOnly: true },
      rejectRemoteClients: true,
    });
    if (!isWindows) expect(statSync(path).mode & 0o777).toBe(0o600);
    const client = connect({ path, proactor });
    client.write('me');
    expect((await readBytes(client, 2)).toString()).toBe('me');
    client.end();
    await closed(server as never);
  });

  it.runIf(!isWindows)('readableAll and writableAll widen the socket file mode, as node:net', async () => {
    const path = uniquePipePath('all');
    const server = createServer({ proactor });
    server.listen({ path, readableAll: true, writableAll: true });
    await once(server, 'listening');
    expect(statSync(path).mode & 0o666).toBe(0o666);
    await closed(server as never);
  });

  it('Linux removes the socket file on close; the name can be served again', async () => {
    const { server, path } = await echoServer();
    await closed(server as never);
    if (!isWindows) expect(() => statSync(path)).toThrow();
    const again = createServer({ proactor });
    await listening(again as never, path);
    await closed(again as never);
  });

  it('[Symbol.asyncDispose] closes the server', async () => {
    const { server } = await echoServer();
    await server[Symbol.asyncDispose]();
    expect(server.listening).toBe(false);
    // Disposing a closed server is a no-op.
    await server[Symbol.asyncDispose]();
  });
});

describe('L10: the accept loop survives its clients', () => {
  it('100 clients that connect and close at once do not stop the server', async () => {
    const { server, path } = await echoServer();
    const errors: Error[] = [];
    server.on('error', (error: Error) => errors.push(error));
    for (let i = 0; i < 100; i++) {
      // Alternate: a raw handle closed before the server looks, and a socket destroyed at once.
      if (i % 2 === 0) proactor.closeHandle(await proactor.connectPipe(path, { timeout: 10_000 }));
      else {
        const socket = connect({ path, proactor });
        socket.on('error', () => undefined);
        socket.destroy();
      }
    }
    await delay(200);
    const client = connect({ path, proactor });
    client.write('still here');
    expect((await readBytes(client, 10)).toString()).toBe('still here');
    client.end();
    expect(errors).toEqual([]);
    expect(server.listening).toBe(true);
    await closed(server as never);
  });

  // A client that comes and goes before the server looks makes ConnectNamedPipe fail with
  // ERROR_NO_DATA (EPIPE). Which accept meets such a client is a race, so these two tests make
  // the accepts fail on purpose and check what the loop does with it.
  it('accepts that fail for one client (EPIPE, as ERROR_NO_DATA) are dropped silently; serving goes on', async () => {
    let failures = 0;
    const accept = failAccepts(() => {
      if (failures >= 100) return undefined;
      failures++;
      return Object.assign(new Error('accept EPIPE'), { code: 'EPIPE', syscall: 'accept' });
    });
    const { server, path } = await echoServer({ instances: 2 });
    const errors: Error[] = [];
    server.on('error', (error: Error) => errors.push(error));
    // Until both accepts are real again. Windows: an instance whose accept was failed here had
    // no ConnectNamedPipe, so it still took clients until the listener closed it; a client that
    // came before that would have been cut off (a real EPIPE instance takes nobody).
    for (let i = 0; i < 100 && accept.passedOn() < 2; i++) await delay(20);
    expect(failures).toBe(100);
    expect(accept.passedOn()).toBe(2);
    const client = connect({ path, proactor });
    client.write('served');
    expect((await readBytes(client, 6)).toString()).toBe('served');
    accept.restore();
    expect(errors).toEqual([]);
    client.end();
    await closed(server as never);
  });

  it('an accept failure that is not about one client is emitted as error (syscall accept); serving goes on', async () => {
    let failed = false;
    const accept = failAccepts(() => {
      if (failed) return undefined;
      failed = true;
      return Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    });
    const path = uniquePipePath('emfile');
    const server = createServer({ proactor: serverProactor, instances: 1 }, (socket) => socket.pipe(socket));
    const errors: Error[] = [];
    server.on('error', (error: Error) => errors.push(error));
    server.listen(path);
    await once(server, 'listening');
    for (let i = 0; i < 100 && errors.length === 0; i++) await delay(20);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'EMFILE', syscall: 'accept' });
    const client = connect({ path, proactor, timeout: 10_000 });
    client.write('served');
    expect((await readBytes(client, 6)).toString()).toBe('served');
    accept.restore();
    client.end();
    await closed(server as never);
  });
});

describe('stream rules', () => {
  it('reads go into buffers of highWaterMark bytes (64 KiB by default)', async () => {
    const { server, path } = await echoServer();
    const io = spyIo(proactor);
    const sizes = async (options: Record<string, unknown>): Promise<(number | undefined)[]> => {
      io.clear();
      const client = connect({ path, proactor, ...options });
      client.write('x');
      await readBytes(client, 1);
      const lengths = io.calls('recv').map((buffer) => buffer?.byteLength);
      client.destroy();
      return lengths;
    };
    expect(new Set(await sizes({}))).toEqual(new Set([65536]));
    expect(new Set(await sizes({ highWaterMark: 4096 }))).toEqual(new Set([4096]));
    io.restore();
    await closed(server as never);
  });

  it('an idle socket waits for data with no read buffer (readable()), and reads once data comes', async () => {
    const { server, path } = await echoServer();
    const io = spyIo(serverProactor);
    const client = connect({ path, proactor });
    await once(client, 'connect');
    await vi.waitFor(() => expect(io.calls('readable')).not.toHaveLength(0));
    await delay(20);
    expect(io.calls('recv')).toHaveLength(0);
    client.write('x');
    expect((await readBytes(client, 1)).toString()).toBe('x');
    expect(io.calls('recv')).not.toHaveLength(0);
    io.restore();
    client.destroy();
    await closed(server as never);
  });

  it("a connection destroyed by its 'connection' listener never starts a read", async () => {
    const path = uniquePipePath('reject');
    const server = createServer({ proactor: serverProactor }, (socket) => socket.destroy());
    await listening(server as never, path);
    const io = spyIo(serverProactor);
    let connections = 0;
    server.on('connection', () => connections++);
    for (let i = 0; i < 3; i++) {
      const client = connect({ path, proactor });
      client.resume();
      await once(client, 'close');
    }
    expect(connections).toBe(3);
    expect(io.calls('recv')).toHaveLength(0);
    expect(io.calls('readable')).toHaveLength(0);
    io.restore();
    await closed(server as never);
  });

  it('corked writes go to the OS as one write', async () => {
    const { server, path } = await echoServer();
    const client = connect({ path, proactor });
    await once(client, 'connect');
    const io = spyIo(proactor);
    client.cork();
    client.write('one ');
    client.write('two ');
    client.write('three');
    process.nextTick(() => client.uncork());
    expect((await readBytes(client, 13)).toString()).toBe('one two three');
    const sends = io.calls('send');
    expect(sends).toHaveLength(1);
    expect(Buffer.from(sends[0] as Uint8Array).toString()).toBe('one two three');
    io.restore();
    client.end();
    await closed(server as never);
  });

  it('write() returns false past the highWaterMark, then drain follows', async () => {
    const { server, path } = await echoServer();
    const client = connect({ path, proactor, highWaterMark: 1024 });
    await once(client, 'connect');
    const echoed = readBytes(client, 512 + 8 * 1024 * 1024);
    // As net.Socket: a write the OS takes at once leaves nothing queued, so write() is true.
    expect(client.write(Buffer.alloc(512))).toBe(true);
    // More than the pipe holds: the rest waits in the stream, past the highWaterMark.
    expect(client.write(Buffer.alloc(8 * 1024 * 1024))).toBe(false);
    await once(client, 'drain');
    await echoed;
    client.end();
    await closed(server as never);
  });

  it('L6: pause() never cancels the outstanding read; no data is lost across pause/resume', async () => {
    const { server, path } = await echoServer();
    const client = connect({ path, proactor });
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(client, 'connect');
    await delay(50); // the first read is now outstanding
    const cancelledBefore = proactor.stats().cancelled;
    // Count reads in flight: _read must start one only when none is outstanding.
    const engine = engineOf(proactor);
    let inFlight = 0;
    let maxInFlight = 0;
    const counted = (done: Done): Done => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return (value, error) => {
        inFlight--;
        done(value, error);
      };
    };
    const { read, waitReadable } = Channel.prototype;
    const reads = vi.spyOn(Channel.prototype, 'read').mockImplementation(function (
      this: Channel,
      buffer,
      done,
      signal,
    ) {
      return read.call(this, buffer, this.engine === engine ? counted(done) : done, signal);
    });
    const waits = vi.spyOn(Channel.prototype, 'waitReadable').mockImplementation(function (
      this: Channel,
      done,
      signal,
    ) {
      return waitReadable.call(this, this.engine === engine ? counted(done) : done, signal);
    });
    client.pause();
    client.write('during pause');
    await delay(200);
    expect(proactor.stats().cancelled).toBe(cancelledBefore);
    expect(Buffer.concat(chunks).toString()).toBe('');
    client.resume();
    await delay(100);
    expect(Buffer.concat(chunks).toString()).toBe('during pause');
    expect(maxInFlight).toBeLessThanOrEqual(1);
    reads.mockRestore();
    waits.mockRestore();
    client.end();
    await closed(server as never);
  });

  it('paused past the highWaterMark, the socket stops reading and loses nothing', async () => {
    const { server, path } = await echoServer();
    const client = connect({ path, proactor, highWaterMark: 16 * 1024 });
    await once(client, 'connect');
    client.pause();
    const payload = Buffer.alloc(512 * 1024, 3);
    client.write(payload);
    await delay(300);
    const received = readBytes(client, payload.length);
    client.resume();
    expect((await received).equals(payload)).toBe(true);
    client.end();
    await closed(server as never);
  });
});

describe('wrapping an open pipe', () => {
  it('new PipeSocket({ handle }) wraps a PipeHandle', async () => {
    const { instance, server, client } = await connectedPair(proactor, 'wrap');
    const a = new PipeSocket({ handle: server, proactor });
    const b = new PipeSocket({ handle: client, proactor });
    b.write('wrapped');
    expect((await readBytes(a, 7)).toString()).toBe('wrapped');
    a.end();
    b.end();
    await Promise.all([once(a, 'close'), once(b, 'close')]);
    if (instance !== server) proactor.closeHandle(instance as PipeHandle);
  });

  it.runIf(!isWindows)('new PipeSocket({ handle: fd }) adopts a raw file descriptor', async () => {
    const fifo = join(tmpdir(), `proactor-fifo-${process.pid}-${Date.now()}`);
    await execa('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const socket = new PipeSocket({ handle: fd, proactor });
    socket.write('through the fifo');
    expect((await readBytes(socket, 16)).toString()).toBe('through the fifo');
    socket.destroy();
    await once(socket, 'close');
    expect(() => closeSync(fd)).toThrow(); // the socket owned and closed it
    await execa('rm', [fifo]);
  });
});

describe('eofTimeout (L11): how long end() keeps reading for a quiet peer on Windows', () => {
  /** Our server answering each request line `after` ms later, then ending. */
  async function lateServer(after: number): Promise<{ server: Server; path: string; errors: Error[] }> {
    const path = uniquePipePath('eof');
    const errors: Error[] = [];
    const server = createServer({ proactor: serverProactor, allowHalfOpen: true }, (socket) => {
      socket.on('error', (error) => errors.push(error));
      socket.once('data', () => setTimeout(() => socket.end('answer'), after));
    });
    await listening(server as never, path);
    return { server, path, errors };
  }

  async function ask(path: string, eofTimeout: number): Promise<{ reply: string; endedAfter: number }> {
    const socket = connect({ path, eofTimeout, proactor });
    const started = performance.now();
    socket.end('question\n');
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    await once(socket, 'end');
    const endedAfter = performance.now() - started;
    socket.destroy();
    return { reply, endedAfter };
  }

  it('Infinity waits for the peer: an answer 300 ms after the request still arrives', async () => {
    const { server, path } = await lateServer(300);
    const { reply, endedAfter } = await ask(path, Infinity);
    expect(reply).toBe('answer');
    expect(endedAfter).toBeGreaterThanOrEqual(250);
    await closed(server as never);
  });

  it.runIf(isWindows)(
    'Windows: a peer quiet for longer than eofTimeout ends the stream first, and its late answer is refused',
    async () => {
      const { server, path, errors } = await lateServer(300);
      const { reply, endedAfter } = await ask(path, 30);
      expect(reply).toBe('');
      expect(endedAfter).toBeLessThan(250);
      await delay(400);
      expect(errors.map((error) => (error as Error & { code?: string }).code)).toEqual(['EPIPE']);
      await closed(server as never);
    },
  );

  it.runIf(!isWindows)('Linux half-closes for real and ignores it: the late answer arrives', async () => {
    const { server, path } = await lateServer(300);
    const { reply } = await ask(path, 0);
    expect(reply).toBe('answer');
    await closed(server as never);
  });
});
