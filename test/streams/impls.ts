// The two implementations the compatibility tests run against, behind one shape. What the
// tests do with them lives in test/support/ (compat.ts, events.ts).
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
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
