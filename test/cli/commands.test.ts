// `proactor wait`, `pipes` and `info`, and the conventions every command keeps: --help,
// --version, exit 2 with the usage text for bad usage.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../lib/index.js';
import { useProactor } from '../support/engine.js';
import { closed, listening } from '../support/events.js';
import { isWindows, ourProcessName, underWine } from '../support/platform.js';
import { uniquePipePath } from '../support/pipes.js';
import { unusedPid } from '../support/processes.js';
import { cliPath, runCli, startCli } from '../support/cli.js';

const proactor = useProactor();

/** A server of ours on a fresh pipe, for the commands to find. */
async function ourServer(label: string): Promise<{ path: string; close(): Promise<void> }> {
  const path = uniquePipePath(label);
  const server = createServer({ proactor }, (socket) => socket.destroy());
  await listening(server as never, path);
  return { path, close: () => closed(server as never) };
}

describe('proactor wait', () => {
  it('waiting for a process that exits with 7 exits with 7, and says so', async () => {
    if (isWindows) {
      // Windows knows any process's exit code (GetExitCodeProcess).
      // Long enough for the command to start and pin it first (else the runner reaps it: ESRCH).
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(7), 2000)']);
      const run = await runCli(['wait', String(child.pid)]);
      expect({ code: run.code, stdout: run.stdout.toString() }).toEqual({
        code: 7,
        stdout: `${child.pid} exited with code 7\n`,
      });
      return;
    }
    // Linux tells an exit code to the parent only: the shell execs the command, which so
    // becomes the parent of the process it waits for.
    const shell = spawn('sh', [
      '-c',
      `(sleep 0.3; exit 7) & exec "${process.execPath}" "${cliPath}" wait --json $!`,
    ]);
    let stdout = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const [code] = (await once(shell, 'close')) as [number];
    expect(code).toBe(7);
    expect(JSON.parse(stdout)).toMatchObject({ exitCode: 7, signalCode: null });
  });

  it.skipIf(isWindows)(
    'Linux: a process that is not its child: the exit is reported, its code unknown, exit 0',
    async () => {
      // Long enough for the command to start and pin it first (else the runner reaps it: ESRCH).
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(7), 2000)']);
      const run = await runCli(['wait', String(child.pid)]);
      expect(run.code).toBe(0);
      expect(run.stdout.toString()).toBe(`${child.pid} exited (its exit code is unknown: not our child)\n`);
    },
  );

  it('--timeout: exit 1 with ETIMEDOUT on stderr', async () => {
    const run = await runCli(['wait', '--timeout', '200', String(process.pid)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^proactor wait: .*ETIMEDOUT/);
  });

  it('--any returns at the first exit; all (the default) waits for every one', async () => {
    const quick = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2000)']);
    const slow = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const any = await runCli(['wait', '--any', '--json', String(quick.pid), String(slow.pid)]);
      expect(any.code).toBe(0);
      expect(
        any.stdout
          .toString()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).pid),
      ).toEqual([quick.pid]);
      const all = runCli(['wait', String(process.pid), String(slow.pid), '--timeout', '300']);
      expect((await all).stderr).toMatch(/ETIMEDOUT/);
    } finally {
      slow.kill();
    }
  });

  it('a pid with no process: exit 1 with ESRCH', async () => {
    const run = await runCli(['wait', String(unusedPid())]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^proactor wait: .*ESRCH/);
  });
});

describe('proactor pipes and info', () => {
  // Wine cannot list \\.\pipe\ (NtQueryDirectoryFile answers STATUS_BAD_DEVICE_TYPE): ENOTSUP.
  it.skipIf(underWine)('pipes lists a pipe this test serves, with this process id', async () => {
    const server = await ourServer('cli-list');
    try {
      const name = server.path.slice(server.path.search(/proactor-test-/));
      const run = await runCli(['pipes', '--pids', '--json', name]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.toString())).toEqual([
        expect.objectContaining({ path: server.path, pid: process.pid }),
      ]);
      const table = await runCli(['pipes', name]);
      expect(table.stdout.toString()).toContain(server.path);
    } finally {
      await server.close();
    }
  });

  it.runIf(underWine)('Wine: pipes says it cannot list pipes (ENOTSUP), exit 1', async () => {
    const run = await runCli(['pipes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^proactor pipes: .*ENOTSUP/);
  });

  it("info shows the server's pid and process name", async () => {
    const server = await ourServer('cli-info');
    try {
      const run = await runCli(['info', '--json', server.path]);
      expect(run.code).toBe(0);
      const info = JSON.parse(run.stdout.toString());
      expect(info).toMatchObject({ path: server.path, pid: process.pid });
      expect(info.processName).toBe(ourProcessName);
      const text = await runCli(['info', server.path]);
      expect(text.stdout.toString()).toMatch(new RegExp(`^pid:\\s+${process.pid}$`, 'm'));
    } finally {
      await server.close();
    }
  });

  it('listen --current-user-only makes a pipe only its user may open: info shows it', async () => {
    const path = uniquePipePath('cli-private');
    const server = startCli(['listen', '--current-user-only', path]);
    server.child.stdin.end();
    let run = await runCli(['info', '--json', path]);
    for (let i = 0; i < 100 && run.code !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await runCli(['info', '--json', path]);
    }
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout.toString());
    expect(info.pid).toBe(server.child.pid);
    // Windows: a protected DACL with one entry, the user's (full control); Linux: mode 0600.
    if (isWindows) expect(info.sddl).toMatch(/D:P\(A;;(GA|FA);;;S-1-5-[-\d]+\)$/);
    else expect(info.mode).toBe(0o600);
  });

  it('info on a pipe nobody serves: exit 1 with ENOENT', async () => {
    const run = await runCli(['info', uniquePipePath('cli-none')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^proactor info: .*ENOENT/);
  });
});

describe('usage', () => {
  it('--version prints the version; --help and each command --help print their usage, exit 0', async () => {
    const { version } = await import('../../lib/index.js');
    expect((await runCli(['--version'])).stdout.toString()).toBe(`${version()}\n`);
    for (const args of [
      ['--help'],
      ...['listen', 'connect', 'wait', 'pipes', 'info'].map((c) => [c, '--help']),
    ]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout.toString()).toMatch(/^Usage: proactor/);
    }
  });

  it.each([
    [[], 'proactor: a command is missing'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['toString'], "unknown command 'toString'"],
    [['wait', '99999999999'], 'must be a positive integer process id'],
    [['connect'], 'PATH is missing'],
    [['connect', '--bogus', 'x'], "Unknown option '--bogus'"],
    [['wait', 'abc'], "PID must be a whole number >= 1, not 'abc'"],
    [['wait', '--timeout=-5', '1'], '--timeout must be a whole number'],
    [['wait', '--timeout', '1'], 'PID is missing'],
    [['listen', '--instances', '0', 'x'], '--instances must be a whole number from 1 to 255'],
  ])('bad usage %j: exit 2, the problem and the usage text on stderr', async (args, problem) => {
    const run = await runCli(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toMatch(/Usage: proactor/);
    expect(run.stdout.length).toBe(0);
  });
});
