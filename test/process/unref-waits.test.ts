// ref: false on every wait: it delivers while something else keeps the loop alive, and lets the
// process exit when nothing else does; its ref'd counterpart keeps the process alive.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createEvent, getDefaultProactor, waitForExit, waitForHandle, watchChild } from '../../lib/index.js';
import { openProcess } from '../../lib/process/index.js';
import { fixturePath } from '../support/peers.js';
import { within } from '../support/processes.js';

const node = process.execPath;
const APIS = ['waitForExit', 'waitForHandle', 'exited', 'handle-unref', 'watchChild'] as const;
// How long the unref'd process has to exit, and the ref'd one must hold out, after it armed.
const WINDOW_MS = 5000;

function sleeper(): { child: ChildProcess; exit: Promise<unknown[]> } {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return { child, exit: once(child, 'exit') };
}

interface Run {
  child: ChildProcessByStdio<null, Readable, null>;
  armed: Promise<void>;
  lines: Record<string, unknown>[];
  exit: Promise<[number | null, string | null]>;
}

function runWait(api: string, ref: 'ref' | 'unref', scenario: 'alone' | 'delivers', pid: number): Run {
  const child = spawn(node, [fixturePath('unref-waits.mjs'), api, ref, scenario, String(pid)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let onArmed: () => void = () => undefined;
  const armed = new Promise<void>((resolve) => (onArmed = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, end)) as Record<string, unknown>;
      buffered = buffered.slice(end + 1);
      lines.push(line);
      if (line.event === 'armed') onArmed();
    }
  });
  const exit = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, armed, lines, exit };
}

describe('unref’d waits', () => {
  it(`with nothing else to do, a process exits despite an unref'd wait, and not within ${WINDOW_MS} ms with a ref'd one (every wait)`, async () => {
    const target = sleeper();
    const runs = APIS.flatMap((api) =>
      (['unref', 'ref'] as const).map((ref) => ({
        api,
        ref,
        run: runWait(api, ref, 'alone', target.child.pid as number),
      })),
    );
    const outcomes = await Promise.all(
      runs.map(async ({ api, ref, run }) => {
        await run.armed;
        const exit = await within(run.exit, WINDOW_MS);
        if (exit === 'pending') {
          run.child.kill('SIGKILL');
          await run.exit;
        }
        return { api, ref, exit, lines: run.lines.map((line) => line.event) };
      }),
    );
    expect(outcomes).toEqual(
      runs.map(({ api, ref }) => ({
        api,
        ref,
        exit: ref === 'unref' ? [0, null] : 'pending',
        lines: ['armed'], // nothing delivered, nothing failed
      })),
    );
    target.child.kill('SIGKILL');
    await target.exit;
  }, 60_000);

  it('an unref’d wait delivers while something else keeps the loop alive (every wait)', async () => {
    const target = sleeper();
    const runs = APIS.map((api) => ({
      api,
      run: runWait(api, 'unref', 'delivers', target.child.pid as number),
    }));
    await Promise.all(runs.map(({ run }) => run.armed));
    target.child.kill('SIGKILL'); // what the process waits are for; the event sets itself
    const outcomes = await Promise.all(
      runs.map(async ({ api, run }) => {
        const exit = await within(run.exit, 20_000);
        return { api, exit, lines: run.lines };
      }),
    );
    expect(outcomes).toEqual(
      APIS.map((api) => ({
        api,
        exit: [0, null],
        lines: [
          { event: 'armed' },
          {
            event: 'delivered',
            value: api === 'waitForHandle' ? true : expect.objectContaining({ pid: target.child.pid }),
          },
        ],
      })),
    );
    await target.exit;
  }, 60_000);

  it('in this process too: unref’d waits deliver, and ref can be toggled on a pending wait', async () => {
    const target = sleeper();
    const pid = target.child.pid as number;
    const event = createEvent();
    const handle = openProcess(pid, { ref: false });
    const waits = Promise.all([
      waitForExit(pid, { ref: false }),
      getDefaultProactor().waitForProcess(pid, { ref: false }),
      waitForHandle(event.handle, { ref: false }),
      handle.exited,
      watchChild(target.child, { ref: false }).exited,
    ]);
    handle.ref().unref().ref();
    event.set();
    target.child.kill('SIGKILL');
    const [byPid, byProcess, signalled, byHandle, watched] = await waits;
    expect(byPid).toMatchObject({ pid });
    expect(byProcess).toHaveProperty('exitCode');
    expect(signalled).toBe(true);
    expect(byHandle).toMatchObject({ pid });
    expect(watched).toMatchObject({ pid, signalCode: 'SIGKILL' });
    handle.close();
    event.close();
  });
});
