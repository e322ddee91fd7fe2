// openProcess and ProcessHandle: pinning, start time, the lazy exit wait, kill, close.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openProcess, ProcessHandle } from '../../lib/process/index.js';
import { waitForExit } from '../../lib/child/index.js';
import { isWindows } from '../support/platform.js';
import { unusedPid, within } from '../support/processes.js';

const node = process.execPath;
const OPEN = isWindows ? 'OpenProcess' : 'pidfd_open';

/** A child that runs until killed, and a promise of its exit. */
function sleeper(): { child: ChildProcess; exit: Promise<unknown[]> } {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return { child, exit: once(child, 'exit') };
}

describe('openProcess', () => {
  it('pins a running process: pid, a start time near the spawn, the same start time from every open', async () => {
    const before = Date.now();
    const { child, exit } = sleeper();
    const pid = child.pid as number;
    const handle = openProcess(pid);
    expect(handle).toBeInstanceOf(ProcessHandle);
    expect(handle.pid).toBe(pid);
    expect(handle.closed).toBe(false);
    // Linux counts from /proc/stat's boot time in whole seconds: up to a second off the clock.
    expect(handle.startTime).toBeGreaterThan(before - 5000);
    expect(handle.startTime).toBeLessThan(Date.now() + 5000);
    const again = openProcess(pid);
    expect(again.startTime).toBe(handle.startTime);
    // Our own process started before the child.
    using self = openProcess(process.pid);
    expect(self.startTime).toBeLessThan(handle.startTime as number);
    again.close();
    child.kill('SIGKILL');
    await exit;
    handle.close();
  });

  it('a pid nobody has throws ESRCH, naming the OS call', () => {
    const pid = unusedPid();
    expect(() => openProcess(pid)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: OPEN }));
    expect(() => openProcess(pid, { startTime: 1 })).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

describe('ProcessHandle.exited', () => {
  it('is lazy: nothing waits until it is read; then it resolves with the exit', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number);
    // Read twice: one wait, one promise.
    const exited = handle.exited;
    expect(handle.exited).toBe(exited);
    expect(await within(exited, 300)).toBe('pending');
    child.kill('SIGKILL');
    const result = await exited;
    await exit;
    expect(result.pid).toBe(child.pid);
    // Windows knows any process's exit; Linux a child's that Node has not reaped yet, a race
    // that Node often wins (then both are null).
    if (isWindows) expect(result).toEqual({ pid: child.pid, exitCode: 1, signalCode: null });
    else expect([null, 'SIGKILL']).toContain(result.signalCode);
    handle.close();
  });

  it('read only after the process exited, it resolves at once', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number);
    child.kill('SIGKILL');
    await exit;
    expect(await within(handle.exited, 5000)).toMatchObject({ pid: child.pid });
    handle.close();
  });

  it('close() while it waits rejects it with AbortError, and the process is not touched', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number);
    const exited = handle.exited;
    handle.close();
    await expect(exited).rejects.toMatchObject({ name: 'AbortError' });
    expect(handle.closed).toBe(true);
    handle.close(); // again: a no-op
    expect(() => handle.kill('SIGKILL')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    // A handle closed before its first read rejects at once too.
    await expect(handle.exited).rejects.toMatchObject({ name: 'AbortError' });
    expect(await within(waitForExit(child), 300)).toBe('pending'); // still running
    child.kill('SIGKILL');
    await exit;
  });

  it('[Symbol.dispose] closes it (using)', async () => {
    const { child, exit } = sleeper();
    let seen: ProcessHandle | undefined;
    {
      using handle = openProcess(child.pid as number);
      seen = handle;
      expect(handle.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
    child.kill('SIGKILL');
    await exit;
  });

  it('ref() and unref() return the handle, before and after the wait started', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number, { ref: false });
    expect(handle.ref()).toBe(handle);
    const exited = handle.exited;
    expect(handle.unref()).toBe(handle);
    expect(handle.ref()).toBe(handle);
    child.kill('SIGKILL');
    expect(await exited).toMatchObject({ pid: child.pid });
    expect(handle.unref()).toBe(handle); // after it settled: nothing to do, no throw
    handle.close();
    await exit;
  });
});

describe('ProcessHandle.kill', () => {
  it('sends a signal to the running process and returns true; once it has exited, false for any signal', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number);
    expect(handle.kill(0)).toBe(true); // only asks
    expect(handle.kill('SIGTERM')).toBe(true);
    const result = await handle.exited;
    await exit;
    if (isWindows) {
      // TerminateProcess left exit code 1, which is what Node, which did not kill it, reports;
      // the handle reports its own kill() as Node reports child.kill().
      expect(child.exitCode).toBe(1);
      expect(result).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGTERM' });
    } else {
      expect(child.signalCode).toBe('SIGTERM');
    }
    for (const signal of ['SIGTERM', 'SIGKILL', 'SIGINT', 0, 9] as const) {
      expect(handle.kill(signal), `kill(${signal}) after the exit`).toBe(false);
    }
    handle.close();
  });

  it('on a process that has exited: false, and the other processes running are untouched', async () => {
    const { child: target, exit } = sleeper();
    const handle = openProcess(target.pid as number);
    target.kill('SIGKILL');
    await exit;
    // Another process starts after the first is gone (on Linux pid reuse is staged for real in
    // reuse.test.ts): the dead process's handle reaches nobody.
    const { child: other, exit: otherExit } = sleeper();
    expect(handle.kill('SIGKILL')).toBe(false);
    expect(handle.kill('SIGTERM')).toBe(false);
    expect(await within(otherExit, 300)).toBe('pending');
    expect(other.exitCode).toBe(null);
    expect(other.signalCode).toBe(null);
    other.kill('SIGKILL');
    await otherExit;
    handle.close();
  });

  it.runIf(!isWindows)('on an exited process nobody has reaped yet (a zombie): false (Linux)', async () => {
    // The shell starts `sleep 0.1` in the background, prints its pid, then becomes `sleep 5`,
    // which never reaps it: after 0.1 s the pid names a zombie, which would still take a
    // signal to no effect.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5']);
    const parentExit = once(parent, 'exit');
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    const handle = openProcess(pid);
    await handle.exited;
    expect(handle.kill('SIGTERM')).toBe(false);
    expect(handle.kill(0)).toBe(false);
    handle.close();
    parent.kill();
    await parentExit;
  });

  it('a signal other than the four that end it: Linux sends it; Windows has none, throws ENOSYS and the process runs on', async () => {
    const { child, exit } = sleeper();
    const handle = openProcess(child.pid as number);
    if (isWindows) {
      expect(() => handle.kill('SIGHUP')).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
      expect(handle.kill(0)).toBe(true);
      child.kill('SIGKILL');
      await exit;
    } else {
      expect(handle.kill('SIGHUP')).toBe(true);
      await exit;
      expect(child.signalCode).toBe('SIGHUP');
    }
    handle.close();
  });
});

describe.runIf(!isWindows)('a thread id is no process (Linux)', () => {
  it("openProcess and waitForExit answer ESRCH for a live worker thread's id, and touch nothing", async () => {
    const { Worker } = await import('node:worker_threads');
    const { readdirSync } = await import('node:fs');
    const before = new Set(readdirSync('/proc/self/task'));
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await once(worker, 'online');
    try {
      // Its thread is one of those that came with it (Node starts a few per worker).
      const tids = readdirSync('/proc/self/task')
        .filter((tid) => !before.has(tid))
        .map(Number);
      expect(tids.length).toBeGreaterThan(0);
      const tid = tids[0] as number;
      // Linux 6.15 and later answer ENOENT, earlier kernels EINVAL: both mean no such process.
      expect(() => openProcess(tid)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: OPEN }));
      await expect(waitForExit(tid, { timeout: 5000 })).rejects.toMatchObject({ code: 'ESRCH' });
    } finally {
      await worker.terminate();
    }
  });
});
