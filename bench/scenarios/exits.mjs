// Exit notification: children exit; how long after the exit does the observer hear of it? Ours
// is waitForExit (by pid, on the proactor); the peer is the child's own 'exit' event (libuv).
// Each child reports the moment it exits (wall clock, ms), then exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitForExit } from 'proactor';
import { percentile } from '../lib/stats.mjs';

const childSource =
  'setTimeout(() => { process.stdout.write(String(performance.timeOrigin + performance.now())); process.exit(0); }, 200 + Math.random() * 200)';

// A helper that starts the same child as its own (so the helper's libuv, in another process,
// watches it, and nothing in ours does), says its pid on stderr, and lets it report on the
// helper's stdout, which the child inherits.
const helperSource = `
const child = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(childSource)}],
  { stdio: ['ignore', 'inherit', 'ignore'] });
process.stderr.write(child.pid + '\\n');`;

// Under Wine a spawn now and then fails for want of resources after many processes: wait and
// try again rather than lose the run.
async function spawnChild(source) {
  for (let attempt = 1; ; attempt++) {
    try {
      return spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

const now = () => performance.timeOrigin + performance.now();

// side: 'proactor' (waitForExit by pid on our child), 'proactor, not a child' (waitForExit by
// pid on the helper's child), or the peer (our child's 'exit').
async function observe(side) {
  const notChild = side === 'proactor, not a child';
  const child = await spawnChild(notChild ? helperSource : childSource);
  let reported = '';
  let said = '';
  child.stdout.on('data', (chunk) => (reported += chunk));
  child.stderr.on('data', (chunk) => (said += chunk));
  let heard;
  if (notChild) {
    while (!said.includes('\n')) await once(child.stderr, 'data');
    heard = waitForExit(Number.parseInt(said, 10)).then(now);
  } else {
    heard = side === 'proactor' ? waitForExit(child.pid).then(now) : once(child, 'exit').then(now);
  }
  const at = await heard;
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  await new Promise((resolve) =>
    child.stdout.readableEnded ? resolve() : child.stdout.once('end', resolve),
  );
  return at - Number(reported);
}

async function latencies(side, quick) {
  const count = quick ? 10 : 100;
  const batch = 5; // children alive at once
  const all = [];
  for (let i = 0; i < count; i += batch) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => observe(side)))));
  }
  return { p50ms: percentile(all, 50), maxMs: Math.max(...all) };
}

export const exits = {
  name: 'exits',
  title: 'Exit notification: latency from a child exiting to being told',
  sides: ['proactor', 'node:child_process'],
  metrics: [
    { key: 'p50ms', unit: 'ms p50', better: 'lower' },
    { key: 'maxMs', unit: 'ms max', better: 'lower' },
  ],
  run: (side, { quick }) => latencies(side, quick),
};

/**
 * The same, with our side awaiting a process that only we watch (a child of a helper process):
 * on a Node child, libuv's own handling of the same exit comes first on the loop thread
 * (bench/decisions.md), so this is the engine's own path against Node's.
 */
export const exitsNotChild = {
  name: 'exits-other',
  title: "Exit notification: a process only we watch, against a child's 'exit'",
  sides: ['proactor, not a child', 'node:child_process'],
  metrics: exits.metrics,
  run: (side, { quick }) => latencies(side, quick),
};
