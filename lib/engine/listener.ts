// A listener: a pipe name's waiting accepts, and the platform's way of keeping them (as libuv's
// pending_instances: src/win/pipe.c keeps several instances, src/unix/pipe.c one socket).
// Windows: each waiting accept is its own pipe instance; the instance becomes the connection it
// accepts, and a new instance takes its place. Linux: one listening socket, with several accepts
// queued on it. Either way, an accept that fails for one client's sake (it came and went, L10)
// is dropped quietly and the listener carries on; other failures are reported and retried after
// a pause, so a lasting one does not spin.
import type { Channel } from './channel.js';
import type { Engine, InstanceSettings } from './engine.js';
import { IOCP } from './platform.js';

const RETRY_DELAY = 100;

// Errors that belong to one client, not to the server: it came and went (ERROR_NO_DATA is
// EPIPE), or reset. The instance is closed and the listener goes on, silently (L10), as libuv.
const PER_CONNECTION_ERRORS = new Set(['EPIPE', 'ENOTCONN', 'ECONNRESET', 'ECONNABORTED', 'EOF']);

export interface ListenerEvents {
  /** A client connected: the channel is the caller's from now on. */
  connection(channel: Channel): void;
  /**
   * A failure that is the server's, not a client's: an accept (`during` 'accept'), or making a
   * further Windows instance (`during` 'listen', reported once until one succeeds again).
   */
  error(error: Error, during: 'accept' | 'listen'): void;
}

export class Listener {
  readonly #engine: Engine;
  readonly #settings: InstanceSettings;
  readonly #events: ListenerEvents;
  readonly #waiting = new Set<Channel>();
  #ready: Promise<void> = Promise.resolve();
  #closed = false;
  #refed = true;

  /**
   * Binds `settings.path` now, exclusively (Windows `FILE_FLAG_FIRST_PIPE_INSTANCE`, so nobody
   * can squat on the name; Linux: a taken path fails to bind): throws what the OS says.
   */
  constructor(engine: Engine, settings: InstanceSettings, events: ListenerEvents) {
    this.#engine = engine;
    this.#settings = { ...settings, first: false };
    this.#events = events;
    this.#first = engine.createInstance({ ...settings, first: true });
    this.#waiting.add(this.#first);
  }

  readonly #first: Channel;

  /**
   * Starts `accepts` accepts, all waiting before this returns (as libuv: a client that
   * connects once it hears we listen, and leaves at once, still completes one). Results are
   * reported only once `ready` has settled (a server's 'listening' comes first).
   */
  start(accepts: number, ready: Promise<void>): void {
    this.#ready = ready;
    this.#accept(this.#first);
    for (let i = 1; i < accepts; i++) {
      if (IOCP) this.#addInstance();
      else this.#accept(this.#first);
    }
  }

  /** Stops accepting: closes the waiting instances (Linux: the socket file is removed). */
  close(): void {
    this.#closed = true;
    for (const channel of this.#waiting) channel.close();
    this.#waiting.clear();
  }

  /** Whether the waiting accepts keep the process alive (the default). */
  setRef(ref: boolean): void {
    this.#refed = ref;
    for (const channel of this.#waiting) channel.setRef(ref);
  }

  /**
   * A further Windows instance, its accept started in the same breath, so no client can come
   * and go in between, or `acceptDelay` ms later. On failure: 'error' (once), and a retry.
   */
  #addInstance(acceptDelay = 0, reported = false): void {
    if (this.#closed) return;
    let instance: Channel;
    try {
      instance = this.#engine.createInstance(this.#settings);
    } catch (error) {
      if (!reported) this.#events.error(error as Error, 'listen');
      setTimeout(() => this.#addInstance(0, true), RETRY_DELAY).unref();
      return;
    }
    this.#waiting.add(instance);
    if (!this.#refed) instance.setRef(false);
    this.#accept(instance, acceptDelay);
  }

  /** Accepts on `instance` (after `delay` ms), then again on the instance that serves next. */
  #accept(instance: Channel, delay = 0): void {
    if (delay > 0) {
      setTimeout(() => this.#accept(instance), delay).unref();
      return;
    }
    // close() may have come between the instance's creation and here.
    if (this.#closed || instance.closed) return;
    instance.accept((connection, error) => {
      if (connection !== undefined) void this.#accepted(instance, connection);
      else void this.#failed(instance, error as Error & { code?: string });
    });
  }

  async #accepted(instance: Channel, connection: Channel): Promise<void> {
    await this.#ready;
    if (this.#closed) {
      connection.close();
      return;
    }
    // The next accept waits before this connection is handed on (its handler may throw).
    if (IOCP) {
      // The instance itself is now the connection; a fresh one takes its place.
      this.#waiting.delete(instance);
      if (!this.#refed) connection.setRef(true);
      this.#addInstance();
    } else {
      this.#accept(instance);
    }
    this.#events.connection(connection);
  }

  async #failed(instance: Channel, error: Error & { code?: string; syscall?: string }): Promise<void> {
    await this.#ready;
    // Closed under us (the engine shut down): there is nothing left to serve with.
    if (this.#closed || this.#engine.closed) return;
    const perConnection = PER_CONNECTION_ERRORS.has(error.code ?? '');
    if (!perConnection) {
      error.syscall = 'accept';
      this.#events.error(error, 'accept');
    }
    const delay = perConnection ? 0 : RETRY_DELAY;
    if (IOCP) {
      // The replacement first, at once: while no instance exists the name is gone, and clients
      // would see ENOENT; and one left in place would take clients it never serves.
      this.#addInstance(delay);
      this.#waiting.delete(instance);
      instance.close();
    } else {
      this.#accept(instance, delay);
    }
  }
}
