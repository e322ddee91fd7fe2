// L9: closing a proactor cancels everything, waits with a bound, reports, and never hangs.
import { describe, expect, it } from 'vitest';
import { Proactor } from '../../lib/proactor.js';
import { delay, settledWithin } from '../support/events.js';
import { watchCollection } from '../support/gc.js';
import { connectedPair, uniquePipePath } from '../support/pipes.js';

describe('proactor close (L9)', () => {
  it('settles 1000 pending reads and returns within the bound', async () => {
    const proactor = new Proactor();
    const { server, client } = await connectedPair(proactor, 'close');
    const reads = Array.from({ length: 1000 }, () => proactor.recv(server, Buffer.alloc(8)));
    const accepting = proactor.acceptPipe(await proactor.createPipeInstance(uniquePipePath('close-accept')));
    expect(proactor.stats().pending).toBe(1001);
    void client;
    // Handlers first: the rejections arrive while close() is still waiting.
    const settled = Promise.allSettled([...reads, accepting]);
    const started = performance.now();
    const report = await proactor.close({ timeout: 5000 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report).toEqual({ timedOut: false, pending: 0, operations: [] });
    const results = await settled;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'AbortError' });
    }
    expect(proactor.stats()).toMatchObject({ pending: 0, cancelled: 1001, unexpected: 0 });
  });

  it('L1: reads pending at close own their buffers until their completions are in, whatever JS dropped; then the buffers can go', async () => {
    const proactor = new Proactor();
    const { server } = await connectedPair(proactor, 'close-l1');
    const memory = watchCollection();
    // Each buffer is made inside the call that hands it over: only its read holds it.
    const reads = ['read 1', 'read 2', 'read 3'].map((name) =>
      proactor.recv(server, memory.watch(Buffer.alloc(64), name)),
    );
    const settled = Promise.allSettled(reads);
    expect(proactor.stats().pending).toBe(3);
    // Only the operations hold the buffers now, and they keep them.
    expect(await memory.collect()).toEqual([]);
    // close() cancels the reads and waits for their completions: on Windows the kernel may
    // write into a buffer until the completion of its cancelled read is dequeued.
    const report = await proactor.close({ timeout: 5000 });
    expect(report).toEqual({ timedOut: false, pending: 0, operations: [] });
    const results = await settled;
    for (const result of results) {
      expect(result).toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
    }
    // Completed and forgotten (L3): nothing holds the buffers any more, not even the errors
    // the reads were rejected with, which the test still holds.
    expect(await memory.collect()).toEqual(['read 1', 'read 2', 'read 3']);
    expect(results).toHaveLength(3);
  });

  it('closing from inside a completion callback, with other reads pending, is clean', async () => {
    const proactor = new Proactor();
    const { server, client } = await connectedPair(proactor, 'close-inside');
    const other = proactor.recv(client, Buffer.alloc(8)).catch((error: unknown) => error);
    let report: Promise<unknown> | undefined;
    // The read completes from the event loop; its callback closes the proactor right there.
    const read = new Promise<number>((resolve) => {
      proactor.recv(server, Buffer.alloc(8)).then((n) => {
        report = proactor.close();
        resolve(n);
      }, resolve);
    });
    await delay(10);
    await proactor.send(client, Buffer.from('x'));
    expect(await read).toBe(1);
    expect(await report).toEqual({ timedOut: false, pending: 0, operations: [] });
    expect(await other).toMatchObject({ name: 'AbortError' });
  });

  it('delivers completions in batches: one JS call for many operations, not one per operation', async () => {
    const proactor = new Proactor();
    const { server, client } = await connectedPair(proactor, 'batches');
    const reads = Array.from({ length: 1000 }, () => proactor.recv(server, Buffer.alloc(8)).catch(() => 0));
    const before = proactor.stats().batches;
    proactor.cancel(server);
    await Promise.all(reads);
    const calls = proactor.stats().batches - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(50);
    proactor.closeHandle(client);
    proactor.closeHandle(server);
    await proactor.close();
  });

  it('close() twice returns the same report; operations after close reject with ERR_PROACTOR_CLOSED', async () => {
    const proactor = new Proactor();
    const first = proactor.close();
    expect(proactor.close()).toBe(first);
    await first;
    await expect(proactor.connectPipe(uniquePipePath('closed'))).rejects.toMatchObject({
      code: 'ERR_PROACTOR_CLOSED',
    });
  });

  it('stops busy-connect retries when closed', async () => {
    const proactor = new Proactor();
    const path = uniquePipePath('close-busy');
    const instance = await proactor.createPipeInstance(path, { maxInstances: 1, backlog: 0 });
    const occupant = await proactor.connectPipe(path);
    let attempts = 0;
    const connecting = proactor.connectPipe(path, { onRetry: () => attempts++ });
    await delay(30);
    await proactor.close();
    expect(await settledWithin(connecting, 1000)).toMatchObject({ status: 'rejected' });
    const attemptsAtClose = attempts;
    await delay(150);
    expect(attempts).toBe(attemptsAtClose);
    void occupant;
    void instance;
  });
});
