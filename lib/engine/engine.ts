// The engine: one native completion engine and the JS half of its bookkeeping. Every operation
// takes one path through here (`submit`): started by a native call, it finishes either at once
// (the call returned 0 and left its result in scratch) or in a later batch of completions, and
// its callback runs exactly once either way. Internal: the public API (lib/proactor.ts) and the
// streams (lib/streams) are both built on it, and neither reaches past it to the addon.
import { AbortError, abortError, codedError, errnoOf, systemError, type SystemError } from '../errors.js';
import { type InstanceSettings, native, type NativeEngine } from '../native.js';
import { Channel } from './channel.js';
import { IOCP } from './platform.js';
import { foreignCompletionPosted, forgetEngine, registerEngine } from './registry.js';
import {
  COMPLETION_ID,
  COMPLETION_STRIDE,
  COMPLETION_SYS_ERROR,
  COMPLETION_UV_ERROR,
  COMPLETION_VALUE,
  SCRATCH_SYS_ERROR,
  SCRATCH_UV_ERROR,
  SCRATCH_VALUE,
  STATS_BATCHES,
  STATS_CANCELLED,
  STATS_COMPLETED,
  STATS_PENDING,
  STATS_UNEXPECTED,
} from './wire.js';

/** An operation's one result: its value, or the error that ended it. */
export type Settle<V> = (value: V, error: Error | undefined) => void;

/** A native operation's result: a number (bytes, a handle id, an exit code), 0 on error. */
export type Done = Settle<number>;

/** What a failure is reported as: the OS call, the pipe path where one applies, and the signal. */
export interface OperationInfo {
  readonly syscall: string;
  readonly address?: string | undefined;
  /** A cancellation while this signal is aborted rejects with its reason as `cause`. */
  readonly signal?: AbortSignal | undefined;
}

export type { InstanceSettings } from '../native.js';

/** What `close()` found: operations that never completed, whose memory is kept (L1). */
export interface CloseResult {
  timedOut: boolean;
  operations: { id: number; kind: string }[];
}

/** The engine's counters, as `Proactor.stats()` reports them. */
export interface EngineStats {
  pending: number;
  completed: number;
  cancelled: number;
  unexpected: number;
  batches: number;
}

interface PendingOperation {
  readonly info: OperationInfo;
  readonly done: Done;
}

const UV_ECANCELED = errnoOf('ECANCELED');

let warnedWaitEngine = false;
let warnedDelivery = false;

// A wait engine asked for that the system lacks falls back to the thread pool, with one warning
// per process.
function warnIfNotChosen(wanted: string, chosen: string): void {
  if (IOCP && chosen !== wanted && !warnedWaitEngine) {
    warnedWaitEngine = true;
    process.emitWarning(
      `PROACTOR_WAIT_ENGINE=${wanted} is not available here; waits use the '${chosen}' engine`,
      { code: 'PROACTOR_WAIT_ENGINE' },
    );
  }
}

// PROACTOR_DELIVERY set to something unknown (then 'loop'), or completions delivered by the
// event loop itself asked for and not given (the host's libuv is not one the addon can verify:
// it still works, through a poller thread). One warning per process.
function warnIfNotDelivered(asked: string | undefined, chosen: string): void {
  if (warnedDelivery) return;
  const unknown = asked !== undefined && asked !== '' && asked !== 'loop' && asked !== 'thread';
  const fellBack = IOCP && chosen === 'thread' && asked !== 'thread';
  if (!unknown && !fellBack) return;
  warnedDelivery = true;
  process.emitWarning(
    unknown
      ? `PROACTOR_DELIVERY=${asked} is neither 'loop' nor 'thread'; completions are delivered by '${chosen}'`
      : "this host's libuv does not let proactor complete on the event loop's own port; " +
          'completions take a poller thread (one more thread wake-up each)',
    { code: 'PROACTOR_DELIVERY' },
  );
}

// A later throw of one batch, on a tick of its own (see #onBatch).
function rethrow(error: unknown): never {
  throw error;
}

export class Engine {
  /** The addon's engine. Only this layer (the engine and its channels) calls it. */
  readonly native: NativeEngine;
  /** How handles are waited for: 'threadpool' or 'packet' (Windows), 'epoll' (Linux). */
  readonly waitEngine: string;
  /** How completions reach JS: 'loop' (the event loop dequeues them) or 'thread' (Windows' fallback). */
  readonly delivery: 'loop' | 'thread';
  readonly #scratch: Float64Array;
  readonly #operations = new Map<number, PendingOperation>();
  readonly #channels = new Map<number, Channel>();
  readonly #closeListeners = new Set<(error: Error) => void>();
  #unexpected = 0;
  #closing: Promise<CloseResult> | undefined;
  #drained: (() => void) | undefined;
  #finalStats: Float64Array | undefined;

  /**
   * Starts a native engine whose completions the event loop itself dequeues (Windows: libuv's
   * own completion port; Linux: an epoll instance the loop watches). `PROACTOR_WAIT_ENGINE` picks
   * how Windows waits for handles ('threadpool', the default, or 'packet');
   * `PROACTOR_DELIVERY=thread` makes Windows use its fallback, a port of its own and a poller
   * thread. Throws what the OS says.
   */
  constructor() {
    this.native = new native.Engine((batch) => this.#onBatch(batch));
    this.#scratch = this.native.scratch;
    const wanted = process.env.PROACTOR_WAIT_ENGINE || 'threadpool';
    const asked = process.env.PROACTOR_DELIVERY;
    const delivery = asked === 'thread' ? 'thread' : 'loop';
    if (this.native.open(wanted, delivery) < 0)
      throw this.scratchError(IOCP ? 'CreateIoCompletionPort' : 'epoll_create1');
    this.waitEngine = this.native.waitEngine();
    this.delivery = this.native.delivery();
    warnIfNotChosen(wanted, this.waitEngine);
    warnIfNotDelivered(asked, this.delivery);
    registerEngine(this);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The error for anything asked of a closed engine. */
  closedError(): Error {
    return codedError('ERR_PROACTOR_CLOSED', 'The proactor is closed');
  }

  /**
   * The one completion path. `id` is what a native start call returned: 0 when the operation
   * finished at once (L2), and then `done` runs now, from scratch; otherwise `done` runs with
   * the batch that completes it, and its record is forgotten first (L3). Returns `id`, for
   * `cancel`.
   */
  submit(id: number, info: OperationInfo, done: Done): number {
    if (id === 0) {
      const scratch = this.#scratch;
      const uvError = scratch[SCRATCH_UV_ERROR] as number;
      if (uvError === 0) done(scratch[SCRATCH_VALUE] as number, undefined);
      else done(0, this.#resultError(uvError, scratch[SCRATCH_SYS_ERROR] as number, info));
      return 0;
    }
    this.#operations.set(id, { info, done });
    return id;
  }

  /**
   * For the tests of L4: has the addon post a completion that belongs to no operation, along
   * the path real ones take (Windows: a packet on the port they complete on). `stats().unexpected`
   * counts it; nothing else happens.
   */
  postForeignCompletion(): void {
    if (this.closed) return;
    foreignCompletionPosted();
    this.native.postForeignCompletion();
  }

  /** Asks the OS to cancel operation `id` (L5: its completion still comes, maybe a success). */
  cancel(id: number): void {
    if (!this.closed) this.native.cancel(id);
  }

  /** The error a handle call (which returned -1) left in scratch. */
  scratchError(syscall: string, address?: string): SystemError {
    return systemError(
      this.#scratch[SCRATCH_UV_ERROR] as number,
      this.#scratch[SCRATCH_SYS_ERROR] as number,
      syscall,
      address,
    );
  }

  /**
   * A new server instance. Windows: `CreateNamedPipeW`; Linux: a bound, listening AF_UNIX
   * socket. Throws what the OS said (`EADDRINUSE`, ...).
   */
  createInstance(settings: InstanceSettings): Channel {
    if (this.closed) throw this.closedError();
    const id = this.native.createPipeInstance(settings);
    if (id < 0) throw this.scratchError('listen', settings.path);
    return this.channel(id, settings.path);
  }

  /**
   * One attempt to connect (Windows `CreateFileW`, Linux a non-blocking `connect`): the channel,
   * or the error, `EBUSY`/`EAGAIN` when the server is busy (lib/engine/busy-connect.ts retries).
   */
  connectOnce(path: string): Channel | SystemError {
    const id = this.native.connectPipe(path);
    if (id < 0) return this.scratchError('connect', path);
    const channel = this.channel(id, path);
    channel.isClient = true;
    return channel;
  }

  /** Takes ownership of an OS pipe: a Windows `HANDLE` or a Linux fd. Throws what the OS said. */
  adopt(raw: number | bigint, path: string): Channel {
    if (this.closed) throw this.closedError();
    const id = this.native.adoptHandle(raw);
    if (id < 0) throw this.scratchError(IOCP ? 'GetNamedPipeInfo' : 'fcntl', path);
    return this.channel(id, path);
  }

  /**
   * Starts a wait for a handle / fd to be signalled (value 1). With `ref` false the pending wait
   * does not keep the event loop alive; its result is delivered all the same.
   */
  waitHandle(raw: number | bigint, info: OperationInfo, done: Done, ref = true): number {
    if (this.closed) return this.#refuse(done);
    return this.#unrefUnless(ref, this.submit(this.native.waitHandle(raw), info, done));
  }

  /** Starts a wait for a process's exit: value = exit code, minus the signal, or NaN. */
  waitProcess(pid: number, info: OperationInfo, done: Done, ref = true): number {
    if (this.closed) return this.#refuse(done);
    return this.#unrefUnless(ref, this.submit(this.native.waitProcess(pid), info, done));
  }

  #unrefUnless(ref: boolean, id: number): number {
    if (!ref && id !== 0) this.native.setOperationRef(id, false);
    return id;
  }

  // An operation asked of a closed engine: it finishes at once, with the error.
  #refuse(done: Done): number {
    done(0, this.closedError());
    return 0;
  }

  /** The channel for handle `id`, made on first sight (a Windows accept gives back the instance's). */
  channel(id: number, path: string): Channel {
    let channel = this.#channels.get(id);
    if (channel === undefined) {
      channel = new Channel(this, id, path);
      this.#channels.set(id, channel);
    }
    return channel;
  }

  /** A channel closed: the engine no longer answers for its id (the addon never reuses one). */
  forget(id: number): void {
    this.#channels.delete(id);
  }

  /** Calls `fail` if the engine closes first (a connect waiting between its attempts). */
  onClose(fail: (error: Error) => void): void {
    this.#closeListeners.add(fail);
  }

  offClose(fail: (error: Error) => void): void {
    this.#closeListeners.delete(fail);
  }

  stats(): EngineStats {
    const raw = this.#finalStats ?? this.native.stats();
    return {
      pending: raw[STATS_PENDING] ?? 0,
      completed: raw[STATS_COMPLETED] ?? 0,
      cancelled: raw[STATS_CANCELLED] ?? 0,
      unexpected: (raw[STATS_UNEXPECTED] ?? 0) + this.#unexpected,
      batches: raw[STATS_BATCHES] ?? 0,
    };
  }

  /**
   * Cancels everything, waits up to `timeout` ms for the completions, then stops the native
   * engine and closes every handle (L9: bounded). Operations that never completed are reported,
   * and their memory stays with the addon (L1). Calling it again returns the same result.
   */
  close(timeout: number): Promise<CloseResult> {
    this.#closing ??= this.#close(timeout);
    return this.#closing;
  }

  async #close(timeout: number): Promise<CloseResult> {
    for (const fail of [...this.#closeListeners]) fail(this.closedError());
    this.native.cancelAll();
    let timedOut = false;
    if (this.#operations.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeout);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#drained = undefined;
    }
    const unfinished = this.native.shutdown();
    this.#finalStats = this.native.stats();
    const operations: { id: number; kind: string }[] = [];
    for (let i = 0; i + 1 < unfinished.length; i += 2) {
      operations.push({ id: Number(unfinished[i]), kind: String(unfinished[i + 1]) });
    }
    const pending = [...this.#operations.values()];
    this.#operations.clear();
    for (const operation of pending) {
      operation.done(
        0,
        codedError('ERR_PROACTOR_CLOSED', 'The proactor was closed before the operation completed'),
      );
    }
    for (const channel of this.#channels.values()) channel.markClosed();
    this.#channels.clear();
    forgetEngine(this, this.stats().unexpected);
    return { timedOut, operations };
  }

  // One call per batch of completions. A callback that throws (a user's 'data' handler, run
  // from a read's completion) must not cost the other operations of the batch their results:
  // each is settled, and then the first throw goes on to Node, which reports it as it reports a
  // throw from any callback ('uncaughtException'); any later ones follow it, one per tick.
  #onBatch(batch: Float64Array): void {
    let thrown: { error: unknown } | undefined;
    for (let i = 0; i + COMPLETION_STRIDE <= batch.length; i += COMPLETION_STRIDE) {
      const id = batch[i + COMPLETION_ID] as number;
      const operation = this.#operations.get(id);
      if (operation === undefined) {
        this.#unexpected++; // L4: counted, never looked into
        continue;
      }
      this.#operations.delete(id); // L3: finished means forgotten
      const uvError = batch[i + COMPLETION_UV_ERROR] as number;
      try {
        if (uvError === 0) operation.done(batch[i + COMPLETION_VALUE] as number, undefined);
        else {
          const sysError = batch[i + COMPLETION_SYS_ERROR] as number;
          operation.done(0, this.#resultError(uvError, sysError, operation.info));
        }
      } catch (error) {
        if (thrown === undefined) thrown = { error };
        else process.nextTick(rethrow, error);
      }
    }
    if (this.#operations.size === 0) this.#drained?.();
    if (thrown !== undefined) throw thrown.error;
  }

  // A cancelled operation rejects as an abort (with the signal's reason when one was given).
  #resultError(uvError: number, sysError: number, info: OperationInfo): Error {
    if (uvError === UV_ECANCELED) return abortError(info.signal);
    return systemError(uvError, sysError, info.syscall, info.address);
  }
}

/** True when `error` is what a cancelled operation reports. */
export function isCancellation(error: Error): boolean {
  return error instanceof AbortError;
}
