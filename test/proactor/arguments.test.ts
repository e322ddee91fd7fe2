// Bad input gets Node-style errors, thrown synchronously for argument errors — never a crash,
// a hang or a native assertion.
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
import { connectedPair, uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

const proactor = useProactor();
const other = useProactor();

const tooLong = isWindows ? `\\\\.\\pipe\\${'x'.repeat(260)}` : `/tmp/${'x'.repeat(120)}`;

describe('argument errors', () => {
  const badPaths: [string, unknown, string][] = [
    ['a number', 42, 'ERR_INVALID_ARG_TYPE'],
    ['undefined', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['an object', { path: 'x' }, 'ERR_INVALID_ARG_TYPE'],
    ['an empty string', '', 'ERR_INVALID_ARG_VALUE'],
    ['a path with an embedded NUL', uniquePipePath('nul').replace('nul', 'n\0ul'), 'ERR_INVALID_ARG_VALUE'],
    ['a path that is too long', tooLong, 'ERR_INVALID_ARG_VALUE'],
  ];
  if (isWindows) {
    badPaths.push(['a path outside \\\\.\\pipe\\', 'C:\\temp\\x', 'ERR_INVALID_ARG_VALUE']);
    badPaths.push(['a pipe prefix with no name', '\\\\.\\pipe\\', 'ERR_INVALID_ARG_VALUE']);
  }

  for (const [what, path, code] of badPaths) {
    it(`createPipeInstance and connectPipe throw ${code} for ${what}`, () => {
      expect(() => proactor.createPipeInstance(path as string)).toThrow(expect.objectContaining({ code }));
      expect(() => proactor.connectPipe(path as string)).toThrow(expect.objectContaining({ code }));
    });
  }

  it('accepts exactly the longest path the platform allows', async () => {
    const longest = isWindows
      ? `\\\\.\\pipe\\${'p'.repeat(256 - 9)}`
      : `/tmp/${'p'.repeat(107 - 5 - 6)}${process.pid.toString().padStart(6, '0')}`.slice(0, 107);
    const instance = await proactor.createPipeInstance(longest);
    proactor.closeHandle(instance);
  });

  it('rejects bad timeouts with ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE', () => {
    const path = uniquePipePath('timeout');
    expect(() => proactor.connectPipe(path, { timeout: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => proactor.connectPipe(path, { timeout: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => proactor.connectPipe(path, { timeout: '5' as unknown as number })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.close({ timeout: -5 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('rejects options of the wrong type', () => {
    const path = uniquePipePath('options');
    expect(() => proactor.connectPipe(path, 'fast' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.connectPipe(path, { signal: 'no' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.createPipeInstance(path, { maxInstances: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => proactor.createPipeInstance(path, { first: 1 as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('rejects a non-buffer, a non-handle, and a handle of another proactor', async () => {
    const { server, client } = await connectedPair(proactor, 'args');
    expect(() => proactor.recv(server, 'text' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.send(server, [1, 2] as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => proactor.recv(server, Buffer.alloc(0))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => proactor.recv({ id: 1 } as never, Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => other.recv(server, Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it('an operation on a closed handle throws EBADF; closing twice is a no-op', async () => {
    const { server, client } = await connectedPair(proactor, 'closed');
    proactor.closeHandle(client);
    proactor.closeHandle(client);
    expect(() => proactor.send(client, Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'EBADF', errno: expect.any(Number) }),
    );
    expect(() => proactor.recv(client, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'EBADF' }));
    proactor.closeHandle(server);
  });
});
