#!/usr/bin/env node
// Waits at scale: N concurrent waitForHandle on one event, then set — how long until all settle,
// and what the waits cost in threads and memory; then N armed and cancelled.
// Run: npm run bench:waits [-- N]   (Windows: npm run bench:waits:windows [-- N])
import { Proactor, ProactorEvent, threadCount } from '../dist/esm/proactor.js';

const count = Number(process.argv[2] ?? 10_000);
const proactor = new Proactor();
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

async function armed(action) {
  const event = new ProactorEvent();
  const controllers = Array.from({ length: count }, () => new AbortController());
  global.gc?.();
  const before = { threads: threadCount(), rss: process.memoryUsage().rss };
  const waits = controllers.map((controller) =>
    proactor.waitForHandle(event.handle, { signal: controller.signal }).catch((error) => error),
  );
  // Give the OS a moment to finish arming (thread-pool wait threads start lazily).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const during = { threads: threadCount(), rss: process.memoryUsage().rss };
  const started = performance.now();
  if (action === 'set') event.set();
  else for (const controller of controllers) controller.abort();
  const results = await Promise.all(waits);
  const ms = performance.now() - started;
  event.close();
  const ok = results.filter((result) =>
    action === 'set' ? result === true : result?.name === 'AbortError',
  ).length;
  return {
    scenario: action === 'set' ? 'armed then set' : 'armed then cancelled',
    waits: count,
    settledOk: ok,
    ms: Number(ms.toFixed(1)),
    threadsBefore: before.threads,
    threadsArmed: during.threads,
    bytesPerWait: Math.round((during.rss - before.rss) / count),
    rssArmedMiB: Number(mib(during.rss)),
  };
}

const engine = proactor.waitEngine;
const rows = [await armed('set'), await armed('cancel')];
await proactor.close();
console.log(`platform ${process.platform}, wait engine ${engine}`);
console.table(rows);
console.log(JSON.stringify({ platform: process.platform, engine, rows }));
