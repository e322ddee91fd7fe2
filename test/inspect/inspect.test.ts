// listPipes and pipeInfo: who serves a pipe, asked of the OS (lib/inspect).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer, listPipes, pipeInfo } from '../../lib/index.js';
import { useProactor } from '../support/engine.js';
import { closed, listening } from '../support/events.js';
import { isWindows, ourProcessName, underWine } from '../support/platform.js';
import { uniquePipePath } from '../support/pipes.js';

const proactor = useProactor();

async function served(label: string, options: Record<string, unknown> = {}) {
  const path = uniquePipePath(label);
  const server = createServer({ proactor, ...options }, (socket) => socket.destroy());
  await listening(server as never, path);
  return { path, close: () => closed(server as never) };
}

describe('pipeInfo', () => {
  it("says the server's pid and process name: ours, for a server of ours and for node:net's", async () => {
    const ours = await served('info-ours');
    const netPath = uniquePipePath('info-net');
    const net = createNetServer((socket) => socket.destroy());
    await listening(net as never, netPath);
    try {
      for (const path of [ours.path, netPath]) {
        const info = await pipeInfo(path);
        expect(info).toMatchObject({ path, pid: process.pid });
        expect(info.processName).toBe(ourProcessName);
      }
    } finally {
      await ours.close();
      await closed(net as never);
    }
  });

  it('a pipe that does not exist is ENOENT, with the path as its address', async () => {
    const path = uniquePipePath('info-none');
    await expect(pipeInfo(path)).rejects.toMatchObject({ code: 'ENOENT', address: path });
  });

  it('bad arguments throw Node-style errors at the call', () => {
    expect(() => pipeInfo(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => pipeInfo('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => pipeInfo(uniquePipePath('x'), { timeout: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it.runIf(isWindows)('Windows: the instances, and the owner and DACL a server set', async () => {
    const server = await served('info-sddl', { instances: 3, security: { sddl: 'D:P(A;;GA;;;WD)' } });
    try {
      const info = await pipeInfo(server.path);
      // Windows may store GENERIC_ALL as the file rights it maps to (FA).
      expect(info.sddl).toMatch(/D:P\(A;;(GA|FA);;;WD\)/);
      expect(info.owner).toBeTypeOf('string');
      // Wine answers 0 for the counts, which pipeInfo leaves out.
      if (!underWine) expect(info).toMatchObject({ instances: 3, maxInstances: Infinity });
    } finally {
      await server.close();
    }
  });

  it.skipIf(isWindows)("Linux: the socket file's owner and mode (currentUserOnly is 0600)", async () => {
    const server = await served('info-mode', { security: { currentUserOnly: true } });
    try {
      const info = await pipeInfo(server.path);
      expect(info).toMatchObject({ mode: 0o600, uid: process.getuid?.(), gid: process.getgid?.() });
      expect(info.owner).toBeTypeOf('string');
    } finally {
      await server.close();
    }
  });

  it.skipIf(isWindows)(
    'Linux: a path through a symlinked directory finds the server bound under the real one',
    async () => {
      const real = mkdtempSync(join(tmpdir(), 'proactor-test-real-'));
      const link = `${real}-link`;
      symlinkSync(real, link);
      const server = createServer({ proactor }, (socket) => socket.destroy());
      await listening(server as never, join(real, 's.sock'));
      try {
        expect(await pipeInfo(join(link, 's.sock'))).toMatchObject({
          path: join(link, 's.sock'),
          pid: process.pid,
        });
      } finally {
        await closed(server as never);
        rmSync(link, { force: true });
        rmSync(real, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(isWindows)(
    'Linux: a file that is not a socket is ENOTSOCK; a socket file nobody listens on ECONNREFUSED',
    async () => {
      const file = join(tmpdir(), `proactor-test-plain-${process.pid}`);
      closeSync(openSync(file, 'w'));
      try {
        await expect(pipeInfo(file)).rejects.toMatchObject({ code: 'ENOTSOCK', address: file });
      } finally {
        rmSync(file, { force: true });
      }
      // A server gone without removing its socket file (killed): the file stays, nobody listens.
      const path = uniquePipePath('info-stale');
      const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
      expect(spawnSync(process.execPath, ['-e', script]).signal).toBe('SIGKILL');
      try {
        await expect(pipeInfo(path)).rejects.toMatchObject({ code: 'ECONNREFUSED', address: path });
      } finally {
        rmSync(path, { force: true });
      }
    },
  );
});

describe('listPipes', () => {
  it.skipIf(underWine)(
    'lists a pipe we serve, found by a filter, with our pid (Windows: asked with pids: true)',
    async () => {
      const server = await served('list-ours');
      try {
        const name = server.path.slice(server.path.search(/proactor-test-/));
        const pipes = await listPipes({ filter: name, pids: true });
        expect(pipes).toEqual([expect.objectContaining({ path: server.path, pid: process.pid })]);
        expect(pipes[0]?.processName).toBe(ourProcessName);
        if (isWindows)
          expect(pipes[0]).toMatchObject({ instances: expect.any(Number), maxInstances: Infinity });
        const without = await listPipes({ filter: name });
        // Windows tells a pid only to a client: without pids, none is asked.
        if (isWindows) expect(without[0]?.pid).toBeUndefined();
        else expect(without[0]?.pid).toBe(process.pid);
        expect(await listPipes({ filter: `${name}-not-there` })).toEqual([]);
      } finally {
        await server.close();
      }
    },
  );

  it.runIf(underWine)('Wine cannot list pipes: ENOTSUP', async () => {
    await expect(listPipes()).rejects.toMatchObject({ code: 'ENOTSUP', syscall: 'NtQueryDirectoryFile' });
  });

  it('bad options throw ERR_INVALID_ARG_TYPE at the call', () => {
    expect(() => listPipes('x' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => listPipes({ filter: 1 as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => listPipes({ pids: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
