// When a PipeSocket's 'close' comes: once it is destroyed and none of its operations is still in
// flight, on a later turn of the loop. net.Socket's comes from its handle's close callback, after
// every request has called back, so a connect() from a 'close' listener starts clean.

export class CloseWhenSettled {
  #inFlight = 0; // operations of the current connection that have not called back
  #due: (() => void) | undefined;
  #immediate: NodeJS.Immediate | undefined;

  /** An operation of the current connection has started. */
  started(): void {
    this.#inFlight++;
  }

  /** One has called back. */
  settled(): void {
    if (--this.#inFlight === 0 && this.#due !== undefined) this.#schedule();
  }

  /** The socket is destroyed: `emit` runs once nothing is in flight. */
  due(emit: () => void): void {
    this.#due = emit;
    if (this.#inFlight === 0) this.#schedule();
  }

  /**
   * A due close runs now: the socket connects again, and its 'close' belongs to the old
   * connection. What is still in flight on the old pipe is no longer counted.
   */
  now(): void {
    const emit = this.#due;
    this.#due = undefined;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    this.#inFlight = 0;
    emit?.();
  }

  #schedule(): void {
    this.#immediate ??= setImmediate(() => this.now());
  }
}
