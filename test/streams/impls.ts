// The two implementations the compatibility tests run against, behind one shape, plus small
// helpers for event-driven tests.
import { execa, type ResultPromise } from 'execa';
import { afterEach } from 'vitest';
import { uniquePipePath } from '../helpers.js';
import net from 'node:net';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as ours from '../../lib/index.js';

/** The socket surface both `net.Socket` and `PipeSocket` share. */
export type AnySocket = Duplex & {
  setTimeout(ms: number, cb?: () => void): unknown;
  address(): unknown;
  bytesRead: number;
  bytesWritten: number;
  readonly timeout?: number;
  readonly pending: boolean;
  readonly connecting: boolean;
  readonly readyState: string;
  unref(): unknown;
};

/** The server surface both `net.Server` and our `Server` share. */
export type AnyServer = EventEmitter & {
  listen(...args: unknown[]): AnyServer;
  close(cb?: (error?: Error) => void): AnyServer;
  address(): unknown;
  getConnections(cb: (error: Error | null, count: number) => void): unknown;
  maxConnections?: number | undefined;
  readonly listening: boolean;
  unref(): unknown;
};

/** A socket or server class that, as node:net's, may also be called without `new`. */
export type Callable<T> = (new (...args: unknown[]) => T) & ((...args: unknown[]) => T);

export interface Impl {
  name: 'node:net' | 'proactor';
  fixtureName: 'net' | 'proactor';
  createServer(...args: unknown[]): AnyServer;
  connect(...args: unknown[]): AnySocket;
  createConnection(...args: unknown[]): AnySocket;
  Socket: Callable<AnySocket & { connect(...args: unknown[]): AnySocket }>;
  Server: Callable<AnyServer>;
}

export const impls: Impl[] = [
  {
    name: 'node:net',
    fixtureName: 'net',
    createServer: (...args) => (net.createServer as (...a: unknown[]) => AnyServer)(...args),
    connect: (...args) => (net.connect as (...a: unknown[]) => AnySocket)(...args),
    createConnection: (...args) => (net.createConnection as (...a: unknown[]) => AnySocket)(...args),
    Socket: net.Socket as unknown as Impl['Socket'],
    Server: net.Server as unknown as Impl['Server'],
  },
  {
    name: 'proactor',
    fixtureName: 'proactor',
    createServer: (...args) => (ours.createServer as (...a: unknown[]) => AnyServer)(...args),
    connect: (...args) => (ours.connect as (...a: unknown[]) => AnySocket)(...args),
    createConnection: (...args) => (ours.createConnection as (...a: unknown[]) => AnySocket)(...args),
    Socket: ours.Socket as unknown as Impl['Socket'],
    Server: ours.Server as unknown as Impl['Server'],
  },
];

/** Resolves with the first emission of `event` (its arguments), rejects on `error` first. */
export function once<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      emitter.removeListener('error', onError);
      resolve(args as T);
    };
    const onError = (error: Error): void => {
      emitter.removeListener(event, onEvent);
      reject(error);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}

/** Starts `server` listening on `path` and waits for `listening`. */
export async function listening(server: AnyServer, path: string): Promise<void> {
  server.listen(path);
  await once(server, 'listening');
}

/** Closes `server` and waits for its `close`. */
export function closed(server: AnyServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Reads everything until `end`. */
export async function readAll(socket: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads exactly `length` bytes from a flowing socket. */
export function readBytes(socket: Duplex, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= length) {
        socket.removeListener('data', onData);
        socket.removeListener('error', reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Records the named events of `emitter`, in order. */
export function recordEvents(emitter: EventEmitter, names: string[]): string[] {
  const seen: string[] = [];
  for (const name of names) emitter.on(name, () => seen.push(name));
  return seen;
}

const peerFixture = fileURLToPath(new URL('../fixtures/streams-peer.mjs', import.meta.url));

/** Runs test/fixtures/streams-peer.mjs; `ready` resolves once it printed "ready". */
export function startPeer(
  mode: string,
  impl: 'net' | 'proactor',
  path: string,
): { child: ResultPromise; ready: Promise<void> } {
  const child = execa(process.execPath, [peerFixture, mode, impl, path], { timeout: 30_000 });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.catch(reject);
  });
  return { child, ready };
}

/** 'close', with its argument, whatever came before it (`once` would reject on an 'error'). */
export function closeOf(socket: AnySocket): Promise<boolean | undefined> {
  return new Promise((resolve) => socket.once('close', resolve));
}

/**
 * What a compatibility suite needs per test, for servers of `serverImpl`: every server it
 * starts and every socket it sees (tracked clients, and each server's connections) is closed
 * after the test, so one test's leftovers never hold up the next.
 */
export function compatFixtures(serverImpl: Impl, label: string) {
  const servers: AnyServer[] = [];
  const sockets: AnySocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) if (server.listening) await closed(server);
  });
  /** Tracks a socket for closing after the test, and returns it. */
  function track<T extends AnySocket>(socket: T): T {
    sockets.push(socket);
    return socket;
  }
  /**
   * A listening server (an echo server unless `onConnection` says otherwise); `accepted`
   * resolves with its first connection.
   */
  async function serve<S extends AnySocket = AnySocket>(
    onConnection: (socket: S) => unknown = (socket) => socket.pipe(socket),
    options: Record<string, unknown> = {},
  ): Promise<{ server: AnyServer; path: string; accepted: Promise<S> }> {
    const path = uniquePipePath(label);
    let first: (socket: S) => void = () => undefined;
    const accepted = new Promise<S>((resolve) => (first = resolve));
    const server = serverImpl.createServer(options, (socket: S) => {
      track(socket);
      first(socket);
      // Returned: an async listener's promise is what captureRejections watches.
      return onConnection(socket);
    });
    servers.push(server);
    await listening(server, path);
    return { server, path, accepted };
  }
  /** Tracks a server made some other way, for closing after the test. */
  function trackServer<T extends AnyServer>(server: T): T {
    servers.push(server);
    return server;
  }
  /** Destroys every socket tracked so far, now (so that a server can close). */
  function destroySockets(): void {
    for (const socket of sockets.splice(0)) socket.destroy();
  }
  return { serve, track, trackServer, destroySockets };
}
