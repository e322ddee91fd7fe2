// Per-test servers and sockets for the suites that run one scenario against both
// implementations (test/streams/impls.ts).
import { afterEach } from 'vitest';
import type { AnyServer, AnySocket, Impl } from '../streams/impls.js';
import { closed, listening } from './events.js';
import { uniquePipePath } from './pipes.js';

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
