// killAndWait: signal, escalate, time out, abort; on a ChildProcess, an execa child, a pid, a
// ProcessHandle, and a process that already exited.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { waitForExit } from '../../lib/child/index.js';
import { killAndWait, openProcess } from '../../lib/process/index.js';
import { fixturePath } from '../support/peers.js';
import { isWindows } from '../support/platform.js';
import { unusedPid, within } from '../support/processes.js';

const node = process.execPath;

/** A child that runs until killed, and a promise of its exit. */
function sleeper(script = 'setInterval(() => {}, 1000)'): {
  child: ChildProcessByStdio<null, Readable, null>;
  exit: Promise<unknown[]>;
} {
  const child = spawn(node, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  return { child, exit: once(child, 'exit') };
}

/** A running process that is not our child (spawn-orphan.mjs's grandchild), by pid. */
async function orphan(): Promise<number> {
  const { stdout } = await execa(node, [fixturePath('spawn-orphan.mjs'), '60000']);
  return Number(stdout.trim());
}

describe('killAndWait', () => {
  it('a ChildProcess: SIGTERM, resolved once Node has its exit', async () => {
    const { child } = sleeper();
    const result = await killAndWait(child);
    expect(result).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGTERM' });
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('a child that ignores SIGTERM: Linux escalates to SIGKILL after `escalate` ms; Windows ends it on the first signal', async () => {
    const { child } = sleeper(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    );
    await once(child.stdout, 'data'); // its SIGTERM handler is in place
    const started = performance.now();
    const result = await killAndWait(child, { escalate: 1000, timeout: 20_000 });
    if (isWindows) {
      // TerminateProcess ends it at once: no escalation was needed, and Node reports the signal
      // it was asked to send.
      expect(result).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGTERM' });
    } else {
      expect(result).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGKILL' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    }
  });

  it('escalation on a pid (pinned first) and on a ProcessHandle', async () => {
    const script = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)";
    const byPid = sleeper(script);
    const byHandle = sleeper(script);
    await Promise.all([once(byPid.child.stdout, 'data'), once(byHandle.child.stdout, 'data')]);
    const handle = openProcess(byHandle.child.pid as number);
    const results = await Promise.all([
      killAndWait(byPid.child.pid as number, { escalate: 200 }),
      killAndWait(handle, { escalate: 200 }),
    ]);
    await Promise.all([byPid.exit, byHandle.exit]);
    if (isWindows) {
      // TerminateProcess on the first signal; the handle reports it as the signal, while Node,
      // which did not kill them, sees exit code 1.
      expect(results.map((result) => result.signalCode)).toEqual(['SIGTERM', 'SIGTERM']);
      expect([byPid.child.exitCode, byHandle.child.exitCode]).toEqual([1, 1]);
    } else {
      expect([byPid.child.signalCode, byHandle.child.signalCode]).toEqual(['SIGKILL', 'SIGKILL']);
    }
    expect(results.map((result) => result.pid)).toEqual([byPid.child.pid, byHandle.child.pid]);
    expect(handle.closed).toBe(false); // the caller's handle stays the caller's
    handle.close();
  });

  it('an execa child', async () => {
    // No stdio pipes: under Wine on a loaded machine, a child terminated right after it started
    // can leave its pipes open, and execa's promise, which waits for them, then never settles
    // (killAndWait itself had resolved).
    const child = execa(node, ['-e', 'setInterval(() => {}, 1000)'], { reject: false, stdio: 'ignore' });
    const result = await killAndWait(child);
    expect(result).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGTERM' });
    expect(await child).toMatchObject({ signal: 'SIGTERM', isTerminated: true });
  });

  it('a pid that is not our child', async () => {
    const pid = await orphan();
    const watch = openProcess(pid);
    const result = await killAndWait(pid, { timeout: 20_000 });
    // Linux cannot read a non-child's exit; on Windows the handle's own TerminateProcess is
    // reported as the signal, as Node reports child.kill().
    expect(result).toEqual({ pid, exitCode: null, signalCode: isWindows ? 'SIGTERM' : null });
    expect(watch.kill(0)).toBe(false); // it is really gone
    watch.close();
  });

  it('a ProcessHandle: signalled through it, its exited awaited, left open', async () => {
    const pid = await orphan();
    const handle = openProcess(pid);
    const result = await killAndWait(handle, { killSignal: 'SIGKILL', timeout: 20_000 });
    expect(result).toEqual({ pid, exitCode: null, signalCode: isWindows ? 'SIGKILL' : null });
    expect(await handle.exited).toBe(result);
    expect(handle.closed).toBe(false);
    expect(handle.kill(0)).toBe(false);
    handle.close();
  });

  it('a process that already exited resolves with its exit, and sends nothing', async () => {
    const child = spawn(node, ['-e', 'process.exit(4)'], { stdio: 'ignore' });
    const handle = openProcess(child.pid as number);
    await once(child, 'exit');
    expect(await killAndWait(child)).toEqual({ pid: child.pid, exitCode: 4, signalCode: null });
    expect(child.killed).toBe(false);
    // Its handle too: kill() says false, and the exit is the handle's.
    const byHandle = await killAndWait(handle, { killSignal: 'SIGKILL', escalate: 0 });
    expect(byHandle).toMatchObject({ pid: child.pid, signalCode: null });
    if (isWindows) expect(byHandle.exitCode).toBe(4);
    handle.close();
  });

  it('a pid nobody has rejects ESRCH', async () => {
    await expect(killAndWait(unusedPid())).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it('timeout: with killSignal 0 nothing is sent, so it rejects ETIMEDOUT and the process runs on', async () => {
    const { child, exit } = sleeper();
    const started = performance.now();
    await expect(killAndWait(child, { killSignal: 0, timeout: 300 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      syscall: 'waitpid',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    // By pid and by handle alike.
    await expect(killAndWait(child.pid as number, { killSignal: 0, timeout: 100 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    const handle = openProcess(child.pid as number);
    await expect(killAndWait(handle, { killSignal: 0, timeout: 100 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    expect(handle.kill(0)).toBe(true);
    expect(await within(exit, 300)).toBe('pending');
    handle.close();
    child.kill('SIGKILL');
    await exit;
  });

  it('an already-aborted signal rejects AbortError before anything is sent: the process lives', async () => {
    const { child, exit } = sleeper();
    const controller = new AbortController();
    controller.abort(new Error('never mind'));
    const handle = openProcess(child.pid as number);
    for (const target of [child, child.pid as number, handle]) {
      await expect(
        killAndWait(target, { killSignal: 'SIGKILL', signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError', cause: { message: 'never mind' } });
    }
    expect(child.killed).toBe(false);
    expect(await within(exit, 500)).toBe('pending');
    expect(handle.kill(0)).toBe(true);
    handle.close();
    child.kill('SIGKILL');
    await exit;
  });

  it('aborting while it waits rejects AbortError; the process is left as it is', async () => {
    const { child, exit } = sleeper();
    const controller = new AbortController();
    const waiting = killAndWait(child, { killSignal: 0, signal: controller.signal });
    expect(await within(waiting, 200)).toBe('pending');
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', cause: { message: 'stop' } });
    expect(await within(exit, 300)).toBe('pending');
    // Aborting after a SIGTERM that was ignored: no escalation follows the abort.
    const { child: stubborn, exit: stubbornExit } = sleeper(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    );
    await once(stubborn.stdout, 'data');
    if (!isWindows) {
      const stop = new AbortController();
      const stubbornWait = killAndWait(stubborn, { escalate: 300, signal: stop.signal });
      stop.abort();
      await expect(stubbornWait).rejects.toMatchObject({ name: 'AbortError' });
      expect(await within(stubbornExit, 800)).toBe('pending'); // no SIGKILL came at 300 ms
    }
    stubborn.kill('SIGKILL');
    child.kill('SIGKILL');
    await Promise.all([exit, stubbornExit]);
  });

  it('a Windows child killed by child.kill(): waitForExit(child) and killAndWait(child) report the signal', async () => {
    const first = sleeper();
    const waiting = waitForExit(first.child);
    first.child.kill();
    expect(await waiting).toEqual({ pid: first.child.pid, exitCode: null, signalCode: 'SIGTERM' });
    const second = sleeper();
    expect(await killAndWait(second.child)).toEqual({
      pid: second.child.pid,
      exitCode: null,
      signalCode: 'SIGTERM',
    });
    expect([first.child.exitCode, second.child.exitCode]).toEqual([null, null]);
  });
});
