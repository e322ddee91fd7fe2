// What the OS answers only rarely, injected at the one place the addon opens a process
// (OpenProcessObject): Linux's pidfd_open EINVAL, which kernels before 6.15 give for a process
// caught in the middle of its exit (this machine's kernel answers ESRCH there instead, see
// pidfd-einval.test.ts), and Windows' EPERM for a process we may not even wait for.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForExit } from '../../lib/child/index.js';
import { native } from '../../lib/native.js';
import { exitWithParent, openProcess } from '../../lib/process/index.js';
import { isWindows } from '../support/platform.js';

// libuv's number and the OS's own code for each error, on this leg.
const EINVAL = { uv: -22, sys: 22 };
const EPERM = isWindows ? { uv: -4048, sys: 5 /* ERROR_ACCESS_DENIED */ } : { uv: -1, sys: 1 };

function failNextOpen(error: { uv: number; sys: number }): void {
  native.failNextProcessOpen(error.uv, error.sys);
}

/** A child that lives until it is killed. */
async function sleeper(): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return child;
}

afterEach(() => {
  // An injection a test did not use must not reach the next test.
  failNextOpen({ uv: 0, sys: 0 });
});

describe.runIf(!isWindows)("L14: pidfd_open's EINVAL reads as 'already exited' (Linux, injected)", () => {
  it('waitForExit resolves at once instead of rejecting with EINVAL', async () => {
    const child = await sleeper();
    try {
      failNextOpen(EINVAL);
      const started = performance.now();
      // The process the kernel said was exiting: nothing more is known of it.
      expect(await waitForExit(child.pid as number, { timeout: 5000 })).toEqual({
        pid: child.pid,
        exitCode: null,
        signalCode: null,
      });
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('openProcess gives a handle of an exited process: no start time, exited at once, kill() false', async () => {
    const child = await sleeper();
    try {
      failNextOpen(EINVAL);
      const handle = openProcess(child.pid as number);
      expect(handle.startTime).toBe(null);
      expect(await handle.exited).toEqual({ pid: child.pid, exitCode: null, signalCode: null });
      expect(handle.kill('SIGKILL')).toBe(false);
      handle.close();
      // Nothing was sent: the process the kernel did not pin lives on.
      expect(() => process.kill(child.pid as number, 0)).not.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('with a stored startTime it is refused (ESRCH): an exited process cannot be the one stored', async () => {
    const child = await sleeper();
    try {
      const { startTime } = openProcess(child.pid as number);
      failNextOpen(EINVAL);
      expect(() => openProcess(child.pid as number, { startTime: startTime as number })).toThrow(
        expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_open' }),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('EPERM: a process this one may not open (injected)', () => {
  it('openProcess throws EPERM, naming the OS call', async () => {
    const child = await sleeper();
    try {
      failNextOpen(EPERM);
      expect(() => openProcess(child.pid as number)).toThrow(
        expect.objectContaining({ code: 'EPERM', syscall: isWindows ? 'OpenProcess' : 'pidfd_open' }),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exitWithParent watches nothing, says so with a warning, and does not exit', async () => {
    const child = await sleeper();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      failNextOpen(EPERM);
      const watchdog = exitWithParent({ pid: child.pid as number });
      expect(watchdog.watching).toBe(false);
      expect(watchdog.pid).toBe(child.pid);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings).toEqual([expect.objectContaining({ code: 'PROACTOR_PARENT_UNWATCHED' })]);
      watchdog.close();
      // The watched process's exit now changes nothing: this test's process is still here.
      child.kill('SIGKILL');
      await once(child, 'exit');
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('warning', onWarning);
      child.kill('SIGKILL');
    }
  });
});
