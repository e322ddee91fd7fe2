// The proactor keeps the event loop alive only while a referenced operation is pending: an
// unref'd handle with a pending accept lets the process exit, a referenced one does not.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { delay, uniquePipePath } from '../helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/pending-accept.mjs', import.meta.url));

describe('ref counting', () => {
  it('a process whose only pending accept is unref’d exits by itself', async () => {
    const result = await execa(process.execPath, [fixture, 'unref', uniquePipePath('unref')], {
      timeout: 20_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ready');
  });

  it('a referenced pending accept keeps the process alive', async () => {
    const child = execa(process.execPath, [fixture, 'ref', uniquePipePath('ref')], { timeout: 20_000 });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.catch(reject);
    });
    await delay(750);
    expect(child.exitCode).toBeNull();
    child.kill();
    const result = await child.catch((error: unknown) => error);
    expect(result).toMatchObject({ isTerminated: true });
  });
});
