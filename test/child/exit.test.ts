// waitForExit, watchChild and spawn: exits of children and of processes that are not ours.
import { spawn as nodeSpawn } from 'node:child_process';
import { once } from 'node:events';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { spawn, waitForExit, watchChild } from '../../lib/child/index.js';
import { fixturePath } from '../support/peers.js';
import { isWindows } from '../support/platform.js';
import { unusedPid } from '../support/processes.js';

const node = process.execPath;
const orphanScript = fixturePath('spawn-orphan.mjs');

describe('waitForExit', () => {
  it('a child that exits with code 7', async () => {
    const child = nodeSpawn(node, ['-e', 'setTimeout(() => process.exit(7), 100)']);
    expect(await waitForExit(child)).toEqual({ pid: child.pid, exitCode: 7, signalCode: null });
  });

  it('an execa subprocess works the same', async () => {
    const child = execa(node, ['-e', 'process.exit(3)'], { reject: false });
    expect(await waitForExit(child)).toMatchObject({ pid: child.pid, exitCode: 3 });
    await child;
  });

  it('a process that is not our child: its exit is observed', async () => {
    const { stdout } = await execa(node, [orphanScript, '1200']);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const started = performance.now();
    const exit = await waitForExit(pid, { timeout: 20_000 });
    expect(performance.now() - started).toBeGreaterThan(200);
    // Windows can read any process's exit code; Linux only a child's.
    expect(exit).toEqual(
      isWindows ? { pid, exitCode: 5, signalCode: null } : { pid, exitCode: null, signalCode: null },
    );
  });

  it('a child that already exited resolves at once', async () => {
    const child = nodeSpawn(node, ['-e', 'process.exit(4)']);
    await once(child, 'exit');
    const started = performance.now();
    expect(await waitForExit(child)).toEqual({ pid: child.pid, exitCode: 4, signalCode: null });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it.runIf(!isWindows)(
    'a pid whose process already exited (a zombie nobody reaps) resolves at once (Linux)',
    async () => {
      // The shell starts `sleep 0.1` in the background, prints its pid, then becomes `sleep 5`,
      // which never reaps it: after 0.1 s the pid names an exited, unreaped process.
      const parent = nodeSpawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5']);
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const pid = Number(line.toString().trim());
      await new Promise((resolve) => setTimeout(resolve, 400));
      const started = performance.now();
      expect(await waitForExit(pid)).toEqual({ pid, exitCode: null, signalCode: null });
      expect(performance.now() - started).toBeLessThan(100);
      parent.kill();
      await once(parent, 'exit');
    },
  );

  it('a child killed by a signal reports it', async () => {
    const child = nodeSpawn(node, ['-e', 'setInterval(() => {}, 1000)']);
    const waiting = waitForExit(child);
    child.kill('SIGKILL');
    const exit = await waiting;
    // On Windows too: a ChildProcess's exit is reported as Node saw it (TerminateProcess leaves
    // exit code 1 in the OS, which Node reports as the signal it was asked to send).
    expect(exit).toEqual({ pid: child.pid, exitCode: null, signalCode: 'SIGKILL' });
    expect(exit).toEqual({ pid: child.pid, exitCode: child.exitCode, signalCode: child.signalCode });
  });

  it('waitForExit(child) and spawn().exited settle only after the child has its exitCode (15 tries each)', async () => {
    const early: string[] = [];
    for (let i = 0; i < 15; i++) {
      const child = nodeSpawn(node, ['-e', 'process.exit(3)']);
      const exit = await waitForExit(child);
      if (child.exitCode === null) early.push(`waitForExit try ${i}`);
      expect(exit).toEqual({ pid: child.pid, exitCode: 3, signalCode: null });
      const spawned = spawn(node, ['-e', 'process.exit(4)']);
      const result = await spawned.exited;
      if (spawned.exitCode === null) early.push(`spawn try ${i}`);
      expect(result).toEqual({ pid: spawned.pid, exitCode: 4, signalCode: null });
    }
    expect(early).toEqual([]);
    // 30 processes one after another: under Wine on a loaded machine that alone can take 30 s.
  }, 120_000);

  it('a pid nobody has rejects with ESRCH', async () => {
    await expect(waitForExit(unusedPid())).rejects.toMatchObject({ code: 'ESRCH', syscall: 'waitpid' });
  });

  it('abort rejects with AbortError at once; timeout rejects with ETIMEDOUT', async () => {
    const child = nodeSpawn(node, ['-e', 'setInterval(() => {}, 1000)']);
    const controller = new AbortController();
    const waiting = waitForExit(child.pid as number, { signal: controller.signal });
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', cause: { message: 'enough' } });
    const started = performance.now();
    await expect(waitForExit(child, { timeout: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    child.kill();
    await once(child, 'exit');
  });

  it('a pid that is not a positive integer is ERR_INVALID_ARG_VALUE', () => {
    for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 40, '12', null]) {
      expect(() => waitForExit(pid as number)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
  });

  it('bad options throw synchronously for a child as for a pid (DESIGN §4)', async () => {
    const child = nodeSpawn(node, ['-e', 'setTimeout(() => {}, 200)']);
    for (const target of [child, process.pid]) {
      expect(() => waitForExit(target, { timeout: -1 })).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => waitForExit(target, { signal: 'no' as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
    }
    await waitForExit(child);
  });
});

describe('watchChild', () => {
  it("emits 'exit' with the code and resolves exited", async () => {
    const child = nodeSpawn(node, ['-e', 'process.exit(2)']);
    const watcher = watchChild(child);
    const [exitCode, signalCode] = (await once(watcher, 'exit')) as [number, string | null];
    expect([exitCode, signalCode]).toEqual([2, null]);
    expect(await watcher.exited).toEqual({ pid: child.pid, exitCode: 2, signalCode: null });
  });

  it('close() stops watching: exited rejects with AbortError and no exit event follows', async () => {
    const child = nodeSpawn(node, ['-e', 'setTimeout(() => {}, 300)']);
    const watcher = watchChild(child);
    let exits = 0;
    watcher.on('exit', () => exits++);
    watcher.close();
    await expect(watcher.exited).rejects.toMatchObject({ name: 'AbortError' });
    await once(child, 'exit');
    expect(exits).toBe(0);
  });
});

describe('spawn', () => {
  it('gives child_process.spawn an exited promise', async () => {
    const child = spawn(node, ['-e', 'process.stdout.write("hi"); process.exit(3)']);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await child.exited).toEqual({ pid: child.pid, exitCode: 3, signalCode: null });
    expect(out).toBe('hi');
  });

  it('timeout kills the child and rejects exited with ETIMEDOUT once it is gone', async () => {
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { timeout: 200 });
    await expect(child.exited).rejects.toMatchObject({ code: 'ETIMEDOUT', syscall: 'spawn' });
    expect(child.exitCode !== null || child.signalCode !== null || child.killed).toBe(true);
  });

  it('abort kills the child and rejects exited with AbortError', async () => {
    const controller = new AbortController();
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(child.exited).rejects.toMatchObject({ name: 'AbortError' });
    expect(child.killed).toBe(true);
  });

  it('a command that does not exist rejects exited with ENOENT', async () => {
    const child = spawn('proactor-no-such-command-here');
    await expect(child.exited).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('bad options are Node-style errors', () => {
    expect(() => spawn(node, [], { timeout: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => spawn(node, [], { signal: 'x' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
