// `proactor listen` and `proactor connect`, run as users run them: each its own process, the
// data through their stdin and stdout.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../lib/index.js';
import { closed, listening } from '../support/events.js';
import { fixturePath } from '../support/peers.js';
import { busyServer, uniquePipePath } from '../support/pipes.js';
import { useProactor } from '../support/engine.js';
import { isWindows, underWine } from '../support/platform.js';
import { cliPath, runCli, startCli } from '../support/cli.js';

const proactor = useProactor();

/**
 * Whether process `pid` has ended within a second: gone, or a zombie (it died, and its parent,
 * which may be an init that never reaps, has not collected it). Signalled, it may take a moment.
 */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
      if (!isWindows && /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('proactor listen and connect', () => {
  it(
    '64 MiB from connect to listen, stdin to stdout: the same bytes arrive',
    { timeout: 120_000 },
    async () => {
      const path = uniquePipePath('cli-bulk');
      const data = randomBytes(64 * 1024 * 1024);
      const server = startCli(['listen', path]);
      server.child.stdin.end();
      const client = startCli(['connect', '--wait', '--timeout', '30000', path]);
      client.child.stdin.end(data);
      const [served, connected] = await Promise.all([server.done, client.done]);
      expect({ code: connected.code, stderr: connected.stderr }).toEqual({ code: 0, stderr: '' });
      expect({ code: served.code, stderr: served.stderr }).toEqual({ code: 0, stderr: '' });
      expect(served.stdout.length).toBe(data.length);
      expect(sha256(served.stdout)).toBe(sha256(data));
    },
  );

  it('listen to connect: what listen reads from stdin, connect writes to stdout (Windows: PATH as //./pipe/name)', async () => {
    const path = uniquePipePath('cli-down');
    const data = randomBytes(1024 * 1024);
    const server = startCli(['listen', path]);
    server.child.stdin.end(data);
    // npiperelay's spelling, which a shell passes through unescaped.
    const spelled = isWindows ? path.replace(/\\/g, '/') : path;
    const connected = await runCli(['connect', '--wait', '--timeout', '30000', spelled]);
    const served = await server.done;
    expect([connected.code, served.code]).toEqual([0, 0]);
    expect(sha256(connected.stdout)).toBe(sha256(data));
  });

  it('--keep --exec runs the command for each of three clients in turn, its stdio on the pipe', async () => {
    const path = uniquePipePath('cli-exec');
    const command = `"${process.execPath}" "${fixturePath('upper-case.mjs')}"`;
    const server = startCli(['listen', '--keep', '--exec', command, path]);
    server.child.stdin.end();
    try {
      for (const name of ['one', 'two', 'three']) {
        const run = await runCli(['connect', '--wait', '--timeout', '30000', path], `hello ${name}\n`);
        expect({ code: run.code, stdout: run.stdout.toString(), stderr: run.stderr }).toEqual({
          code: 0,
          stdout: `HELLO ${name.toUpperCase()}\n`,
          stderr: '',
        });
      }
    } finally {
      server.child.kill();
    }
    await server.done;
  });

  it('--keep --exec: a client that leaves while its command runs on does not hold up the next', async () => {
    const path = uniquePipePath('cli-exec-leave');
    // Answers a line, then runs on, ignoring its input's end: stopped once its client has gone.
    const command = `"${process.execPath}" "${fixturePath('upper-case.mjs')}" --linger`;
    const server = startCli(['listen', '--keep', '--exec', command, path]);
    server.child.stdin.end();
    for (const name of ['first', 'second']) {
      const client = startCli(['connect', '--wait', '--timeout', '30000', path]);
      client.child.stdin.write(`${name}\n`);
      await client.printed(`${name.toUpperCase()}\n`);
      // The client goes; its command runs on, until the server stops it.
      client.child.kill('SIGKILL');
      await client.done;
    }
    // Windows ends cmd.exe, and a program it started that ignores its closed stdin and stdout
    // runs on (README): here for its 30 s, holding the stderr it inherited.
    if (isWindows) return;
    // Linux: each command was stopped, in its process group, and so is a stop at SIGTERM.
    server.child.kill('SIGTERM');
    const served = await server.done;
    expect(served.code).toBe(143);
    const pids = [...served.stderr.matchAll(/^pid (\d+)$/gm)].map((match) => Number(match[1]));
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await gone(pid)).toBe(true);
  });

  it('a reader of stdout that goes away (| head) ends connect quietly, exit 0', async () => {
    const path = uniquePipePath('cli-head');
    const server = startCli(['listen', path]);
    // More than any pipe buffer holds, so connect is still writing when its reader goes.
    server.child.stdin.end(randomBytes(8 * 1024 * 1024));
    const client = startCli(['connect', '--wait', '--timeout', '30000', path]);
    client.child.stdin.end();
    await new Promise<void>((resolve) => client.child.stdout.once('data', () => resolve()));
    client.child.stdout.destroy();
    const run = await client.done;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    server.child.kill();
  });

  it('connect to a pipe that does not exist: exit 1 and ENOENT on stderr, one line', async () => {
    const path = uniquePipePath('cli-missing');
    const run = await runCli(['connect', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^proactor connect: .*ENOENT/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('connect --timeout to a busy server: exit 1 with ETIMEDOUT, after about the timeout', async () => {
    const busy = await busyServer(proactor);
    try {
      const started = performance.now();
      const run = await runCli(['connect', '--timeout', '300', busy.path]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^proactor connect: .*ETIMEDOUT/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      busy.dispose();
    }
  });

  // Wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE (DESIGN.md, Wine facts): a taken name is not refused.
  it.skipIf(underWine)('listen on a path another server holds: exit 1 with EADDRINUSE', async () => {
    const path = uniquePipePath('cli-taken');
    const holder = createServer({ proactor });
    await listening(holder as never, path);
    try {
      const run = await runCli(['listen', path]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^proactor listen: .*EADDRINUSE/);
    } finally {
      await closed(holder as never);
    }
  });
});

// The status line needs stdout on a terminal: script(1) gives the command one (a pty). Wine's
// Windows Node has no pty to be given, so the Linux leg runs these; the piped case (no status at
// all) is checked on both legs above, by every run's empty stderr.
describe.skipIf(isWindows)('status line', () => {
  async function underTerminal(args: string[]): Promise<string> {
    const path = uniquePipePath('cli-tty');
    const server = startCli(['listen', path]);
    server.child.stdin.end('from the server');
    const command = [process.execPath, cliPath, ...args, path].map((word) => `'${word}'`).join(' ');
    const shell = spawn('script', ['-q', '-e', '-c', `${command} < /dev/null`, '/dev/null'], {
      stdio: 'pipe',
    });
    let output = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = (await once(shell, 'close')) as [number];
    expect(code).toBe(0);
    await server.done;
    return output;
  }

  it('with stdout on a terminal, connect shows connected, the peer pid and the bytes on stderr', async () => {
    const output = await underTerminal(['connect', '--wait', '--timeout', '30000']);
    expect(output).toContain('from the server');
    expect(output).toMatch(/connected, peer pid \d+: \d+ bytes sent, 15 received/);
  });

  it('--quiet: no status line', async () => {
    const output = await underTerminal(['connect', '--quiet', '--wait', '--timeout', '30000']);
    expect(output).toContain('from the server');
    expect(output).not.toContain('peer pid');
  });
});

// Ctrl-C: SIGINT ends the command cleanly: pending operations cancelled, nothing left running.
// Windows has no way for Node to send another process a Ctrl-C (process.kill ends it with
// TerminateProcess), and Wine delivers no console control events: the Linux leg runs these.
describe.skipIf(isWindows)('Ctrl-C', () => {
  /** The epoll instances of `pid` (`anon_inode:[eventpoll]` in /proc/<pid>/fd). */
  function epolls(pid: number): number {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[eventpoll]';
      } catch {
        return false;
      }
    }).length;
  }

  /** How many epoll instances this Node has of its own once it runs JS (its loops'). */
  async function nodesOwnEpolls(): Promise<number> {
    const plain = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)']);
    try {
      await once(plain.stdout, 'data');
      return epolls(plain.pid as number);
    } finally {
      plain.kill();
    }
  }

  /**
   * Resolves once the command in `pid` has opened its proactor: one epoll instance more than a
   * plain Node has (our engine's reactor, made at the first connect or listen). The command sets
   * its Ctrl-C handling up before that. (Node itself catches SIGINT from its start, to reset the
   * terminal and die by the signal, so /proc's SigCgt can't tell whether that is done.)
   */
  async function engineOpen(pid: number): Promise<void> {
    const own = await nodesOwnEpolls();
    for (let i = 0; i < 400; i++) {
      if (epolls(pid) > own) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${pid} never opened its proactor`);
  }

  it('SIGINT while connect retries a busy server ends it within 1 s', async () => {
    const busy = await busyServer(proactor);
    try {
      const client = startCli(['connect', busy.path]);
      await engineOpen(client.child.pid as number);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(client.child.exitCode).toBe(null);
      const started = performance.now();
      client.child.kill('SIGINT');
      const run = await client.done;
      expect(performance.now() - started).toBeLessThan(1000);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 130, stderr: '' });
    } finally {
      busy.dispose();
    }
  });

  /** listen and connect with data flowing from connect, both inputs left open. */
  async function flowing(label: string) {
    const path = uniquePipePath(label);
    const server = startCli(['listen', path]);
    const client = startCli(['connect', '--wait', '--timeout', '30000', path]);
    client.child.stdin.write(randomBytes(1024 * 1024));
    await new Promise<void>((resolve) => server.child.stdout.once('data', () => resolve()));
    return { server, client };
  }

  it('SIGINT to connect while data flows ends it within 1 s; then SIGINT ends listen within 1 s', async () => {
    const { server, client } = await flowing('cli-sigint-client');
    let started = performance.now();
    client.child.kill('SIGINT');
    const connected = await client.done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect({ code: connected.code, stderr: connected.stderr }).toEqual({ code: 130, stderr: '' });
    // listen has its client's end, and waits for its own input to end too.
    expect(server.child.exitCode).toBe(null);
    started = performance.now();
    server.child.kill('SIGINT');
    const served = await server.done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect({ code: served.code, stderr: served.stderr }).toEqual({ code: 130, stderr: '' });
  });

  it('SIGINT to listen while data flows ends it within 1 s; connect then fails with one line', async () => {
    const { server, client } = await flowing('cli-sigint-server');
    const started = performance.now();
    server.child.kill('SIGINT');
    const served = await server.done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect({ code: served.code, stderr: served.stderr }).toEqual({ code: 130, stderr: '' });
    client.child.stdin.write(randomBytes(1024 * 1024));
    const connected = await client.done;
    expect(connected.code).toBe(1);
    expect(connected.stderr).toMatch(/^proactor connect: .*(EPIPE|ECONNRESET)[^\n]*\n$/);
  });

  it("SIGINT to listen --exec stops the command it runs, and the command's own children", async () => {
    const path = uniquePipePath('cli-sigint-exec');
    // The shell runs a command that ignores its input's end and runs on: a grandchild of ours.
    const command = `"${process.execPath}" -e "console.error('pid', process.pid); setInterval(() => {}, 1000)"; true`;
    const server = startCli(['listen', '--exec', command, path]);
    server.child.stdin.end();
    const client = startCli(['connect', '--wait', '--timeout', '30000', path]);
    await engineOpen(server.child.pid as number);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    server.child.kill('SIGINT');
    const served = await server.done;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(served.code).toBe(130);
    const pid = Number(/^pid (\d+)$/m.exec(served.stderr)?.[1]);
    expect(await gone(pid)).toBe(true);
    client.child.kill();
  });
});
