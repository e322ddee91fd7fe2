// Many exits at once: 1,000 children alive together, all awaited at once, all made to exit at the
// same moment. Ours awaits each with waitForExit(pid) (the proactor's wait engine); the peer with
// each ChildProcess's own 'exit' event (libuv). Reported: the time from the moment to the last
// wait settled, the threads this process has while the waits are pending, and memory per wait.
//
// The children are the cheapest processes that can wait for a common moment:
//  - Linux: /bin/cat, its stdin the read end of a FIFO whose only writer is this process. Closing
//    the writer is the moment: every cat reads end of file and exits.
//  - Windows: bench/native/exit_gate.c (built into build/bench/ by `node bench/native/build.mjs
//    win32`, which `npm run bench:windows` runs). Each waits on a named event; a last one, the
//    setter, waits until all are waiting, sets the event and prints when (the moment).
// Node's own exit watch (SIGCHLD on Linux, a thread-pool wait per child on Windows) runs on both
// sides: ours comes on top of it, as it does for any child awaited by pid.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { waitForExit } from 'proactor';
import { threadCount } from '../../build/esm/diagnostics.js';

const windows = process.platform === 'win32';
const gateExe = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'bench', 'exit_gate.exe');

// Children per round. Under Wine a process takes ~26 ms to start and ~2.5 MB of the host's
// memory, so 1,000 take ~30 s to start and a quick run uses 50; the title says which.
const counts = windows ? { full: 1000, quick: 50 } : { full: 1000, quick: 200 };

// Memory is read after a full collection, so that garbage from the round before does not count.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
setFlagsFromString('--no-expose-gc');
const memory = () => {
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, js: heapUsed + external };
};

// Threads before any child or wait existed. Threads that a side starts and keeps (our Linux wait
// poller; Windows pool wait threads until the pool retires them) count in later rounds of either
// side, so the peer's figure can include ours.
const baselineThreads = threadCount();

// Under Wine a spawn now and then fails for want of resources: wait and try again.
async function spawnRetrying(command, args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      const child = spawn(command, args, options);
      if (child.pid === undefined) {
        const [error] = await once(child, 'error');
        throw error;
      }
      return child;
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

// Starts `count` children that wait; returns them and `release()`, which makes them all exit and
// resolves to the moment it did so (ms, performance.timeOrigin-based wall clock).
async function startChildren(count) {
  if (windows) {
    if (!existsSync(gateExe))
      throw new Error(`${gateExe} is missing: run \`node bench/native/build.mjs win32\``);
    const name = `Local\\proactor-many-exits-${process.pid}-${performance.now()}`;
    const children = [];
    for (let i = 0; i < count; i++) children.push(await spawnRetrying(gateExe, [name], { stdio: 'ignore' }));
    return {
      children,
      async release() {
        const setter = await spawnRetrying(gateExe, ['--set', name, String(count)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        let printed = '';
        setter.stdout.setEncoding('utf8');
        for await (const chunk of setter.stdout) {
          printed += chunk;
          if (printed.includes('\n')) break;
        }
        // Kept alive (holding the event set) until the round is over, then let go.
        this.done = async () => {
          setter.stdin.end();
          if (setter.exitCode === null) await once(setter, 'exit');
        };
        return Number(printed);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'proactor-many-exits-'));
  const fifo = join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  // A non-blocking reader lets the writer open at once; the children share a blocking reader.
  const opener = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  const reader = openSync(fifo, constants.O_RDONLY);
  closeSync(opener);
  const children = [];
  try {
    for (let i = 0; i < count; i++) {
      children.push(await spawnRetrying('/bin/cat', [], { stdio: [reader, 'ignore', 'inherit'] }));
    }
  } finally {
    closeSync(reader);
  }
  // spawn() returns once the child has exec'd; give the last ones time to block in read().
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    children,
    async release() {
      const at = performance.timeOrigin + performance.now();
      closeSync(writer); // the last writer: every cat reads end of file
      return at;
    },
    async done() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function round(side, count) {
  const { children, ...gate } = await startChildren(count);
  const spawned = memory();
  const exits = children.map((child) =>
    side === 'proactor'
      ? waitForExit(child.pid)
      : child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : once(child, 'exit'),
  );
  let failed = 0;
  const settled = exits.map((exit) => exit.catch(() => failed++));
  // Pool wait threads (Windows) start as waits arrive: let them.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const armed = memory();
  const threads = threadCount() - baselineThreads;
  const moment = await gate.release();
  await Promise.all(settled);
  const ms = performance.timeOrigin + performance.now() - moment;
  if (failed > 0) throw new Error(`many-exits: ${failed} of ${count} waits failed (${side})`);
  // Every child reaped by Node before the next round.
  await Promise.all(
    children.map((child) => (child.exitCode ?? child.signalCode) === null && once(child, 'exit')),
  );
  await gate.done?.();
  return {
    ms,
    threads,
    // From the children's start (Node's own exit watch included) to the waits pending.
    rssPerWait: (armed.rss - spawned.rss) / count,
    jsPerWait: (armed.js - spawned.js) / count,
  };
}

export const manyExits = {
  name: 'many-exits',
  get title() {
    const quick = process.argv.includes('--quick');
    const count = quick ? counts.quick : counts.full;
    return `Many exits: ${count.toLocaleString('en')} children alive at once, awaited at once, exiting together`;
  },
  sides: ['proactor', 'node:child_process'],
  metrics: [
    { key: 'ms', unit: 'ms until all settled', better: 'lower' },
    // No ratios: the peer adds no thread on Linux, and memory deltas are too noisy to divide.
    // Memory is what awaiting adds once the children run (after a full GC): the peer's own
    // wait was made by spawn(), so its figure is only the 'exit' listener. RSS misses memory
    // freed by an earlier round and reused; heap + external misses the addon's C++ records.
    { key: 'threads', unit: 'threads while pending', better: 'lower', noRatio: true },
    { key: 'rssPerWait', unit: 'bytes RSS per wait', better: 'lower', noRatio: true },
    { key: 'jsPerWait', unit: 'bytes heap+external per wait', better: 'lower', noRatio: true },
  ],
  async run(side, { quick }) {
    return round(side, quick ? counts.quick : counts.full);
  },
};
