// flush(): resolves once the peer has read everything written (Windows FlushFileBuffers on a
// thread of ours, Linux SIOCOUTQ on epoll), and an instance whose client wrote and left is a
// connection with that data, not a client to drop (L10).
import { describe, expect, it } from 'vitest';
import { Proactor } from '../../lib/proactor.js';
import { useProactor } from '../support/engine.js';
import { delay, settledWithin } from '../support/events.js';
import { connectedPair, readExactly, uniquePipePath } from '../support/pipes.js';

const proactor = useProactor();

describe('flush', () => {
  it('resolves at once when the peer has read everything', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-read');
    await proactor.send(client, Buffer.from('abc'));
    expect((await readExactly(proactor, server, 3)).toString()).toBe('abc');
    expect(await settledWithin(proactor.flush(client), 1000)).toMatchObject({ status: 'fulfilled' });
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('waits while data is unread, and resolves once the peer has read it all', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-wait');
    await proactor.send(client, Buffer.alloc(100_000, 1));
    const flushed = proactor.flush(client);
    expect(await settledWithin(flushed, 200)).toBe('pending');
    await readExactly(proactor, server, 50_000);
    expect(await settledWithin(flushed, 100)).toBe('pending');
    await readExactly(proactor, server, 50_000);
    expect(await settledWithin(flushed, 2000)).toMatchObject({ status: 'fulfilled' });
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('counts writes made while it waits', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-more');
    await proactor.send(client, Buffer.from('first'));
    const flushed = proactor.flush(client);
    await proactor.send(client, Buffer.from('second'));
    await readExactly(proactor, server, 5);
    expect(await settledWithin(flushed, 200)).toBe('pending');
    await readExactly(proactor, server, 6);
    expect(await settledWithin(flushed, 2000)).toMatchObject({ status: 'fulfilled' });
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('resolves when the peer closes instead of reading (nobody is left to read)', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-gone');
    await proactor.send(client, Buffer.from('never read'));
    const flushed = proactor.flush(client);
    await delay(50);
    proactor.closeHandle(server);
    expect(await settledWithin(flushed, 2000)).toMatchObject({ status: 'fulfilled' });
    proactor.closeHandle(client);
  });

  it('L5: abort rejects it with AbortError at once, and leaves the pipe usable', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-abort');
    await proactor.send(client, Buffer.from('unread'));
    const controller = new AbortController();
    const flushed = proactor.flush(client, { signal: controller.signal });
    await delay(50);
    controller.abort();
    expect(await settledWithin(flushed, 1000)).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ name: 'AbortError' }),
    });
    // Nothing was lost: the data is still there to read, and the pipe carries more.
    expect((await readExactly(proactor, server, 6)).toString()).toBe('unread');
    await proactor.send(client, Buffer.from('more'));
    expect((await readExactly(proactor, server, 4)).toString()).toBe('more');
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('closing the handle ends a waiting flush, and the peer reads the data and then the end', async () => {
    const { server, client } = await connectedPair(proactor, 'flush-close');
    await proactor.send(client, Buffer.from('last words'));
    const flushed = proactor.flush(client);
    await delay(50);
    proactor.closeHandle(client);
    expect(await settledWithin(flushed, 1000)).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ name: 'AbortError' }),
    });
    // The flush held no copy of the pipe open: the peer sees the end of the stream.
    expect((await readExactly(proactor, server, 10)).toString()).toBe('last words');
    expect(await settledWithin(proactor.recv(server, Buffer.alloc(16)), 2000)).toEqual({
      status: 'fulfilled',
      value: 0,
    });
    proactor.closeHandle(server);
  });

  it('L9: close() with flushes waiting settles them and reports nothing pending', async () => {
    const own = new Proactor();
    const pairs = await Promise.all([1, 2, 3].map(() => connectedPair(own, 'flush-l9')));
    const flushes = [];
    for (const { client } of pairs) {
      await own.send(client, Buffer.from('unread'));
      flushes.push(own.flush(client));
    }
    // Watched from the start: they reject while close() runs.
    const settled = Promise.allSettled(flushes);
    await delay(50);
    const report = await own.close({ timeout: 2000 });
    expect(report).toMatchObject({ timedOut: false, pending: 0 });
    for (const result of await settled) expect(result.status).toBe('rejected');
  });
});

describe('accept', () => {
  it('L10: an instance whose client wrote and left before the accept is a connection with that data', async () => {
    const path = uniquePipePath('wrote-and-left');
    const instance = await proactor.createPipeInstance(path);
    const client = await proactor.connectPipe(path);
    await proactor.send(client, Buffer.from('abc'));
    proactor.closeHandle(client);
    await delay(20);
    const server = await proactor.acceptPipe(instance);
    expect((await readExactly(proactor, server, 3)).toString()).toBe('abc');
    expect(await proactor.recv(server, Buffer.alloc(8))).toBe(0);
    proactor.closeHandle(server);
  });
});
