// Pipe I/O through the low-level API: echo, end of stream, the L2 accept case, and what an
// operation does with its buffer (L1, L3).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
import { watchCollection } from '../support/gc.js';
import { connectedPair, readExactly, sha256, uniquePipePath } from '../support/pipes.js';
import { underWine } from '../support/platform.js';

const proactor = useProactor();

describe('low-level pipe I/O', () => {
  it('echoes 1 MiB through a server and back, checksum equal', async () => {
    const { server, client } = await connectedPair(proactor, 'echo');
    const payload = randomBytes(1 << 20);
    // The server echoes whatever it reads until EOF.
    const echo = (async () => {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = await proactor.recv(server, buffer);
        if (n === 0) break;
        await proactor.send(server, Buffer.from(buffer.subarray(0, n)));
      }
    })();
    const received = readExactly(proactor, client, payload.length);
    for (let offset = 0; offset < payload.length; offset += 100_000) {
      expect(await proactor.send(client, payload.subarray(offset, offset + 100_000))).toBe(
        Math.min(100_000, payload.length - offset),
      );
    }
    const echoed = await received;
    expect(echoed.length).toBe(payload.length);
    expect(sha256(echoed)).toBe(sha256(payload));
    proactor.closeHandle(client);
    await echo;
    proactor.closeHandle(server);
    expect(proactor.stats().pending).toBe(0);
  });

  it('reports end of stream as 0 bytes when the peer closes, not as an error', async () => {
    const { server, client } = await connectedPair(proactor, 'eof');
    const pending = proactor.recv(server, Buffer.alloc(16));
    proactor.closeHandle(client);
    expect(await pending).toBe(0);
    // And a read started after the peer is gone is EOF as well.
    expect(await proactor.recv(server, Buffer.alloc(16))).toBe(0);
    proactor.closeHandle(server);
  });

  it('delivers data written before the peer closed, then EOF', async () => {
    const { server, client } = await connectedPair(proactor, 'flush');
    await proactor.send(client, Buffer.from('last words'));
    proactor.closeHandle(client);
    expect((await readExactly(proactor, server, 10)).toString()).toBe('last words');
    expect(await proactor.recv(server, Buffer.alloc(4))).toBe(0);
    proactor.closeHandle(server);
  });

  it('L2: a client that connected before acceptPipe is accepted without waiting', async () => {
    const path = uniquePipePath('l2');
    const instance = await proactor.createPipeInstance(path);
    const client = await proactor.connectPipe(path);
    const before = proactor.stats().pending;
    const server = await proactor.acceptPipe(instance);
    expect(proactor.stats().pending).toBe(before);
    await proactor.send(client, Buffer.from('hi'));
    expect((await readExactly(proactor, server, 2)).toString()).toBe('hi');
    proactor.closeHandle(client);
    proactor.closeHandle(server);
    proactor.closeHandle(instance);
  });

  it('L2: an operation that succeeds at once finishes inline — no completion packet, no JS wake-up', async () => {
    const { server, client } = await connectedPair(proactor, 'inline');
    const before = proactor.stats();
    // Room in the pipe: the write completes at once; the bytes are there: so does the read.
    expect(await proactor.send(client, Buffer.from('now'))).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const mid = proactor.stats();
    expect((await readExactly(proactor, server, 3)).toString()).toBe('now');
    const after = proactor.stats();
    expect(mid.batches).toBe(before.batches);
    expect(after.batches).toBe(before.batches);
    expect(after.pending).toBe(0);
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('readable() waits for data without consuming it, and resolves at end of stream', async () => {
    const { server, client } = await connectedPair(proactor, 'readable');
    let ready = false;
    const waiting = proactor.readable(server).then(() => {
      ready = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ready).toBe(false);
    await proactor.send(client, Buffer.from('data'));
    await waiting;
    // Nothing was read: the bytes are all still there, and readable again at once.
    await proactor.readable(server);
    expect((await readExactly(proactor, server, 4)).toString()).toBe('data');
    proactor.closeHandle(client);
    await proactor.readable(server);
    expect(await proactor.recv(server, Buffer.alloc(4))).toBe(0);
    proactor.closeHandle(server);
    expect(proactor.stats().pending).toBe(0);
  });

  it('readable() is cancelled by its signal and by closing the handle (AbortError)', async () => {
    const { server, client } = await connectedPair(proactor, 'readable-cancel');
    const controller = new AbortController();
    const aborted = proactor.readable(server, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    const closed = proactor.readable(server);
    proactor.closeHandle(server);
    await expect(closed).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => proactor.readable(server)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    proactor.closeHandle(client);
  });

  it('writing to a pipe whose peer closed fails with EPIPE', async () => {
    const { server, client } = await connectedPair(proactor, 'epipe');
    proactor.closeHandle(server);
    await expect(proactor.send(client, Buffer.alloc(1024))).rejects.toMatchObject({
      code: 'EPIPE',
      syscall: 'write',
    });
    proactor.closeHandle(client);
  });

  // Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE (DESIGN.md, Wine facts): only real Windows (and
  // Linux) can refuse the second server, so this one test is skipped under Wine, and only there.
  it.skipIf(underWine)(
    'a taken name fails with EADDRINUSE, shaped as Node shapes it (skipped under Wine: it ignores FILE_FLAG_FIRST_PIPE_INSTANCE)',
    async () => {
      const path = uniquePipePath('inuse');
      const first = await proactor.createPipeInstance(path);
      const error = await proactor.createPipeInstance(path).catch((e: unknown) => e);
      proactor.closeHandle(first);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: path });
      expect((error as { errno: number }).errno).toBeLessThan(0);
    },
  );

  it('connecting to a name nobody serves fails with ENOENT', async () => {
    const path = uniquePipePath('nobody');
    await expect(proactor.connectPipe(path)).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'connect',
      address: path,
    });
  });
});

// What an operation does with the caller's buffer: it holds it from the start until its completion
// (L1), and lets go of it then (L3). The buffers are made inside the call that hands them over,
// so nothing but the operation ever holds them; forced collections show whether it still does.
describe('operation buffers (L1, L3)', () => {
  it('L1: a pending read owns its buffer: JS let go of it, collections ran, and the data still lands in it', async () => {
    const { server, client } = await connectedPair(proactor, 'l1-read');
    const memory = watchCollection();
    let weak: WeakRef<Buffer> | undefined;
    const reading = ((): Promise<number> => {
      const made = memory.watch(Buffer.alloc(64), 'pending read');
      weak = new WeakRef(made);
      return proactor.recv(server, made);
    })();
    expect(await memory.collect()).toEqual([]);
    // Held strongly from here on, to read what landed in it.
    const landed = weak?.deref();
    expect(landed).toBeInstanceOf(Buffer);
    await proactor.send(client, Buffer.from('landed'));
    const n = await reading;
    expect(landed?.subarray(0, n).toString()).toBe('landed');
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('L3: once a read or a write has settled, nothing keeps its buffer: it can be collected', async () => {
    const { server, client } = await connectedPair(proactor, 'l3');
    const memory = watchCollection();
    const recvInto = (size: number, name: string): Promise<number> =>
      proactor.recv(server, memory.watch(Buffer.alloc(size), name));
    const sendFrom = (data: Buffer, name: string): Promise<number> =>
      proactor.send(client, memory.watch(data, name));
    // A read that waits for its data: in the operation table until its completion.
    const waitingRead = recvInto(64, 'read that waited');
    expect(proactor.stats().pending).toBe(1);
    await proactor.send(client, Buffer.from('x'));
    expect(await waitingRead).toBe(1);
    // A write larger than the pipe holds: it waits for the other end to read it.
    const size = 4 << 20;
    const waitingWrite = sendFrom(Buffer.alloc(size, 7), 'write that waited');
    expect(proactor.stats().pending).toBe(1);
    expect((await readExactly(proactor, server, size)).length).toBe(size);
    expect(await waitingWrite).toBe(size);
    // And a write and a read that can finish at once.
    expect(await sendFrom(Buffer.from('now'), 'write with room')).toBe(3);
    expect(await recvInto(3, 'read with data there')).toBe(3);
    expect(proactor.stats().pending).toBe(0);
    expect(await memory.collect()).toEqual([
      'read that waited',
      'read with data there',
      'write that waited',
      'write with room',
    ]);
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });
});
