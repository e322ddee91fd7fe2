// L7: busy pipes are polled on a timer (1 ms doubling to 100 ms), never waited on by a thread;
// abort and timeout end a busy connect at once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PipeHandle } from '../../lib/proactor.js';
import { useProactor } from '../support/engine.js';
import { delay } from '../support/events.js';
import { busyServer, uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

const proactor = useProactor();

describe('connectPipe on a busy server (L7)', () => {
  it('retries with delays 1, 2, 4, ... capped at 100 ms and connects once the server has room', async () => {
    const server = await busyServer(proactor);
    const delays: number[] = [];
    const attemptTimes: number[] = [];
    const connecting = proactor.connectPipe(server.path, {
      onRetry: (ms) => {
        delays.push(ms);
        attemptTimes.push(performance.now());
      },
    });
    await delay(450);
    const accepted = server.release();
    const client = await connecting;
    const serverSide = await accepted;
    expect(delays.slice(0, 8)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(delays.length).toBeGreaterThanOrEqual(9);
    for (const ms of delays.slice(7)) expect(ms).toBe(100);
    // The waits really happen: each gap is at least the delay announced before it (timers may
    // fire up to a millisecond early by rounding).
    for (let i = 1; i < attemptTimes.length; i++) {
      const gap = (attemptTimes[i] ?? 0) - (attemptTimes[i - 1] ?? 0);
      expect(gap).toBeGreaterThanOrEqual((delays[i - 1] ?? 0) - 1);
    }
    // The connection works.
    await proactor.send(client, Buffer.from('x'));
    expect(await proactor.recv(serverSide, Buffer.alloc(1))).toBe(1);
    proactor.closeHandle(client);
    server.dispose();
  });

  it('abort rejects a busy connect with AbortError within 50 ms, and no attempt follows', async () => {
    const server = await busyServer(proactor);
    let attempts = 0;
    const controller = new AbortController();
    const connecting = proactor.connectPipe(server.path, {
      signal: controller.signal,
      onRetry: () => attempts++,
    });
    await delay(120);
    expect(attempts).toBeGreaterThan(3);
    const reason = new Error('stop');
    const abortedAt = performance.now();
    controller.abort(reason);
    const error = await connecting.catch((e: unknown) => e);
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
    const attemptsAtAbort = attempts;
    await delay(250);
    expect(attempts).toBe(attemptsAtAbort);
    server.dispose();
  });

  it('an already-aborted signal rejects without any attempt', async () => {
    const server = await busyServer(proactor);
    let attempts = 0;
    const error = await proactor
      .connectPipe(server.path, { signal: AbortSignal.abort(), onRetry: () => attempts++ })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(attempts).toBe(0);
    server.dispose();
  });

  it('timeout bounds the whole busy connect with ETIMEDOUT', async () => {
    const server = await busyServer(proactor);
    const started = performance.now();
    const error = await proactor.connectPipe(server.path, { timeout: 150 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'connect', address: server.path });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    server.dispose();
  });

  it.runIf(!isWindows)(
    'Linux: the default backlog queues 1,000 clients nobody has accepted yet, none told busy',
    async () => {
      // node:net's 511 would turn the 513th away. The kernel caps any backlog at somaxconn.
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      const count = Math.min(1000, somaxconn);
      const path = uniquePipePath('backlog');
      const instance = await proactor.createPipeInstance(path);
      let retries = 0;
      const clients: PipeHandle[] = [];
      for (let i = 0; i < count; i++) {
        clients.push(await proactor.connectPipe(path, { onRetry: () => retries++ }));
      }
      expect(retries).toBe(0);
      for (const client of clients) proactor.closeHandle(client);
      proactor.closeHandle(instance);
    },
  );
});
