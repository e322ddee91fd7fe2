// One session between a connected pipe and a pair of streams (stdin and stdout, or a child's),
// and the status line that reports it.
//
// A session ends when both directions have: our input ended (and the pipe's writes with it) and
// the peer ended its writes. On Linux the pipe half-closes, so a peer that has nothing to say
// does not cut off what we still send. Windows byte pipes cannot half-close: ending our writes
// waits until the peer has read them, then keeps reading for the socket's `eofTimeout`. When
// our input is a terminal, the peer's end ends the session: nobody types for a server that left.
import type { Readable, Writable } from 'node:stream';
import type { PipeSocket } from 'proactor';

/** A shared input (stdin): given to one pipe at a time; once it ends, later pipes get its end. */
export class Input {
  #ended = false;

  constructor(readonly stream: Readable) {
    stream.once('end', () => (this.#ended = true));
  }

  get isTerminal(): boolean {
    return (this.stream as Readable & { isTTY?: boolean }).isTTY === true;
  }

  /** Sends the input to `socket` until it ends (then ends the socket's writes) or `detach`. */
  attach(socket: PipeSocket): void {
    if (this.#ended) socket.end();
    else this.stream.pipe(socket);
  }

  get ended(): boolean {
    return this.#ended;
  }

  detach(socket: PipeSocket): void {
    this.stream.unpipe(socket);
    this.stream.pause();
  }

  /** Stops reading for good (Ctrl-C): a terminal or pipe left open would keep us alive. */
  close(): void {
    this.stream.destroy();
  }
}

/** Counts and, when wanted, shows a one-line status on stderr: connected, peer pid, bytes. */
export class StatusLine {
  readonly #write: ((text: string) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(write: ((text: string) => void) | undefined) {
    this.#write = write;
  }

  /** Shows `text()` now and every 250 ms until `stop`. */
  start(text: () => string): void {
    if (this.#write === undefined) return;
    const show = (): void => {
      this.#shown = true;
      this.#write?.(`\r${text()}\x1b[K`);
    };
    show();
    this.#timer = setInterval(show, 250);
    this.#timer.unref();
    this.#final = show;
  }

  #final: (() => void) | undefined;

  stop(): void {
    clearInterval(this.#timer);
    this.#final?.();
    if (this.#shown) this.#write?.('\n');
    this.#final = undefined;
    this.#shown = false;
  }
}

/** What the status line says about a session. */
export function describe(socket: PipeSocket, what: string): () => string {
  let peer: number | undefined;
  try {
    peer = socket.peerPid;
  } catch {
    peer = undefined;
  }
  return () =>
    `${what}${peer === undefined ? '' : `, peer pid ${peer}`}: ${socket.bytesWritten} bytes sent, ${socket.bytesRead} received`;
}

/**
 * Runs a session: `input` to the socket, the socket to `output` (which stays open). Resolves when
 * the socket has closed, with the error that closed it, if any.
 */
export function session(
  socket: PipeSocket,
  input: Input,
  output: Writable,
  status: StatusLine,
  what: string,
): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    status.start(describe(socket, what));
    socket.on('error', (error) => (failure ??= error));
    socket.on('end', () => {
      // The peer is done. With our input done too (or a terminal, which nobody will use for a
      // peer that left), so are we; otherwise our writes go on (Linux: half-open). On Windows
      // the peer's end is its close: there is no one left to write to.
      if (input.ended || input.isTerminal || process.platform === 'win32') socket.end();
    });
    socket.once('close', () => {
      input.detach(socket);
      socket.unpipe(output);
      status.stop();
      resolve(failure);
    });
    socket.pipe(output, { end: false });
    input.attach(socket);
    socket.resume();
  });
}
