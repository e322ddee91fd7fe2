// Exit notification: children exit; how long after the exit does the observer hear of it? Ours
// is waitForExit (by pid, on the proactor); the peer is the child's own 'exit' event (libuv).
// Each child reports the moment it exits (wall clock, ms), then exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitForExit } from 'proactor';
import { percentile } from '../lib/stats.mjs';

const childSource =
  'setTimeout(() => { process.stdout.write(String(performance.timeOrigin + performance.now())); process.exit(0); }, 200 + Math.random() * 200)';

// Under Wine a spawn now and then fails for want of resources after many processes: wait and
// try again rather than lose the run.
async function spawnChild() {
  for (let attempt = 1; ; attempt++) {
    try {
      return spawn(process.execPath, ['-e', childSource], { stdio: ['ignore', 'pipe', 'inherit'] });
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

async function observe(side) {
  const child = await spawnChild();
  let reported = '';
  child.stdout.on('data', (chunk) => (reported += chunk));
  const heard =
    side === 'proactor'
      ? waitForExit(child.pid).then(() => performance.timeOrigin + performance.now())
      : once(child, 'exit').then(() => performance.timeOrigin + performance.now());
  const at = await heard;
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  await new Promise((resolve) =>
    child.stdout.readableEnded ? resolve() : child.stdout.once('end', resolve),
  );
  return at - Number(reported);
}

export const exits = {
  name: 'exits',
  title: 'Exit notification: latency from a child exiting to being told',
  sides: ['proactor', 'node:child_process'],
  metrics: [
    { key: 'p50ms', unit: 'ms p50', better: 'lower' },
    { key: 'maxMs', unit: 'ms max', better: 'lower' },
  ],
  async run(side, { quick }) {
    const count = quick ? 10 : 100;
    const batch = 5; // children alive at once
    const latencies = [];
    for (let i = 0; i < count; i += batch) {
      latencies.push(
        ...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => observe(side)))),
      );
    }
    return { p50ms: percentile(latencies, 50), maxMs: Math.max(...latencies) };
  },
};
