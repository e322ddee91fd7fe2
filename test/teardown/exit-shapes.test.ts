// The rule at delivery (addon/core/engine.cc, Engine::Deliver): once an environment is
// stopping, nothing reaches JS; no exception crosses the Node-API boundary or escapes to the OS;
// a throw from a user's callback surfaces as a throw from a net.Socket callback does.
// Each shape runs in a process of its own, which must end with the shape's own exit code and
// leave nothing on stderr but what the shape prints itself.
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOST_CRASH, runFixture } from '../support/peers.js';
import { uniquePipePath } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

async function runShape(shape: string, impl: 'ours' | 'net' = 'ours') {
  const path = uniquePipePath(`exit-${shape}`);
  try {
    return await runFixture('exit-shapes.mjs', [shape, path, impl], 20_000);
  } finally {
    if (!isWindows) rmSync(path, { force: true });
  }
}

describe('a process that ends with work in flight: nothing reaches JS once it is stopping, and nothing crashes', () => {
  it.each([
    ['its server and sockets all unref’d, data on its way', 'unref-server-and-sockets', 0],
    ['a read pending on an unref’d handle, its data just written', 'unref-read', 0],
    ['waits armed, one of them just answered, when process.exit() runs', 'wait-armed', 3],
    ['process.exit() from inside a completion callback', 'exit-in-callback', 5],
  ])('exits with its own code: %s', async (_what, shape, code) => {
    const run = await runShape(shape);
    expect(run.stderr).not.toMatch(HOST_CRASH);
    expect(run.stderr).toBe('');
    expect({ code: run.code, signal: run.signal }).toEqual({ code, signal: null });
  });

  it.each(['unref-server-and-sockets', 'exit-in-callback'])(
    'node:net ends the same way: %s',
    async (shape) => {
      const [ours, net] = await Promise.all([runShape(shape), runShape(shape, 'net')]);
      expect(ours.code).toBe(net.code);
      expect(ours.stderr).toBe(net.stderr);
    },
  );
});

describe('a throw from a ’data’ handler surfaces as it does from a net.Socket callback', () => {
  it('with no handler, the process dies of it with code 1 and prints it, as node:net', async () => {
    const [ours, net] = await Promise.all([runShape('data-throws'), runShape('data-throws', 'net')]);
    for (const run of [ours, net]) {
      expect(run.stderr).not.toMatch(HOST_CRASH);
      expect(run.stderr).toMatch(/Error: boom/);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: 'data one\n' });
    }
  });

  it('with an uncaughtException handler, the handler sees it and the socket reads on to the end, as node:net', async () => {
    const [ours, net] = await Promise.all([
      runShape('data-throws-handled'),
      runShape('data-throws-handled', 'net'),
    ]);
    for (const run of [ours, net]) {
      expect(run.stderr).toBe('');
      expect({ code: run.code, stdout: run.stdout }).toEqual({
        code: 0,
        stdout: 'data one\ncaught boom\ndata two\nend\n',
      });
    }
  });
});
