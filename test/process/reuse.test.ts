// Pid reuse: a handle pinned on a process keeps meaning that process after its pid is another's.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openProcess } from '../../lib/process/index.js';
import { fixturePath } from '../support/peers.js';
import { isWindows } from '../support/platform.js';

const node = process.execPath;

/**
 * Why real reuse cannot be staged here, or '' when it can: it needs root (to write
 * ns_last_pid) and `unshare` (a pid namespace of our own), both of which CI's Linux has.
 */
function whyNoNamespace(): string {
  if (isWindows) return 'Windows: see the next test';
  if (process.getuid?.() !== 0) return 'not root: ns_last_pid cannot be written';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (probe.error) return `no unshare: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid --fork --mount-proc failed (status ${probe.status})`;
  return '';
}
const noNamespace = whyNoNamespace();

interface ReuseResult {
  pidOne: boolean;
  aPid: number;
  bPid: number;
  attempts: number;
  aExit: { pid: number };
  exitedBeforeReuse: boolean;
  killSigterm: boolean;
  killSigkill: boolean;
  killZero: boolean;
  lateKill: boolean;
  lateExit: unknown;
  handleStartTime: boolean;
  reopenWithStartTime: string;
  aStartTime: number;
  bStartTime: number;
  bAlive: boolean;
  bState: string;
  bKill: boolean;
  bExit: { pid: number };
  bSignal: string | null;
}

describe('pid reuse', () => {
  // Linux only: Windows has no way to make its pid allocator hand out a given pid (and never
  // reuses one while any handle to the old process is open); the portable proof is below.
  // Skipped only where the machine cannot do it, and the title says why.
  it.skipIf(noNamespace !== '')(
    `Linux, for real in a pid namespace: a handle pinned on A never touches B, which got A's pid${
      noNamespace ? ` (skipped: ${noNamespace})` : ''
    }`,
    async () => {
      const child = spawn(
        'unshare',
        ['--pid', '--fork', '--mount-proc', node, fixturePath('pid-reuse.mjs')],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      const [code] = (await once(child, 'close')) as [number | null];
      clearTimeout(timer);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const result = JSON.parse(stdout) as ReuseResult;

      expect(result.pidOne).toBe(true); // node ran as the namespace's init
      expect(result.bPid, `B was given A's pid (after ${result.attempts} attempts)`).toBe(result.aPid);
      // The handle whose wait ran while A lived said A exited, before the pid was reused.
      expect(result.aExit).toMatchObject({ pid: result.aPid });
      expect(result.exitedBeforeReuse).toBe(true);
      // Every kill through A's handles is refused, and B took none of them: it still sleeps.
      expect(result.killSigterm).toBe(false);
      expect(result.killSigkill).toBe(false);
      expect(result.killZero).toBe(false);
      expect(result.lateKill).toBe(false);
      expect(result.bAlive).toBe(true);
      expect(result.bState).toBe('S');
      // A handle opened on A whose wait starts only now, while B runs under the pid, says A
      // exited (at once: B would have kept it waiting for 60 s).
      expect(result.lateExit).toEqual({ pid: result.aPid, exitCode: null, signalCode: null });
      expect(result.handleStartTime).toBe(true);
      // A stored { pid, startTime } for A refuses B; B, opened by pid alone, started later.
      expect(result.reopenWithStartTime).toBe('ESRCH');
      expect(result.bStartTime).toBeGreaterThan(result.aStartTime);
      // B's own pinned handle does reach B.
      expect(result.bKill).toBe(true);
      expect(result.bExit).toEqual({ pid: result.bPid });
      expect(result.bSignal).toBe('SIGKILL');
    },
  );

  // Both legs. Reuse itself cannot be staged portably (above), so this proves the check that
  // defends against it: openProcess compares the start time the OS reports for the process
  // under the pid now (Windows GetProcessTimes, Linux /proc/<pid>/stat) with the stored one. A
  // live process with a start time one millisecond off is refused as another process would be;
  // the right one is accepted. Then the process exits, and once the OS has forgotten it — no
  // process has the pid, or another one does (Windows keeps an exited process, pid and start
  // time, while anyone holds a handle to it: under Wine about half a second after Node's
  // 'close'; Linux once it is reaped) — the stored { pid, startTime } is refused with ESRCH.
  it('a stored { pid, startTime } opens that process only: a wrong start time and an exited process are ESRCH', async () => {
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const closed = once(child, 'close');
    const pid = child.pid as number;
    const first = openProcess(pid);
    const startTime = first.startTime as number;
    expect(typeof startTime).toBe('number');
    first.close();

    expect(() => openProcess(pid, { startTime: startTime + 1 })).toThrow(
      expect.objectContaining({ code: 'ESRCH', syscall: isWindows ? 'OpenProcess' : 'pidfd_open' }),
    );
    expect(() => openProcess(pid, { startTime: startTime - 1 })).toThrow(
      expect.objectContaining({ code: 'ESRCH' }),
    );
    const again = openProcess(pid, { startTime });
    expect(again.startTime).toBe(startTime);
    expect(again.kill(0)).toBe(true); // the same process, still running
    again.close();

    child.kill('SIGKILL');
    await closed;
    const forgotten = async (): Promise<string> => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        try {
          const now = openProcess(pid);
          now.close();
          if (now.startTime !== startTime) return 'reused';
        } catch (error) {
          return (error as { code?: string }).code ?? String(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return 'still there after 20 s';
    };
    expect(['ESRCH', 'reused']).toContain(await forgotten());
    expect(() => openProcess(pid, { startTime })).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
