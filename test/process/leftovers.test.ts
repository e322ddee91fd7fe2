// What a call leaves behind when it ends early, and delays Node's timers cannot keep: found in
// review. A killAndWait that times out stops its own wait; waitForExit(child) is not ended by
// the child's 'error'; a delay past 2^31-1 ms is refused instead of firing at once; a process
// with no visible parent is not watched.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { getDefaultProactor } from '../../lib/proactor.js';
import { waitForExit } from '../../lib/child/index.js';
import { exitWithParent, killAndWait, openProcess } from '../../lib/process/index.js';
import { isWindows } from '../support/platform.js';

const node = process.execPath;
const distEntry = fileURLToPath(new URL('../../dist/index.mjs', import.meta.url));

/** Whether a pid namespace of our own can be made here (root and unshare; CI's Linux has both). */
function canUnshare(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;
}
const TOO_LONG = 2 ** 31; // Node's timers would fire this after 1 ms (TimeoutOverflowWarning)

function sleeper() {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  // Not events.once, which an 'error' would reject.
  return { child, exit: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

describe('leftovers', () => {
  it('killAndWait(child) that times out stops its wait: nothing of it stays pending', async () => {
    const { child, exit } = sleeper();
    await once(child, 'spawn');
    const pendingBefore = getDefaultProactor().stats().pending;
    // killSignal 0 sends nothing, so only the timeout can end it.
    await expect(killAndWait(child, { killSignal: 0, timeout: 200 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    await vi.waitFor(() => expect(getDefaultProactor().stats().pending).toBe(pendingBefore), {
      timeout: 5000,
    });
    expect(child.exitCode).toBe(null); // the process itself was left alone
    child.kill('SIGKILL');
    await exit;
  });

  it("waitForExit(child) is not ended by the child's 'error' (a failed send() or kill()): it waits for the exit", async () => {
    const { child, exit } = sleeper();
    await once(child, 'spawn');
    const errors: Error[] = [];
    child.on('error', (error) => errors.push(error));
    const waiting = waitForExit(child);
    let settled = false;
    void waiting.then(
      () => (settled = true),
      () => (settled = true),
    );
    // What Node emits for a failed send() or kill(): the child runs on.
    child.emit('error', new Error('a send() after disconnect'));
    expect(errors.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    child.kill('SIGKILL');
    await exit;
    expect(await waiting).toMatchObject({ pid: child.pid, exitCode: null, signalCode: 'SIGKILL' });
  });

  it('a delay past 2^31-1 ms is ERR_OUT_OF_RANGE, thrown, not a timer that fires at once', () => {
    const out = expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' });
    expect(() => killAndWait(process.pid, { escalate: TOO_LONG })).toThrow(out);
    expect(() => killAndWait(process.pid, { timeout: TOO_LONG })).toThrow(out);
    expect(() => waitForExit(process.pid, { timeout: TOO_LONG })).toThrow(out);
    expect(() => getDefaultProactor().waitForProcess(process.pid, { timeout: TOO_LONG })).toThrow(out);
    expect(() => exitWithParent({ pid: process.pid, timeout: TOO_LONG })).toThrow(out);
    // The largest a timer keeps is accepted.
    const handle = openProcess(process.pid);
    const aborted = new AbortController();
    const waiting = killAndWait(handle, {
      killSignal: 0,
      escalate: 2 ** 31 - 1,
      timeout: 2 ** 31 - 1,
      signal: aborted.signal,
    });
    aborted.abort();
    handle.close();
    return expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });

  // Linux: PID 1 of a pid namespace of its own sees getppid() 0, as a container's main process
  // does. Windows: the leg under Wine has it already (this process's parent is no Windows
  // process); on real Windows no process of ours has a ppid of 0, and there it cannot run.
  const noParentHere = isWindows ? process.ppid === 0 : canUnshare();
  it.runIf(noParentHere)(
    'with no visible parent (process.ppid 0: PID 1 of a pid namespace, or under Wine) nothing is watched, and a warning says so',
    async () => {
      if (isWindows) {
        // This process itself: its ppid is 0 here, and nothing is watched, so it cannot exit.
        const warnings: Error[] = [];
        const onWarning = (warning: Error): void => void warnings.push(warning);
        process.on('warning', onWarning);
        try {
          const dog = exitWithParent();
          expect(dog).toMatchObject({ pid: 0, watching: false });
          dog.close();
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(warnings).toEqual([expect.objectContaining({ code: 'PROACTOR_PARENT_UNWATCHED' })]);
        } finally {
          process.off('warning', onWarning);
        }
        return;
      }
      const source = [
        `import { exitWithParent } from ${JSON.stringify(pathToFileURL(distEntry).href)};`,
        "process.on('warning', (w) => console.log(JSON.stringify({ warning: w.code })));",
        'const dog = exitWithParent();',
        'console.log(JSON.stringify({ ppid: process.ppid, pid: dog.pid, watching: dog.watching }));',
      ].join('\n');
      const run = spawnSync(
        'unshare',
        ['--pid', '--fork', '--mount-proc', node, '--input-type=module', '-e', source],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(run.status).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual({ ppid: 0, pid: 0, watching: false });
      expect(lines).toContainEqual({ warning: 'PROACTOR_PARENT_UNWATCHED' });
    },
  );
});
