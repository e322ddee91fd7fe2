// Linux: pidfd_open on a pid whose process has exited and been reaped while its number is still
// taken — a process group leader whose group lives on. Kernels before the pidfs changes of 2025
// (Linux 6.15) answer EINVAL there, which proactor reads as "exited" (DESIGN L14); later ones
// (this project's CI machine runs 6.18) answer ESRCH, as for any reaped process. The test makes
// that state for real, asks the kernel through the addon's bare pidfd_open (no reading of the
// answer by lib/), and checks that the API says what that answer means.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitForExit } from '../../lib/child/index.js';
import { moduleError } from '../../lib/errors.js';
import { native } from '../../lib/native.js';
import { openProcess } from '../../lib/process/index.js';
import { isWindows } from '../support/platform.js';

/** What pidfd_open(pid, 0) itself answers: 'ok' or the errno's name. */
function rawPidfdOpen(pid: number): string {
  const probe = new native.Process();
  try {
    return probe.open(pid) === 0 ? 'ok' : (moduleError('pidfd_open').code ?? 'unknown');
  } finally {
    probe.close();
  }
}

/** Field 5 of /proc/<pid>/stat: the process group. */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe.runIf(!isWindows)('a reaped group leader whose group lives on (Linux)', () => {
  it('pidfd_open says EINVAL (read as exited) or, on newer kernels, ESRCH (gone): the API agrees', async () => {
    // detached: the shell leads a new session and group; its background sleep stays in that
    // group, and the shell exits at once.
    const leader = spawn('sh', ['-c', 'sleep 30 & echo $!'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const leaderExit = once(leader, 'exit');
    const [line] = (await once(leader.stdout, 'data')) as [Buffer];
    const member = Number(line.toString().trim());
    await leaderExit; // Node has reaped the leader
    const pid = leader.pid as number;
    try {
      // The state: no process has the pid, but it is still the group id of a live group.
      expect(groupOf(member)).toBe(pid);
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(() => process.kill(-pid, 0)).not.toThrow();

      const raw = rawPidfdOpen(pid);
      expect(['EINVAL', 'ESRCH']).toContain(raw);
      console.info(`pidfd_open on a reaped group leader: ${raw}`);
      if (raw === 'EINVAL') {
        // Exited: the waits resolve (not EINVAL), at once; a handle has nothing to signal.
        expect(await waitForExit(pid, { timeout: 5000 })).toEqual({ pid, exitCode: null, signalCode: null });
        const handle = openProcess(pid);
        expect(handle.startTime).toBe(null);
        expect(await handle.exited).toEqual({ pid, exitCode: null, signalCode: null });
        expect(handle.kill('SIGTERM')).toBe(false);
        expect(handle.kill(0)).toBe(false);
        handle.close();
      } else {
        // Gone, as any reaped process: ESRCH from the waits and from openProcess.
        await expect(waitForExit(pid, { timeout: 5000 })).rejects.toMatchObject({ code: 'ESRCH' });
        expect(() => openProcess(pid)).toThrow(
          expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_open' }),
        );
      }
      // Either way a stored start time cannot be this process's.
      expect(() => openProcess(pid, { startTime: 1 })).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      // And the group member, which pidfd_open can pin, is untouched by all that.
      expect(() => process.kill(member, 0)).not.toThrow();
    } finally {
      process.kill(member, 'SIGKILL');
    }
  });
});
