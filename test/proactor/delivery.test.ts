// How completions reach JS. By default the event loop itself dequeues them ('loop'), one thread
// wake-up each: on Windows from libuv's own completion port, which hands our packets back to us;
// on Linux from our epoll descriptor, which the loop polls. Windows keeps a fallback for hosts
// whose libuv the addon cannot verify: a port of its own and a poller thread ('thread'), which
// PROACTOR_DELIVERY=thread asks for. Every scenario here runs on each delivery the platform has.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineOf } from '../../lib/proactor-handles.js';
import { ProactorEvent } from '../../lib/event.js';
import { Proactor } from '../../lib/proactor.js';
import { settledWithin } from '../support/events.js';
import { connectedPair, readExactly, uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

const deliveries = isWindows ? (['loop', 'thread'] as const) : (['loop'] as const);

function proactorWith(delivery: string): Proactor {
  const saved = process.env.PROACTOR_DELIVERY;
  process.env.PROACTOR_DELIVERY = delivery;
  try {
    return new Proactor();
  } finally {
    if (saved === undefined) delete process.env.PROACTOR_DELIVERY;
    else process.env.PROACTOR_DELIVERY = saved;
  }
}

// Blocks the JS thread (and so the event loop) for `ms`: whatever completes meanwhile is waiting
// in the port when the loop next looks.
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.each(deliveries)("completions delivered by '%s'", (delivery) => {
  let proactor: Proactor;
  afterEach(async () => {
    expect((await proactor.close()).pending, 'L9: operations still pending at close').toBe(0);
  });

  it('is the delivery in use, with no warning', async () => {
    const warning = vi.fn();
    process.on('warning', warning);
    try {
      proactor = proactorWith(delivery);
      expect(proactor.delivery).toBe(delivery);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', warning);
    }
    expect(warning).not.toHaveBeenCalled();
  });

  it('carries pipe I/O: accept, connect, 256 KiB each way, and the end of stream', async () => {
    proactor = proactorWith(delivery);
    const { instance, server, client } = await connectedPair(proactor, `delivery-${delivery}`);
    const up = Buffer.alloc(256 * 1024, 'u');
    const down = Buffer.alloc(256 * 1024, 'd');
    const [received] = await Promise.all([
      readExactly(proactor, server, up.length),
      proactor.send(client, up),
    ]);
    expect(received.equals(up)).toBe(true);
    const [back] = await Promise.all([
      readExactly(proactor, client, down.length),
      proactor.send(server, down),
    ]);
    expect(back.equals(down)).toBe(true);
    const end = proactor.recv(server, Buffer.alloc(16));
    proactor.closeHandle(client);
    expect(await end).toBe(0);
    for (const handle of new Set([instance, server])) proactor.closeHandle(handle);
  });

  it('carries waits: an event set later, and the exit of a process', async () => {
    proactor = proactorWith(delivery);
    const event = new ProactorEvent();
    const waiting = proactor.waitForHandle(event.handle);
    setTimeout(() => event.set(), 20);
    expect(await waiting).toBe(true);
    event.close();
    const child = spawn(process.execPath, ['-e', 'process.exitCode = 7']);
    if (child.pid === undefined) throw new Error('the child did not start');
    const { exitCode } = await proactor.waitForProcess(child.pid);
    // Windows keeps the code in the process object. Linux: Node reaps its own children on
    // SIGCHLD, and one reaped before our wait reads it has no status left (code unknown, null).
    if (isWindows) expect(exitCode).toBe(7);
    else expect([7, null]).toContain(exitCode);
    if (child.exitCode === null) await once(child, 'exit');
  });

  it('carries cancellations (L5): a pending read cancelled rejects with ABORT_ERR', async () => {
    proactor = proactorWith(delivery);
    const { instance, server, client } = await connectedPair(proactor, `delivery-cancel-${delivery}`);
    const controller = new AbortController();
    const read = proactor.recv(server, Buffer.alloc(16), { signal: controller.signal });
    controller.abort();
    await expect(read).rejects.toMatchObject({ code: 'ABORT_ERR' });
    for (const handle of new Set([instance, server, client])) proactor.closeHandle(handle);
  });

  it('batches: 32 reads completed while the loop is busy reach JS in one call', async () => {
    proactor = proactorWith(delivery);
    const pairs = await Promise.all(
      Array.from({ length: 32 }, (_, i) => connectedPair(proactor, `delivery-batch-${delivery}-${i}`)),
    );
    const reads = pairs.map(({ server }) => proactor.recv(server, Buffer.alloc(8)));
    // Let each read reach the OS (a read may be issued from a microtask), then complete all of
    // them while the loop cannot look.
    await new Promise((resolve) => setImmediate(resolve));
    const before = proactor.stats();
    for (const { client } of pairs) await proactor.send(client, Buffer.from('x'));
    blockThread(200);
    expect(await Promise.all(reads)).toEqual(pairs.map(() => 1));
    const after = proactor.stats();
    expect(after.completed - before.completed).toBeGreaterThanOrEqual(32);
    expect(after.batches - before.batches).toBe(1);
    for (const { instance, server, client } of pairs) {
      for (const handle of new Set([instance, server, client])) proactor.closeHandle(handle);
    }
  });

  it('L4: a completion for no operation takes the same path, and is counted, never read', async () => {
    proactor = proactorWith(delivery);
    engineOf(proactor).postForeignCompletion();
    await vi.waitFor(() => expect(proactor.stats().unexpected).toBe(1));
    expect(proactor.stats().completed).toBe(0);
  });

  it('a flush still pending when a close gives up lets go of its pipe: the peer reads the data, then the end', async () => {
    const first = proactorWith(delivery);
    proactor = proactorWith(delivery); // the peer's, which stays open
    const path = uniquePipePath(`delivery-flush-${delivery}`);
    const instance = await first.createPipeInstance(path);
    const accepted = first.acceptPipe(instance);
    const client = await proactor.connectPipe(path);
    const server = await accepted;
    const data = Buffer.alloc(4096, 'f');
    await first.send(server, data);
    // The peer has not read it: the flush waits (Windows: a thread of ours in FlushFileBuffers).
    const flushing = first.flush(server).catch((error) => error);
    await new Promise((resolve) => setImmediate(resolve));
    const closing = first.close({ timeout: 0 });
    blockThread(5);
    await closing;
    expect(await flushing).toBeInstanceOf(Error);
    // Nothing of the closed proactor holds the pipe open (a flush's duplicate of it would).
    expect((await readExactly(proactor, client, data.length)).equals(data)).toBe(true);
    expect(await settledWithin(proactor.recv(client, Buffer.alloc(16)), 5000)).toEqual({
      status: 'fulfilled',
      value: 0,
    });
    proactor.closeHandle(client);
  });

  it('L1: reads still pending when a close gives up are kept; their packets, which come after, reach nothing', async () => {
    const first = proactorWith(delivery);
    const { server } = await connectedPair(first, `delivery-abandon-${delivery}`);
    const reads = Array.from({ length: 8 }, () =>
      first.recv(server, Buffer.alloc(64)).catch((error) => error),
    );
    await new Promise((resolve) => setImmediate(resolve));
    // close() cancels the reads and gives up at once: its timer fires before the loop next looks
    // at the port, so the cancelled reads' packets come after the engine has stopped.
    const closing = first.close({ timeout: 0 });
    blockThread(5);
    const report = await closing;
    if (isWindows && delivery === 'loop') {
      expect(report.timedOut).toBe(true);
      expect(report.operations.map((operation) => operation.kind)).toEqual(Array(8).fill('recv'));
    }
    for (const outcome of await Promise.all(reads)) expect(outcome).toBeInstanceOf(Error);
    // A few loop turns for the late packets; then a new proactor works, and none of its
    // completions is unexpected (test/setup.ts checks the whole process's).
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    proactor = proactorWith(delivery);
    const { instance, server: s2, client: c2 } = await connectedPair(proactor, `delivery-after-${delivery}`);
    await proactor.send(c2, Buffer.from('ok'));
    expect((await readExactly(proactor, s2, 2)).toString()).toBe('ok');
    for (const handle of new Set([instance, s2, c2])) proactor.closeHandle(handle);
    expect(first.stats().unexpected).toBe(0);
  });
});

describe('PROACTOR_DELIVERY', () => {
  it('an unknown value is named in one PROACTOR_DELIVERY warning, and completions take the loop', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const opened: Proactor[] = [];
    try {
      opened.push(proactorWith('bogus'), proactorWith('bogus'));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
      for (const each of opened) await each.close();
    }
    expect(opened.map((each) => each.delivery)).toEqual(['loop', 'loop']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'PROACTOR_DELIVERY' });
    expect(warnings[0]?.message).toContain('PROACTOR_DELIVERY=bogus');
  });
});
