// Pipe scenarios. The client code is the same for node:net and for proactor (it is a drop-in):
// only the module differs. The server runs in its own process (bench/peers/server.mjs).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as nodeNet from 'node:net';
import * as proactor from 'proactor';
import { percentile } from '../lib/stats.mjs';
import { wakeUps } from '../lib/switches.mjs';

const serverScript = fileURLToPath(new URL('../peers/server.mjs', import.meta.url));
const modules = { proactor, 'node:net': nodeNet };
let counter = 0;

function freshPath(label) {
  counter++;
  return proactor.pipePath(`proactor-bench-${label}-${process.pid}-${counter}`);
}

async function startServer(implementation, mode, path, extra = '') {
  const child = spawn(process.execPath, [serverScript, implementation, mode, path, String(extra)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before it was ready`)));
  });
  return {
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

function connect(net, path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const implementation = (side) => (side === 'proactor' ? 'proactor' : 'net');

/** 1 GiB (quick: 64 MiB) in 64 KiB writes to a server that sinks it: MB/s. */
export const bulk = {
  name: 'bulk',
  title: 'Bulk: one connection, 64 KiB writes, sunk',
  sides: ['proactor', 'node:net'],
  metrics: [
    { key: 'mbps', unit: 'MB/s', better: 'higher' },
    { key: 'rssGrowthMiB', unit: 'MiB peak RSS growth (client)', better: 'lower', noRatio: true },
  ],
  async run(side, { quick }) {
    const total = (quick ? 64 : 1024) * 2 ** 20;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const path = freshPath('bulk');
    const server = await startServer(implementation(side), 'sink', path, total);
    const socket = await connect(modules[side], path);
    const acked = once(socket, 'data');
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    // RSS is sampled on a timer, not in the timed write loop: process.memoryUsage() costs ~8 µs
    // here, and in the loop it slowed whichever side's write() returned false more often.
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    const started = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!socket.write(chunk)) await once(socket, 'drain');
    }
    await acked;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    socket.destroy();
    await server.close();
    return { mbps: total / 1e6 / seconds, rssGrowthMiB: (rssPeak - rssBefore) / 2 ** 20 };
  },
};

/** 64-byte messages, 100,000 round trips (quick: 5,000): µs per round trip. */
export const pingpong = {
  name: 'pingpong',
  title: 'Ping-pong: 64-byte round trips',
  sides: ['proactor', 'node:net'],
  metrics: [
    { key: 'p50us', unit: 'µs p50', better: 'lower' },
    { key: 'p99us', unit: 'µs p99', better: 'lower' },
    // Thread wake-ups in the client process (all its threads) per round trip: on Linux and
    // under Wine only (bench/lib/switches.mjs).
    { key: 'wakeUps', unit: 'thread wake-ups per round trip (client)', better: 'lower' },
  ],
  async run(side, { quick }) {
    const count = quick ? 5000 : 100_000;
    const path = freshPath('pingpong');
    const server = await startServer(implementation(side), 'echo', path);
    const socket = await connect(modules[side], path);
    const message = Buffer.alloc(64, 'p');
    const micros = new Float64Array(count);
    let switchesBefore = null;
    await new Promise((resolve) => {
      let done = 0;
      let got = 0;
      let started = 0;
      const send = () => {
        started = performance.now();
        socket.write(message);
      };
      switchesBefore = wakeUps();
      socket.on('data', (chunk) => {
        got += chunk.length;
        if (got < message.length) return;
        got -= message.length;
        micros[done++] = (performance.now() - started) * 1000;
        if (done === count) resolve();
        else send();
      });
      send();
    });
    const switchesAfter = wakeUps();
    socket.destroy();
    await server.close();
    const samples = [...micros];
    const result = { p50us: percentile(samples, 50), p99us: percentile(samples, 99) };
    if (switchesBefore !== null && switchesAfter !== null)
      result.wakeUps = (switchesAfter - switchesBefore) / count;
    return result;
  },
};

/** Sequential connect+close, then bursts of 256 concurrent clients: connections per second. */
export const connectRate = {
  name: 'connect',
  title: 'Connect rate: sequential connect+close, and bursts of 256 clients',
  sides: ['proactor', 'node:net'],
  metrics: [
    { key: 'sequentialPerSec', unit: 'conn/s sequential', better: 'higher' },
    { key: 'burstPerSec', unit: 'conn/s in bursts', better: 'higher' },
    { key: 'failures', unit: 'failed connects', better: 'lower', noRatio: true },
  ],
  async run(side, { quick }) {
    const net = modules[side];
    const sequential = quick ? 500 : 10_000;
    const bursts = quick ? 2 : 10;
    const path = freshPath('connect');
    const server = await startServer(implementation(side), 'accept', path);
    // Rates count connections made: a failed connect returns fast and must not count as one.
    let failures = 0;
    let made = 0;
    const one = () =>
      connect(net, path).then(
        (socket) => {
          made++;
          socket.destroy();
        },
        () => failures++,
      );
    let started = performance.now();
    for (let i = 0; i < sequential; i++) await one();
    const sequentialPerSec = made / ((performance.now() - started) / 1000);
    made = 0;
    started = performance.now();
    for (let b = 0; b < bursts; b++) await Promise.all(Array.from({ length: 256 }, one));
    const burstPerSec = made / ((performance.now() - started) / 1000);
    await server.close();
    return { sequentialPerSec, burstPerSec, failures };
  },
};

const execFileAsync = promisify(execFile);

/** The same bulk and ping-pong by a native program over the same kind of pipe: the ceiling. */
export function nativeCeiling(ceilingPath) {
  const native = async (mode, quick) => {
    const path = freshPath(`native-${mode}`);
    const args =
      mode === 'bulk'
        ? ['bulk', path, String((quick ? 64 : 1024) * 2 ** 20), String(64 * 1024)]
        : ['pingpong', path, String(quick ? 5000 : 100_000), '64'];
    const { stdout } = await execFileAsync(ceilingPath, args);
    return JSON.parse(stdout);
  };
  return [
    {
      name: 'bulk-ceiling',
      title: 'Bulk against the native ceiling (C++, blocking I/O, two threads)',
      sides: ['proactor', 'native'],
      metrics: [{ key: 'mbps', unit: 'MB/s', better: 'higher' }],
      run: (side, options) =>
        side === 'native' ? native('bulk', options.quick) : bulk.run('proactor', options),
    },
    {
      name: 'pingpong-ceiling',
      title: 'Ping-pong against the native ceiling',
      sides: ['proactor', 'native'],
      metrics: [
        { key: 'p50us', unit: 'µs p50', better: 'lower' },
        { key: 'p99us', unit: 'µs p99', better: 'lower' },
      ],
      run: (side, options) =>
        side === 'native' ? native('pingpong', options.quick) : pingpong.run('proactor', options),
    },
  ];
}
