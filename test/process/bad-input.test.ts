// Bad arguments to the process API: Node's error codes, thrown synchronously (never a
// rejection), and nothing done to any process. (exitWithParent's: exit-with-parent.test.ts.)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createEvent, getDefaultProactor, waitForExit, waitForHandle, watchChild } from '../../lib/index.js';
import type { ChildLike } from '../../lib/index.js';
import { killAndWait, openProcess } from '../../lib/process/index.js';

const node = process.execPath;

/** The error `call` throws synchronously; fails if it returns (and a returned promise is caught). */
function thrownBy(call: () => unknown): unknown {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return error;
  }
  if (value instanceof Promise) value.catch(() => undefined);
  throw new Error(`no synchronous throw; returned ${String(value)}`);
}

const BAD_PIDS = [0, -1, 1.5, Number.NaN, Infinity, 2 ** 40, '12', null, undefined, {}, 10n];

describe('bad input', () => {
  it('openProcess: a bad pid, options, startTime or ref', () => {
    for (const pid of BAD_PIDS) {
      expect(
        thrownBy(() => openProcess(pid as number)),
        String(pid),
      ).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    const pid = process.pid;
    const cases: [unknown, string][] = [
      ['x', 'ERR_INVALID_ARG_TYPE'],
      [null, 'ERR_INVALID_ARG_TYPE'],
      [[], 'ERR_INVALID_ARG_TYPE'],
      [{ startTime: '1' }, 'ERR_INVALID_ARG_TYPE'],
      [{ startTime: null }, 'ERR_INVALID_ARG_TYPE'],
      [{ startTime: -1 }, 'ERR_OUT_OF_RANGE'],
      [{ startTime: Number.NaN }, 'ERR_OUT_OF_RANGE'],
      [{ startTime: Infinity }, 'ERR_OUT_OF_RANGE'],
      [{ ref: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
      [{ ref: 0 }, 'ERR_INVALID_ARG_TYPE'],
      [{ ref: null }, 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [options, code] of cases) {
      expect(
        thrownBy(() => openProcess(pid, options as never)),
        JSON.stringify(options),
      ).toMatchObject({ code });
    }
  });

  it('ProcessHandle.kill: an unknown or out-of-range signal, and the process is untouched', async () => {
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exit = once(child, 'exit');
    const handle = openProcess(child.pid as number);
    const cases: [unknown, string][] = [
      ['SIGFOO', 'ERR_UNKNOWN_SIGNAL'],
      ['sigterm', 'ERR_UNKNOWN_SIGNAL'],
      ['', 'ERR_UNKNOWN_SIGNAL'],
      [null, 'ERR_UNKNOWN_SIGNAL'],
      [{}, 'ERR_UNKNOWN_SIGNAL'],
      [1.5, 'ERR_UNKNOWN_SIGNAL'],
      [Number.NaN, 'ERR_UNKNOWN_SIGNAL'],
      [15n, 'ERR_UNKNOWN_SIGNAL'],
      [-1, 'ERR_OUT_OF_RANGE'],
      [65, 'ERR_OUT_OF_RANGE'],
    ];
    for (const [signal, code] of cases) {
      expect(
        thrownBy(() => handle.kill(signal as never)),
        String(signal),
      ).toMatchObject({ code });
    }
    expect(handle.kill(0)).toBe(true); // still running: nothing was sent
    child.kill('SIGKILL');
    await exit;
    // After the exit a bad signal is still an argument error, not false.
    expect(thrownBy(() => handle.kill('SIGFOO' as never))).toMatchObject({ code: 'ERR_UNKNOWN_SIGNAL' });
    handle.close();
    expect(thrownBy(() => handle.kill('SIGFOO' as never))).toMatchObject({ code: 'ERR_UNKNOWN_SIGNAL' });
  });

  it('killAndWait: a bad target or option throws before anything is sent', async () => {
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exit = once(child, 'exit');
    for (const target of [...BAD_PIDS, { once() {}, exitCode: null }]) {
      expect(
        thrownBy(() => killAndWait(target as never)),
        String(target),
      ).toMatchObject({
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    const cases: [unknown, string][] = [
      [5, 'ERR_INVALID_ARG_TYPE'],
      [null, 'ERR_INVALID_ARG_TYPE'],
      [{ killSignal: 'SIGNOPE' }, 'ERR_UNKNOWN_SIGNAL'],
      [{ killSignal: 99 }, 'ERR_OUT_OF_RANGE'],
      [{ killSignal: 'sigterm' }, 'ERR_UNKNOWN_SIGNAL'],
      [{ killSignal: {} }, 'ERR_UNKNOWN_SIGNAL'],
      [{ escalate: '100' }, 'ERR_INVALID_ARG_TYPE'],
      [{ escalate: -1 }, 'ERR_OUT_OF_RANGE'],
      [{ escalate: Infinity }, 'ERR_OUT_OF_RANGE'],
      [{ timeout: '100' }, 'ERR_INVALID_ARG_TYPE'],
      [{ timeout: Number.NaN }, 'ERR_OUT_OF_RANGE'],
      [{ signal: {} }, 'ERR_INVALID_ARG_TYPE'],
      [{ signal: 'abort' }, 'ERR_INVALID_ARG_TYPE'],
    ];
    const handle = openProcess(child.pid as number);
    for (const target of [child, child.pid as number, handle]) {
      for (const [options, code] of cases) {
        expect(
          thrownBy(() => killAndWait(target, options as never)),
          JSON.stringify(options),
        ).toMatchObject({
          code,
        });
      }
    }
    expect(child.killed).toBe(false);
    expect(handle.kill(0)).toBe(true);
    handle.close();
    child.kill('SIGKILL');
    await exit;
  });

  it('ref on every wait must be a boolean', () => {
    const event = createEvent();
    const pid = process.pid;
    const calls: [string, (ref: unknown) => unknown][] = [
      ['waitForExit(pid)', (ref) => waitForExit(pid, { ref } as never)],
      ['waitForExit(child)', (ref) => waitForExit(spawnedOnce(), { ref } as never)],
      ['waitForProcess', (ref) => getDefaultProactor().waitForProcess(pid, { ref } as never)],
      ['waitForHandle', (ref) => waitForHandle(event.handle, { ref } as never)],
      ['Proactor.waitForHandle', (ref) => getDefaultProactor().waitForHandle(event.handle, { ref } as never)],
      ['watchChild', (ref) => watchChild(pid, { ref } as never)],
      ['openProcess', (ref) => openProcess(pid, { ref } as never)],
    ];
    for (const [name, call] of calls) {
      for (const ref of ['false', 0, 1, null, {}]) {
        expect(
          thrownBy(() => call(ref)),
          `${name} ref: ${String(ref)}`,
        ).toMatchObject({
          code: 'ERR_INVALID_ARG_TYPE',
        });
      }
    }
    event.close();
  });
});

// A ChildProcess-like object that has exited (waitForExit checks options before looking at it).
function spawnedOnce(): ChildLike {
  return { pid: process.pid, exitCode: 0, signalCode: null, once: () => undefined } as unknown as ChildLike;
}
