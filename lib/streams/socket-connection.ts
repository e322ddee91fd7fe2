// The pipe a PipeSocket is on, and how it gets one: connect() with its busy-server retries (L7)
// and the write that waits for it, a pipe taken as it is (a handle, or one a server accepted),
// and letting the old pipe go so that a socket that has closed can connect again.
import type { Duplex } from 'node:stream';
import { connectWithRetry } from '../engine/busy-connect.js';
import type { Channel } from '../engine/channel.js';
import type { Engine } from '../engine/engine.js';
import type { WriteCallback } from './socket-writes.js';

/** What the connection needs of its socket. */
export interface ConnectionHost {
  readonly stream: Duplex;
  /** The pipe is up: 'connect' is due (`timeout` is connect()'s option). */
  connected(timeout: number | undefined): void;
  /** Writes the chunks that waited for the connect. */
  write(chunks: Buffer[], callback: WriteCallback): void;
}

export class SocketConnection {
  readonly #host: ConnectionHost;
  #engine: Engine;
  #channel: Channel | undefined;
  #connecting = false;
  #abort: (() => void) | undefined;
  #hadPipe = false; // connected, or tried to: 'close' then says whether it ended in an error
  #refed = true;
  #peerPid: number | undefined;
  // A write waiting for the connect: sent from a 'connect' listener added when it was queued (as
  // net.Socket does, so listeners added before it run first); failed if destroyed first.
  #queuedWrite: { chunks: Buffer[]; callback: WriteCallback } | undefined;

  constructor(host: ConnectionHost, engine: Engine) {
    this.#host = host;
    this.#engine = engine;
  }

  /** The pipe, once connected or taken, until a re-connect lets it go. */
  get channel(): Channel | undefined {
    return this.#channel;
  }

  /** True while a connect is in progress. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** The bytes of the write waiting for the connect. */
  get queuedBytes(): number {
    let bytes = 0;
    for (const chunk of this.#queuedWrite?.chunks ?? []) bytes += chunk.length;
    return bytes;
  }

  /** The process at the other end: asked once, while the pipe is open, and kept. */
  get peerPid(): number | undefined {
    if (this.#peerPid === undefined && this.#channel !== undefined && !this.#channel.closed) {
      this.#peerPid = this.#channel.peerPid();
    }
    return this.#peerPid;
  }

  /** Connects to `path`; with `invalid` (a path that cannot name a pipe), fails on the next tick. */
  connect(path: string, timeout: number | undefined, invalid: Error | undefined): void {
    this.#connecting = true;
    this.#hadPipe = true;
    if (invalid !== undefined) {
      // As node:net on Windows: a path that cannot name a pipe fails the connect, asynchronously.
      process.nextTick(() => this.#failed(invalid));
      return;
    }
    const connecting = connectWithRetry(this.#engine, path, { timeout });
    this.#abort = connecting.abort;
    connecting.promise.then(
      (channel) => this.#connected(channel, timeout),
      (error: Error) => this.#failed(error),
    );
  }

  #connected(channel: Channel, timeout: number | undefined): void {
    this.#connecting = false;
    this.#abort = undefined;
    const { stream } = this.#host;
    // A server that closed meanwhile (with us still queued) refused us, as node:net reports it.
    const refused = stream.destroyed ? undefined : channel.pendingError();
    if (stream.destroyed || refused !== undefined) {
      channel.close();
      if (refused !== undefined) stream.destroy(refused);
      return;
    }
    this.attach(channel);
    this.#host.connected(timeout);
  }

  #failed(error: Error): void {
    this.#connecting = false;
    this.#abort = undefined;
    if (!this.#host.stream.destroyed) this.#host.stream.destroy(error);
  }

  /** Takes a pipe that is connected already. */
  attach(channel: Channel): void {
    this.#engine = channel.engine;
    this.#channel = channel;
    this.#hadPipe = true;
    if (!this.#refed) channel.setRef(false);
  }

  /** A write made while connecting: it goes once 'connect' has been emitted. */
  queueWrite(chunks: Buffer[], callback: WriteCallback): void {
    this.#queuedWrite = { chunks, callback };
    this.#host.stream.once('connect', this.#sendQueuedWrite);
  }

  #sendQueuedWrite = (): void => {
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    if (queued !== undefined) this.#host.write(queued.chunks, queued.callback);
  };

  /** `ref()` / `unref()`: whether pending I/O on the pipe keeps the process alive. */
  setRef(refed: boolean): void {
    this.#refed = refed;
    this.#channel?.setRef(refed);
  }

  /**
   * The socket is destroyed: a connect stops at once, retries included, and the pipe closes.
   * Returns whether the socket had a pipe (or tried to), and the callback of a write that waited
   * for the connect.
   */
  close(): { hadPipe: boolean; queued: WriteCallback | undefined } {
    const queued = this.#queuedWrite;
    this.#queuedWrite = undefined;
    this.#host.stream.removeListener('connect', this.#sendQueuedWrite);
    this.#abort?.();
    this.#connecting = false;
    this.#channel?.close();
    return { hadPipe: this.#hadPipe, queued: queued?.callback };
  }

  /** The socket connects again: the old pipe, and what it said of its peer, are no longer its. */
  reset(): void {
    this.#channel = undefined;
    this.#peerPid = undefined;
  }
}
