// PipeHandle: the public face of one open pipe of a Proactor (its channel in lib/engine).
import type { Channel } from './engine/channel.js';
import type { Proactor } from './proactor.js';

let channelOfHandle: (handle: PipeHandle) => Channel;

/** @internal The channel under a pipe handle (for lib/streams and lib/proactor.ts). */
export function channelOf(handle: PipeHandle): Channel {
  return channelOfHandle(handle);
}

/**
 * A pipe handle owned by a proactor: a server instance, or a connected pipe. It only names the
 * OS handle, which the proactor keeps; pass it to that proactor's methods (`recv`, `send`,
 * `closeHandle`, ...) or to `new PipeSocket({ handle })`. No OS call; errors: none (a method
 * given another proactor's handle throws `ERR_INVALID_ARG_VALUE`).
 *
 * @example
 * ```js
 * import { getDefaultProactor, pipePath } from 'proactor';
 * const handle = await getDefaultProactor().createPipeInstance(pipePath('handle'));
 * console.log(handle.path, handle.closed); // the pipe path, false
 * getDefaultProactor().closeHandle(handle);
 * ```
 */
export class PipeHandle {
  readonly #channel: Channel;
  static {
    channelOfHandle = (handle) => handle.#channel;
  }
  /** @internal */
  constructor(
    /** The proactor that owns the handle; operations on it must go through this proactor. */
    readonly proactor: Proactor,
    channel: Channel,
  ) {
    this.#channel = channel;
  }
  /** The proactor's id for the handle. No OS call; errors: none. */
  get id(): number {
    return this.#channel.id;
  }
  /** The pipe path it was created for or connected to (`''` if adopted without one). No OS call. */
  get path(): string {
    return this.#channel.path;
  }
  /** True once `closeHandle` (or the proactor's `close`) has closed it. No OS call. */
  get closed(): boolean {
    return this.#channel.closed;
  }
}
