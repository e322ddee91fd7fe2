// The proactor keeps the event loop alive only while a referenced operation is pending: an
// unref'd handle with a pending accept lets the process exit, a referenced one does not.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { delay } from '../support/events.js';
import { fixturePath, startFixture } from '../support/peers.js';
import { uniquePipePath } from '../support/pipes.js';

const fixture = 'pending-accept.mjs';

describe('ref counting', () => {
  it('a process whose only pending accept is unref’d exits by itself', async () => {
    const result = await execa(process.execPath, [fixturePath(fixture), 'unref', uniquePipePath('unref')], {
      timeout: 20_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ready');
  });

  it('a referenced pending accept keeps the process alive', async () => {
    const { child, ready } = startFixture(fixture, ['ref', uniquePipePath('ref')], 20_000);
    await ready;
    await delay(750);
    expect(child.exitCode).toBeNull();
    child.kill();
    const result = await child.catch((error: unknown) => error);
    expect(result).toMatchObject({ isTerminated: true });
  });
});
