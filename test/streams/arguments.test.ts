// Bad input: Node-style errors thrown synchronously, no crash and no hang.
import { describe, expect, it } from 'vitest';
import { connect, createConnection, createServer, PipeSocket } from '../../lib/index.js';
import { useProactor } from '../support/engine.js';
import { closed, listening, once } from '../support/events.js';
import { uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

const proactor = useProactor();

const withNul = isWindows ? '\\\\.\\pipe\\a\0b' : '/tmp/a\0b.sock';
// Thrown at the call on both platforms: node:net checks these before the OS sees the path (and
// we refuse a NUL, which node:net on Linux passes through, naming another socket).
const badPaths: [string, unknown, string][] = [
  ['a number', 42, 'ERR_INVALID_ARG_TYPE'],
  ['null', null, 'ERR_INVALID_ARG_TYPE'],
  ['an empty string', '', 'ERR_INVALID_ARG_VALUE'],
  ['a path with a NUL', withNul, 'ERR_INVALID_ARG_VALUE'],
];
// A socket path longer than sun_path: node:net on Linux silently truncates it; we throw.
if (!isWindows)
  badPaths.push(['a path that is too long', `/tmp/${'x'.repeat(200)}.sock`, 'ERR_INVALID_ARG_VALUE']);
// Windows names that cannot be pipes: as node:net, the OS's answer comes as an 'error' event
// (connect: ENOENT, listen: EACCES), with the path as `address` and our reason in the message.
const notPipes: [string, string][] = [
  ['a path outside \\\\.\\pipe\\', 'C:\\temp\\x'],
  ['\\\\.\\pipe\\ with no name', '\\\\.\\pipe\\'],
  ['a path that is too long', `\\\\.\\pipe\\${'x'.repeat(300)}`],
];

describe('bad input', () => {
  it.each(badPaths)('listen with %s throws %s', (_name, path, code) => {
    const server = createServer({ proactor });
    if (path !== null) expect(() => server.listen(path as string)).toThrow(expect.objectContaining({ code }));
    // As net.Server: an options object whose path is no string is a bad options object.
    const objectCode = typeof path === 'string' ? code : 'ERR_INVALID_ARG_VALUE';
    expect(() => server.listen({ path: path as string })).toThrow(
      expect.objectContaining({ code: objectCode }),
    );
    expect(server.listening).toBe(false);
  });

  it.each(badPaths)('connect with %s throws %s', (_name, path, code) => {
    if (path !== null) expect(() => connect(path as string)).toThrow(expect.objectContaining({ code }));
    expect(() => createConnection({ path: path as string })).toThrow(expect.objectContaining({ code }));
    expect(() => new PipeSocket({ proactor }).connect({ path: path as string })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it.runIf(isWindows).each(notPipes)(
    'connect with %s emits ENOENT asynchronously, with the address',
    async (_name, path) => {
      const socket = connect(path);
      const [error] = await once<[Error & Record<string, unknown>]>(socket, 'error');
      expect(error).toMatchObject({ code: 'ENOENT', syscall: 'connect', address: path });
      expect(error.message).toMatch(/must/);
    },
  );

  it.runIf(isWindows).each(notPipes)(
    'listen with %s emits EACCES asynchronously, with the address',
    async (_name, path) => {
      const server = createServer({ proactor });
      server.listen(path);
      expect(server.listening).toBe(false);
      const [error] = await once<[Error & Record<string, unknown>]>(server, 'error');
      expect(error).toMatchObject({ code: 'EACCES', syscall: 'listen', address: path });
      expect(error.message).toMatch(/must/);
    },
  );

  it('connect() with no arguments throws ERR_MISSING_ARGS, as net.connect()', () => {
    expect(() => (connect as () => unknown)()).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
    expect(() => (new PipeSocket({ proactor }).connect as () => unknown)()).toThrow(
      expect.objectContaining({ code: 'ERR_MISSING_ARGS' }),
    );
  });

  it('listen({}) and connect({}) name the missing path', () => {
    expect(() => createServer({ proactor }).listen({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => connect({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it.each([
    ['options a string', () => createServer('x' as never), 'ERR_INVALID_ARG_TYPE'],
    ['instances 0', () => createServer({ instances: 0 }), 'ERR_OUT_OF_RANGE'],
    ['instances a string', () => createServer({ instances: '4' as never }), 'ERR_INVALID_ARG_TYPE'],
    ['instances 1.5', () => createServer({ instances: 1.5 }), 'ERR_OUT_OF_RANGE'],
    [
      'rejectRemoteClients a string',
      () => createServer({ rejectRemoteClients: 'yes' as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['security a number', () => createServer({ security: 5 as never }), 'ERR_INVALID_ARG_TYPE'],
    [
      'security.currentUserOnly a string',
      () => createServer({ security: { currentUserOnly: 'yes' as never } }),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'security.sddl a number',
      () => createServer({ security: { sddl: 1 as never } }),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['a listener that is not a function', () => createServer({}, 'x' as never), 'ERR_INVALID_ARG_TYPE'],
    [
      'listen backlog negative',
      () => createServer({ proactor }).listen(uniquePipePath('bl'), -1),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'listen signal not a signal',
      () => createServer({ proactor }).listen({ path: uniquePipePath('sig'), signal: 'x' as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['eofTimeout negative', () => createServer({ eofTimeout: -1 }), 'ERR_OUT_OF_RANGE'],
    ['eofTimeout a string', () => createServer({ eofTimeout: '5' as never }), 'ERR_INVALID_ARG_TYPE'],
  ])('createServer/listen with %s throws %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    ['connect options a number', () => connect(5 as never), 'ERR_INVALID_ARG_TYPE'],
    ['a negative timeout', () => connect({ path: uniquePipePath('t'), timeout: -1 }), 'ERR_OUT_OF_RANGE'],
    [
      'a timeout string',
      () => connect({ path: uniquePipePath('t'), timeout: '5' as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'a signal that is not one',
      () => connect({ path: uniquePipePath('s'), signal: {} as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'a connect listener that is not a function',
      () => connect(uniquePipePath('l'), 5 as never),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['socket options a string', () => new PipeSocket('x' as never), 'ERR_INVALID_ARG_TYPE'],
    ['eofTimeout NaN', () => new PipeSocket({ eofTimeout: Number.NaN, proactor }), 'ERR_OUT_OF_RANGE'],
    [
      'connect eofTimeout a string',
      () => connect({ path: uniquePipePath('e'), eofTimeout: '1' as never }),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['a handle of the wrong type', () => new PipeSocket({ handle: 'x' as never }), 'ERR_INVALID_ARG_TYPE'],
    ['a negative raw handle', () => new PipeSocket({ handle: -1, proactor }), 'ERR_OUT_OF_RANGE'],
    ['setTimeout(-1)', () => new PipeSocket({ proactor }).setTimeout(-1), 'ERR_OUT_OF_RANGE'],
    ['setTimeout(NaN)', () => new PipeSocket({ proactor }).setTimeout(Number.NaN), 'ERR_OUT_OF_RANGE'],
    ['setTimeout("1")', () => new PipeSocket({ proactor }).setTimeout('1' as never), 'ERR_INVALID_ARG_TYPE'],
    [
      'setTimeout with a bad callback',
      () => new PipeSocket({ proactor }).setTimeout(1, 5 as never),
      'ERR_INVALID_ARG_TYPE',
    ],
  ])('%s throws %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });

  it('writing something that is not a buffer or string throws, and the socket carries on', async () => {
    const path = uniquePipePath('badwrite');
    const server = createServer({ proactor }, (socket) => socket.pipe(socket));
    await listening(server as never, path);
    const client = connect({ path, proactor });
    await once(client, 'connect');
    for (const chunk of [5, {}, null, true]) {
      expect(() => client.write(chunk as never)).toThrow(
        expect.objectContaining({ code: chunk === null ? 'ERR_STREAM_NULL_VALUES' : 'ERR_INVALID_ARG_TYPE' }),
      );
    }
    client.write('fine');
    const [data] = await once<[Buffer]>(client, 'data');
    expect(data.toString()).toBe('fine');
    client.end();
    // The client's read ends with the server's end; closing the proactor before that would
    // cancel it and destroy the client with an AbortError.
    await once(client.resume(), 'close');
    await closed(server as never);
  });

  it('writing to a socket that never connected fails with ERR_SOCKET_CLOSED', async () => {
    const socket = new PipeSocket({ proactor });
    const error = await new Promise<Error | null | undefined>((resolve) => {
      socket.on('error', () => undefined);
      socket.write('x', resolve);
    });
    expect(error).toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });
});
