// The worker torture test (fixtures/torture.mjs): worker threads running echo traffic, waits
// and accepts are ended at random points, by terminate() or by process.exit() inside them, while
// the main thread's own transfer goes on. Whatever a worker is doing when it ends, nothing of it
// reaches JS once its environment is stopping, no exception crosses Node-API, the process lives
// on, and the main thread's data arrives intact.
import { describe, expect, it } from 'vitest';
import { HOST_CRASH, runFixture } from '../support/peers.js';
import { isWindows } from '../support/platform.js';

// Worker start-up is some 30 times slower under Wine: fewer rounds there, same shape.
const rounds = Number(process.env.PROACTOR_TORTURE_ROUNDS ?? (isWindows ? 8 : 200));

describe('workers ended at random points while data flows', () => {
  it(`${rounds} rounds of 3 workers: the process lives on, exits 0, and the main thread's transfer arrives intact`, async () => {
    const run = await runFixture('torture.mjs', ['--rounds', String(rounds), '--workers', '3'], 280_000);
    expect(run.stderr).not.toMatch(HOST_CRASH);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report.failures).toEqual([]);
    expect(report.transfer?.intact).toBe(true);
    expect(report.transfer?.receivedBytes).toBeGreaterThan(0);
    expect(report.workers).toBe(rounds * 3);
    // Each way of ending was taken (the draw is seeded; the seed is in the report).
    expect(report.terminate).toBeGreaterThan(0);
    expect(report['exit-timer'] + report['exit-callback']).toBeGreaterThan(0);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  }, 300_000);
});
