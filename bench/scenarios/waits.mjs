// Waits at scale: 10,000 waitForHandle on one event, armed then set, and armed then cancelled.
// Node has no way to wait on a handle, so there is no peer: the figures stand alone.
import { threadCount } from '../../build/esm/diagnostics.js';
import { ProactorEvent } from '../../build/esm/event.js';
import { Proactor } from '../../build/esm/proactor.js';

// Threads before any wait ran: pool threads that waits start stay around afterwards, so each
// round measures against this, not against the round before.
const baselineThreads = threadCount();

async function armed(count, action) {
  const proactor = new Proactor();
  const event = new ProactorEvent();
  const controllers = Array.from({ length: count }, () => new AbortController());
  const rssBefore = process.memoryUsage().rss;
  const waits = controllers.map((controller) =>
    proactor.waitForHandle(event.handle, { signal: controller.signal }).catch((error) => error),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // let pool wait threads start
  const threadsArmed = threadCount() - baselineThreads;
  const bytesPerWait = (process.memoryUsage().rss - rssBefore) / count;
  const started = performance.now();
  if (action === 'set') event.set();
  else for (const controller of controllers) controller.abort();
  await Promise.all(waits);
  const ms = performance.now() - started;
  event.close();
  await proactor.close();
  return { ms, threadsArmed, bytesPerWait };
}

export const waits = {
  name: 'waits',
  title: 'Waits: 10,000 waitForHandle on an event, then set / then cancelled',
  sides: ['proactor'],
  metrics: [
    { key: 'setMs', unit: 'ms to settle after set', better: 'lower' },
    { key: 'cancelMs', unit: 'ms to settle after cancel', better: 'lower' },
    { key: 'threadsArmed', unit: 'threads added while armed', better: 'lower' },
    { key: 'bytesPerWait', unit: 'bytes RSS per wait', better: 'lower' },
  ],
  async run(_side, { quick }) {
    const count = quick ? 2000 : 10_000;
    const set = await armed(count, 'set');
    const cancel = await armed(count, 'cancel');
    return {
      setMs: set.ms,
      cancelMs: cancel.ms,
      threadsArmed: Math.max(set.threadsArmed, cancel.threadsArmed),
      bytesPerWait: set.bytesPerWait,
    };
  },
};
