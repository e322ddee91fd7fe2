// Handles that came from elsewhere (adoptHandle) and half-close (shutdownWrite).
import { execFileSync } from 'node:child_process';
import { constants, openSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
import { connectedPair, readExactly, uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

const proactor = useProactor();

describe('adoptHandle', () => {
  it.runIf(!isWindows)(
    'takes over an OS pipe and does I/O on it (Linux: a FIFO opened read-write)',
    async () => {
      const path = uniquePipePath('fifo');
      execFileSync('mkfifo', [path]);
      try {
        const fd = openSync(path, constants.O_RDWR);
        const pipe = proactor.adoptHandle(fd, path);
        await proactor.send(pipe, Buffer.from('through the fifo'));
        expect((await readExactly(proactor, pipe, 16)).toString()).toBe('through the fifo');
        proactor.closeHandle(pipe);
      } finally {
        rmSync(path, { force: true });
      }
    },
  );

  it('refuses something that is not an open pipe, with a system error, and leaves it alone', () => {
    // A handle value that is not open on either platform.
    expect(() => proactor.adoptHandle(isWindows ? 0x7ff0 : 1_000_000)).toThrow(
      expect.objectContaining({
        syscall: isWindows ? 'GetNamedPipeInfo' : 'fcntl',
        errno: expect.any(Number),
      }),
    );
  });

  it('validates its argument', () => {
    expect(() => proactor.adoptHandle('3' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.adoptHandle(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => proactor.adoptHandle(-1n)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('shutdownWrite (half-close)', () => {
  it.runIf(!isWindows)('the peer reads EOF while this end can still read (Linux)', async () => {
    const { server, client } = await connectedPair(proactor, 'half');
    await proactor.send(client, Buffer.from('request'));
    proactor.shutdownWrite(client);
    expect((await readExactly(proactor, server, 7)).toString()).toBe('request');
    expect(await proactor.recv(server, Buffer.alloc(8))).toBe(0);
    await proactor.send(server, Buffer.from('reply'));
    expect((await readExactly(proactor, client, 5)).toString()).toBe('reply');
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it.runIf(isWindows)('is ENOTSUP on Windows byte pipes, which cannot half-close', async () => {
    const { server, client } = await connectedPair(proactor, 'half-win');
    expect(() => proactor.shutdownWrite(client)).toThrow(expect.objectContaining({ code: 'ENOTSUP' }));
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });
});
