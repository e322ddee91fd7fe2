// Pipe I/O through the low-level API: echo, end of stream, and the L2 accept case.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
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
