// Environment teardown: a proactor in a worker thread must let the thread end cleanly, whatever
// state it is in — Node aborts the whole process if a thread's event loop still holds a handle
// when it closes, so these tests fail by crashing the run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Proactor } from '../../lib/proactor.js';
import { delay } from '../support/events.js';
import { fixturePath } from '../support/peers.js';
import { uniquePipePath } from '../support/pipes.js';

const fixture = fixturePath('teardown-worker.mjs');

function runWorker(
  mode: string,
  flush = false,
): { messages: unknown[]; worker: Worker; exited: Promise<number> } {
  const worker = new Worker(fixture, {
    workerData: { mode, flush, path: uniquePipePath(`teardown-${mode}`) },
  });
  const messages: unknown[] = [];
  worker.on('message', (message) => messages.push(message));
  const exited = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  return { messages, worker, exited };
}

describe.each([
  ['a read', false],
  ['a read and a flush nobody will answer', true],
])(
  'environment teardown with %s pending: nothing reaches JS once the worker is stopping, and the process lives on',
  (_what, flush) => {
    it.each([
      ['ends with its handles unref’d', 'pending'],
      ['closes its proactor and ends at once', 'closed'],
      ['calls process.exit', 'exit'],
    ])('a worker thread that %s exits cleanly', async (_name, mode) => {
      const { messages, exited } = runWorker(mode, flush);
      expect(await exited).toBe(0);
      expect(messages).toEqual([{ received: 'ping' }]);
    });

    it('a worker thread terminated while its proactor waits exits cleanly', async () => {
      const { messages, worker, exited } = runWorker('pending-ref', flush);
      await new Promise<void>((resolve) => worker.once('message', () => resolve()));
      expect(await worker.terminate()).toBe(1);
      expect(await exited).toBe(1);
      expect(messages).toEqual([{ received: 'ping' }]);
    });
  },
);

describe('a worker terminated with waits armed: nothing reaches JS once it is stopping', () => {
  it('the waits are answered later, and no proactor of the process sees their packets', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    await once(child, 'spawn');
    const worker = new Worker(fixturePath('wait-worker.mjs'), {
      workerData: { pid: child.pid },
    });
    await once(worker, 'message');
    expect(await worker.terminate()).toBe(1);
    // Proactors made now may get the handle values (ports) the worker's proactor had.
    const proactors = Array.from({ length: 4 }, () => new Proactor());
    const exited = once(child, 'exit');
    child.stdin.end();
    await exited;
    await delay(300);
    for (const proactor of proactors) {
      expect(proactor.stats().unexpected).toBe(0);
      await proactor.close();
    }
  });
});
