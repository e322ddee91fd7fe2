// waitForHandle: signalled, timed out, cancelled — and the cancellation storm that asyncio needed
// three attempts to survive (DESIGN L8).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nativePath } from '../../lib/native.js';
import { openHandleCount } from '../../lib/diagnostics.js';
import { ProactorEvent } from '../../lib/event.js';
import { Proactor } from '../../lib/proactor.js';
import { useProactor } from '../support/engine.js';
import { delay, settledWithin } from '../support/events.js';
import { fixturePath } from '../support/peers.js';
import { isWindows } from '../support/platform.js';

const proactor = useProactor();

describe('waitForHandle', () => {
  it('an unset event with a 500 ms timeout resolves false after 450–900 ms', async () => {
    const event = new ProactorEvent();
    const started = performance.now();
    expect(await proactor.waitForHandle(event.handle, { timeout: 500 })).toBe(false);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(900);
    event.close();
  });

  it('an event set while waiting resolves true in under 300 ms, despite a long timeout', async () => {
    const event = new ProactorEvent();
    const started = performance.now();
    const waiting = proactor.waitForHandle(event.handle, { timeout: 60_000 });
    setTimeout(() => event.set(), 20);
    expect(await waiting).toBe(true);
    expect(performance.now() - started).toBeLessThan(300);
    event.close();
  });

  it('an event already set resolves true at once; a reset one waits again', async () => {
    const event = new ProactorEvent();
    event.set();
    expect(await proactor.waitForHandle(event.handle)).toBe(true);
    event.reset();
    expect(await proactor.waitForHandle(event.handle, { timeout: 100 })).toBe(false);
    event.close();
  });

  it('waits on its own duplicate: closing the caller’s handle does not break it', async () => {
    const event = new ProactorEvent();
    const waiting = proactor.waitForHandle(event.handle, { timeout: 150 });
    event.close();
    expect(await waiting).toBe(false);
  });

  it('cancel at once rejects with AbortError in under 100 ms; aborting twice is safe', async () => {
    const event = new ProactorEvent();
    const controller = new AbortController();
    const waiting = proactor.waitForHandle(event.handle, { signal: controller.signal });
    const started = performance.now();
    controller.abort();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(performance.now() - started).toBeLessThan(100);
    event.close();
  });

  it('cancelling a finished wait is a no-op', async () => {
    const event = new ProactorEvent();
    event.set();
    const controller = new AbortController();
    expect(await proactor.waitForHandle(event.handle, { signal: controller.signal })).toBe(true);
    controller.abort();
    expect(proactor.stats().pending).toBe(0);
    event.close();
  });

  it('bad handles get Node-style errors', async () => {
    expect(() => proactor.waitForHandle('3' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.waitForHandle(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => proactor.waitForHandle(1.5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => proactor.waitForHandle(3, { timeout: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    // A value that is no open handle: a system error from the OS, not a crash.
    await expect(proactor.waitForHandle(isWindows ? 0x7ff4 : 1_000_001)).rejects.toMatchObject({
      syscall: 'wait',
      errno: expect.any(Number),
    });
    const event = new ProactorEvent();
    event.close();
    expect(() => event.handle).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => event.set()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    event.close();
  });
});

describe('the cancellation storm (L8)', () => {
  const toggler = fixturePath('event-toggler.mjs');

  async function storm(engine: Proactor, waits: number): Promise<{ settled: number; signalled: number }> {
    const event = new ProactorEvent();
    const worker = new Worker(toggler, {
      workerData: { handle: event.handle, durationMs: 1500, addonPath: nativePath },
    });
    const toggled = new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await delay(50);
    let settled = 0;
    let signalled = 0;
    const all: Promise<void>[] = [];
    for (let i = 0; i < waits; i++) {
      const controller = new AbortController();
      all.push(
        engine.waitForHandle(event.handle, { signal: controller.signal }).then(
          (value) => {
            settled++;
            expect(value).toBe(true);
            signalled++;
          },
          (error: unknown) => {
            settled++;
            expect(error).toMatchObject({ name: 'AbortError' });
          },
        ),
      );
      setTimeout(() => controller.abort(), Math.random() * 20);
      if (i % 100 === 0) await delay(1);
    }
    expect(await settledWithin(Promise.all(all), 20_000)).not.toBe('pending');
    expect(await toggled).toBeGreaterThan(0);
    await worker.terminate();
    event.close();
    return { settled, signalled };
  }

  it('2,000 waits cancelled at random moments while another thread sets the event: each settles exactly once, nothing leaks', async () => {
    const engine = new Proactor();
    await storm(engine, 200); // warm-up: thread-pool threads and our unregister thread now exist
    const before = engine.stats();
    const handlesBefore = openHandleCount();
    const { settled, signalled } = await storm(engine, 2000);
    expect(settled).toBe(2000);
    const after = engine.stats();
    // Exactly one completion per wait reached JS: none lost, none doubled.
    expect(after.completed + after.cancelled - before.completed - before.cancelled).toBe(2000);
    expect(after.completed - before.completed).toBe(signalled);
    expect(after).toMatchObject({ pending: 0, unexpected: 0 });
    // Every duplicate handle, registration and wait packet was given back.
    let handlesAfter = openHandleCount();
    for (let i = 0; i < 40 && handlesAfter > handlesBefore; i++) {
      await delay(50);
      handlesAfter = openHandleCount();
    }
    expect(handlesAfter).toBeLessThanOrEqual(handlesBefore);
    expect((await engine.close()).pending).toBe(0);
  });

  it('1,000 waits armed at once on one event all resolve true when it is set', async () => {
    // Linux: past the kernel's cap on wake-up paths to one file through nested epoll
    // instances (500 at depth two), which waits on the loop-watched epoll instance would hit.
    const engine = new Proactor();
    const event = new ProactorEvent();
    await delay(10); // the event loop now watches the engine
    const waits = Array.from({ length: 1000 }, () => engine.waitForHandle(event.handle));
    await delay(10);
    event.set();
    expect(await Promise.all(waits)).toEqual(Array.from({ length: 1000 }, () => true));
    expect(engine.stats()).toMatchObject({ pending: 0, unexpected: 0 });
    event.close();
    expect((await engine.close()).pending).toBe(0);
  });

  it('closing a proactor with 1,000 pending waits settles all of them within the bound (L9)', async () => {
    const engine = new Proactor();
    const event = new ProactorEvent();
    const waits = Array.from({ length: 1000 }, () => engine.waitForHandle(event.handle));
    const settled = Promise.allSettled(waits);
    const started = performance.now();
    const report = await engine.close({ timeout: 5000 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.pending).toBe(0);
    for (const result of await settled) {
      expect(result).toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
    }
    event.close();
  });
});
