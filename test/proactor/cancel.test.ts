// L5: cancel is a request, not a result. A cancelled read rejects with AbortError and leaves the
// handle usable; a cancel that loses the race to a completion delivers the data.
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
import { delay, settledWithin } from '../support/events.js';
import { connectedPair, readExactly } from '../support/pipes.js';

const proactor = useProactor();

describe('cancellation (L5)', () => {
  it('cancelling a pending read rejects it with AbortError; the next read on the handle works', async () => {
    const { server, client } = await connectedPair(proactor, 'cancel');
    const controller = new AbortController();
    const reading = proactor.recv(server, Buffer.alloc(16), { signal: controller.signal });
    await delay(20);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await proactor.send(client, Buffer.from('after'));
    expect((await readExactly(proactor, server, 5)).toString()).toBe('after');
    expect(proactor.stats().cancelled).toBeGreaterThanOrEqual(1);
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('cancel(handle) cancels its pending operations; cancelling again, or after they finished, is a no-op', async () => {
    const { server, client } = await connectedPair(proactor, 'cancel-handle');
    const reading = proactor.recv(server, Buffer.alloc(16));
    proactor.cancel(server);
    proactor.cancel(server);
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    proactor.cancel(server);
    await proactor.send(client, Buffer.from('ok'));
    expect((await readExactly(proactor, server, 2)).toString()).toBe('ok');
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('aborting after an operation completed changes nothing', async () => {
    const { server, client } = await connectedPair(proactor, 'cancel-late');
    const controller = new AbortController();
    const reading = proactor.recv(server, Buffer.alloc(4), { signal: controller.signal });
    await proactor.send(client, Buffer.from('data'));
    expect(await reading).toBe(4);
    controller.abort();
    controller.abort();
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('cancel racing completion 1000 times: every read settles exactly once and no byte is lost', async () => {
    const { server, client } = await connectedPair(proactor, 'cancel-race');
    const rounds = 1000;
    let delivered = 0;
    let aborted = 0;
    let drained = 0;
    let settlements = 0;
    const buffer = Buffer.alloc(1);
    // Reads exactly the bytes still owed (those whose read was cancelled), failing rather than
    // hanging if one is missing.
    const drainOwed = async (sent: number): Promise<void> => {
      const owed = sent - delivered - drained;
      const result = await settledWithin(readExactly(proactor, server, owed), 5000);
      expect(result).toMatchObject({ status: 'fulfilled' });
      drained += (result as PromiseFulfilledResult<Buffer>).value.length;
    };
    for (let i = 0; i < rounds; i++) {
      const controller = new AbortController();
      const reading = proactor.recv(server, buffer, { signal: controller.signal }).then(
        (n) => {
          settlements++;
          delivered += n;
        },
        (error: unknown) => {
          settlements++;
          expect(error).toMatchObject({ name: 'AbortError' });
          aborted++;
        },
      );
      // The byte and the abort race: sometimes the read wins, sometimes the cancel.
      const write = proactor.send(client, Buffer.from([i & 0xff]));
      if (i % 3 === 0) await Promise.resolve();
      if (i % 5 === 0) await write;
      controller.abort();
      await write;
      expect(await settledWithin(reading, 5000)).not.toBe('pending');
      // The cancel may win every time (on Linux it does whenever the event loop has not yet
      // seen the socket readable), and AF_UNIX queues each 1-byte write as a buffer of its own:
      // about 280 fill the default send buffer, and the writer would then wait for a reader
      // forever. Reading what is owed every 100 rounds keeps the queue far from that.
      if (i % 100 === 99) await drainOwed(i + 1);
    }
    expect(settlements).toBe(rounds);
    // Bytes whose read was cancelled are still in the pipe: nothing was dropped.
    await drainOwed(rounds);
    expect(delivered + drained).toBe(rounds);
    expect(aborted).toBe(rounds - delivered);
    expect(proactor.stats().pending).toBe(0);
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });
});
