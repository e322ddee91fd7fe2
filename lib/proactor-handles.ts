// The Proactor's ground floor: it owns the engine and the PipeHandles, and what concerns a
// handle or the proactor as a whole (cancel, close, ref, stats). lib/proactor-pipes.ts adds the
// pipe operations on top, lib/proactor.ts the waits; `Proactor` is the one class users see.
import { invalidArgValue, systemErrorByName } from './errors.js';
import type { Channel } from './engine/channel.js';
import { Engine } from './engine/engine.js';
import { channelOf, PipeHandle } from './pipe-handle.js';
import type { Proactor } from './proactor.js';
import {
  closeTimeout,
  type CloseReport,
  type ProactorCloseOptions,
  type ProactorStats,
} from './proactor-options.js';

const DEFAULT_CLOSE_TIMEOUT = 5000;

let internals: (proactor: ProactorHandles) => {
  engine: Engine;
  handleFor(channel: Channel): PipeHandle;
  channel(handle: unknown, name: string, syscall?: string): Channel;
};

/** @internal The engine under a proactor (for lib/streams; not part of the API). */
export function engineOf(proactor: ProactorHandles): Engine {
  return internals(proactor).engine;
}

/** @internal The one PipeHandle of `channel`, made on first sight. */
export function handleFor(proactor: ProactorHandles, channel: Channel): PipeHandle {
  return internals(proactor).handleFor(channel);
}

/**
 * @internal `handle`'s channel, checked: one of this proactor's PipeHandles (else
 * `ERR_INVALID_ARG_VALUE` naming `name`), and open when `syscall`, the call to make, is given
 * (else `EBADF`).
 */
export function openChannel(
  proactor: ProactorHandles,
  handle: unknown,
  name: string,
  syscall?: string,
): Channel {
  return internals(proactor).channel(handle, name, syscall);
}

/** The part of `Proactor` that owns the engine and the handles (see `Proactor`). */
export abstract class ProactorHandles {
  readonly #engine = new Engine();
  readonly #handles = new WeakMap<Channel, PipeHandle>();
  readonly #internals = {
    engine: this.#engine,
    handleFor: (channel: Channel): PipeHandle => {
      let handle = this.#handles.get(channel);
      if (handle === undefined) {
        handle = new PipeHandle(this as unknown as Proactor, channel);
        this.#handles.set(channel, handle);
      }
      return handle;
    },
    channel: (handle: unknown, name: string, syscall?: string): Channel => {
      if (!(handle instanceof PipeHandle)) throw invalidArgValue(name, handle, 'must be a PipeHandle');
      if (handle.proactor !== (this as unknown)) {
        throw invalidArgValue(name, handle, 'belongs to another proactor');
      }
      const channel = channelOf(handle);
      if (syscall !== undefined && channel.closed) throw systemErrorByName('EBADF', syscall, channel.path);
      return channel;
    },
  };
  static {
    internals = (proactor) => proactor.#internals;
  }

  /**
   * How this proactor waits for handles: `'threadpool'` or `'packet'` on Windows (from
   * `PROACTOR_WAIT_ENGINE`, default `'threadpool'`), `'epoll'` on Linux. No OS call; errors: none.
   */
  readonly waitEngine: string = this.#engine.waitEngine;

  /**
   * How completions reach JS: `'loop'` — the event loop dequeues them itself, one thread wake-up
   * each (Windows: libuv's own completion port; Linux: the loop polls our epoll descriptor) — or
   * `'thread'`, Windows' fallback (a port of our own and a poller thread) for a host whose libuv
   * the addon cannot verify, or when `PROACTOR_DELIVERY=thread` asks for it. No OS call; errors: none.
   */
  readonly delivery: 'loop' | 'thread' = this.#engine.delivery;

  /** True once `close()` has been called. No OS call; errors: none. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Cancels every pending operation on `handle`; the handle stays open and usable. Windows:
   * `CancelIoEx` for each (a `flush`: `CancelSynchronousIo` on its thread). Linux: no OS call;
   * the operations leave their epoll wait.
   *
   * Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`; a closed handle
   * is a no-op. Cancellation: a request (L5): each operation rejects with `AbortError` unless it
   * completed first, and then keeps its result; cancelling twice, or with nothing pending, is a
   * no-op.
   *
   * @example
   * ```js
   * const reading = proactor.recv(client, Buffer.alloc(16));
   * proactor.cancel(client);
   * await reading.catch((error) => console.log(error.name)); // 'AbortError'
   * ```
   */
  cancel(handle: PipeHandle): void {
    this.#internals.channel(handle, 'handle').cancel();
  }

  /**
   * Closes `handle`; the peer reads end of stream. Windows: `CloseHandle` (a pending `flush` is
   * cancelled first, so its duplicate handle does not keep the pipe open). Linux: `close`, and
   * `unlink` of a server instance's socket file.
   *
   * Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`. Closing twice is
   * a no-op. Cancellation: its pending operations reject with `AbortError`, except one that
   * completed first, which keeps its result (L5); their memory stays with the OS until their
   * completions come (L1).
   *
   * @example
   * ```js
   * const reading = proactor.recv(client, Buffer.alloc(16)).catch((error) => error.name);
   * proactor.closeHandle(client);
   * console.log(await reading); // 'AbortError'
   * ```
   */
  closeHandle(handle: PipeHandle): void {
    this.#internals.channel(handle, 'handle').close();
  }

  /**
   * Lets the process exit while `handle` has pending operations (as `socket.unref()`). No OS
   * call: the proactor counts referenced operations and holds the event loop while any are
   * pending. Errors: thrown, not one of this proactor's handles `ERR_INVALID_ARG_VALUE`; a
   * closed handle is a no-op.
   *
   * @example
   * ```js
   * proactor.unrefHandle(client);
   * proactor.recv(client, Buffer.alloc(16)).catch(() => {}); // does not keep the process alive
   * ```
   */
  unrefHandle(handle: PipeHandle): void {
    this.#internals.channel(handle, 'handle').setRef(false);
  }

  /**
   * Undoes `unrefHandle`: pending operations on `handle` keep the process alive again. No OS
   * call. Errors: as `unrefHandle`.
   *
   * @example
   * ```js
   * proactor.refHandle(client);
   * ```
   */
  refHandle(handle: PipeHandle): void {
    this.#internals.channel(handle, 'handle').setRef(true);
  }

  /**
   * This proactor's counters (kept as they were at `close()` once it has closed). No OS call.
   * Errors: none.
   *
   * @example
   * ```js
   * const { pending, unexpected } = proactor.stats(); // unexpected stays 0 (L4)
   * ```
   */
  stats(): ProactorStats {
    return this.#engine.stats();
  }

  /**
   * Cancels every operation and connect, waits for their completions up to `timeout` ms
   * (default 5000), then stops the engine and closes every handle (L9: bounded, never hangs).
   * The report lists operations that never completed, whose memory is kept (L1). Calling it
   * again returns the same report. Windows: `CancelIoEx` (and the waits' and flushes' cancels)
   * for each operation, the event loop's check handle closed (the fallback: a quit packet to its
   * poller thread), `CloseHandle` for each handle.
   * Linux: operations leave their epoll waits, Node's loop stops watching the epoll fd, `close`
   * for each handle (and `unlink` for server instances).
   *
   * Errors: thrown, a bad `timeout` `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`; it never
   * rejects. Cancellation: it is the cancellation: every pending promise settles, with its result
   * if it completed first (L5), `AbortError` if its cancel completed, `ERR_PROACTOR_CLOSED` if
   * nothing came within `timeout` (and busy connects reject with `ERR_PROACTOR_CLOSED`).
   *
   * @example
   * ```js
   * const report = await proactor.close({ timeout: 1000 });
   * if (report.timedOut) console.warn('never completed:', report.operations);
   * ```
   */
  close(options?: ProactorCloseOptions): Promise<CloseReport> {
    const timeout = closeTimeout(options, DEFAULT_CLOSE_TIMEOUT);
    this.#closeReport ??= this.#engine
      .close(timeout)
      .then(({ timedOut, operations }) => ({ timedOut, pending: operations.length, operations }));
    return this.#closeReport;
  }

  #closeReport: Promise<CloseReport> | undefined;
}
