// exitWithParent: a grandchild whose parent is killed exits within 100 ms, the watch keeps no
// process alive, beforeExit and the exit code, a parent gone before the call.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { waitForExit } from '../../lib/child/index.js';
import { exitWithParent, openProcess } from '../../lib/process/index.js';
import { fixturePath, runFixture } from '../support/peers.js';
import { isWindows, underWine } from '../support/platform.js';
import { unusedPid } from '../support/processes.js';

const node = process.execPath;
const script = fixturePath('parent-watch.mjs');

/** Runs parent-watch.mjs <args> as our child, collecting its JSON lines. */
function start(args: string[]): {
  child: ChildProcessByStdio<null, Readable, null>;
  lines: unknown[];
  next: () => Promise<unknown>;
  closed: Promise<unknown[]>;
} {
  const child = spawn(node, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: unknown[] = [];
  let buffered = '';
  let waiter: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, end)));
      buffered = buffered.slice(end + 1);
      waiter?.();
    }
  });
  let read = 0;
  const next = async (): Promise<unknown> => {
    while (read >= lines.length) await new Promise<void>((resolve) => (waiter = resolve));
    return lines[read++];
  };
  return { child, lines, next, closed: once(child, 'close') };
}

// The time from killing the parent to the grandchild's exit, as this process sees it.
const LATENCY_BOUND_MS = 100;

describe('exitWithParent', () => {
  it(`a grandchild whose parent is killed exits within ${LATENCY_BOUND_MS} ms; one that does not watch lives on`, async () => {
    const parent = start(['parent']);
    const parentExit = once(parent.child, 'exit');
    const ready = (await parent.next()) as {
      watcher: number;
      control: number;
      watched: number;
      watching: boolean;
      parent: number;
    };
    // The grandchild watches its own parent (process.ppid), and can.
    expect(ready).toMatchObject({ watched: parent.child.pid, watching: true, parent: parent.child.pid });
    const watcher = openProcess(ready.watcher);
    const control = openProcess(ready.control);
    let exitedAt = 0;
    // Armed before the kill, so the moment of the exit is the moment this wait hears of it.
    const watcherExit = watcher.exited.then((exit) => {
      exitedAt = performance.now();
      return exit;
    });
    const killedAt = performance.now();
    parent.child.kill('SIGKILL');
    const exit = await watcherExit;
    const latency = exitedAt - killedAt;
    console.info(
      `exitWithParent (${underWine ? 'Wine' : process.platform}): the grandchild exited ${latency.toFixed(1)} ms after its parent was killed`,
    );
    // Windows knows a non-child's exit code: exitWithParent's default, 0.
    expect(exit).toEqual({ pid: ready.watcher, exitCode: isWindows ? 0 : null, signalCode: null });
    await parentExit;
    // The control grandchild, the same but not watching, is still there: it was the watch
    // that ended the other (on Windows, not the dead parent's job object).
    expect(control.kill(0)).toBe(true);
    expect(control.kill('SIGKILL')).toBe(true);
    await control.exited;
    watcher.close();
    control.close();
    expect(latency).toBeLessThan(LATENCY_BOUND_MS);
  });

  it('the watch never keeps a process alive: one with nothing else to do exits by itself, code 0', async () => {
    // Its parent, this process, lives on: without the unref'd wait it would run until killed.
    const run = await runFixture('parent-watch.mjs', ['alone'], 30_000);
    expect(run).toMatchObject({ code: 0, signal: null });
    const [report] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(report).toMatchObject({ watched: process.pid, watching: true, code: 0 });
    // From the call to the natural end of the loop: promptly, not after a poll or a timer.
    expect(report?.ms).toBeLessThan(2000);
  });

  it('beforeExit runs, and is awaited, before the exit; the given code is the exit code', async () => {
    const watched = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const watchedExit = once(watched, 'exit');
    const run = start(['before-exit', String(watched.pid), '7']);
    expect(await run.next()).toEqual({ event: 'ready' });
    watched.kill('SIGKILL');
    await watchedExit;
    const exit = await waitForExit(run.child, { timeout: 20_000 });
    expect(exit).toEqual({ pid: run.child.pid, exitCode: 7, signalCode: null });
    await run.closed; // all its output read
    expect(run.lines).toEqual([
      { event: 'ready' },
      { event: 'beforeExit started' },
      { event: 'beforeExit done' },
      { event: 'exit', code: 7 },
    ]);
  });

  it('a process watched that is gone at the call: this one exits on its own, with the code', async () => {
    // A pid nobody has, and one whose process has exited and been reaped.
    const reaped = spawn(node, ['-e', ''], { stdio: 'ignore' });
    await once(reaped, 'close');
    for (const pid of [unusedPid(), reaped.pid as number]) {
      const run = await runFixture('parent-watch.mjs', ['gone', String(pid), '3'], 30_000);
      expect(run).toMatchObject({ code: 3, signal: null });
      expect(
        run.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([
        { event: 'ready', watched: pid, watching: true },
        { event: 'exit', code: 3 },
      ]);
    }
  });

  it('bad options throw synchronously with Node-style codes, and nothing is watched', () => {
    // An explicit pid where another option is tested: the default, process.ppid, is 0 under
    // Wine for a process started from Linux, itself an ERR_INVALID_ARG_VALUE.
    const pid = process.pid;
    const cases: [unknown, string][] = [
      ['yes', 'ERR_INVALID_ARG_TYPE'],
      [null, 'ERR_INVALID_ARG_TYPE'],
      [{ pid: 0 }, 'ERR_INVALID_ARG_VALUE'],
      [{ pid: -5 }, 'ERR_INVALID_ARG_VALUE'],
      [{ pid: 1.5 }, 'ERR_INVALID_ARG_VALUE'],
      [{ pid: '12' }, 'ERR_INVALID_ARG_VALUE'],
      [{ pid, code: '1' }, 'ERR_INVALID_ARG_TYPE'],
      [{ pid, code: 1.5 }, 'ERR_OUT_OF_RANGE'],
      [{ pid, code: 2 ** 33 }, 'ERR_OUT_OF_RANGE'],
      [{ pid, beforeExit: 'cleanup' }, 'ERR_INVALID_ARG_TYPE'],
      [{ pid, timeout: -1 }, 'ERR_OUT_OF_RANGE'],
      [{ pid, timeout: Number.NaN }, 'ERR_OUT_OF_RANGE'],
      [{ pid, timeout: '5' }, 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [options, code] of cases) {
      let thrown: unknown;
      try {
        // Were it accepted, it would watch a process: closed at once, and the test fails.
        exitWithParent(options as never).close();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(options)).toMatchObject({ code });
    }
  });
});
