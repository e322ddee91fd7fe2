// One session between a connected pipe and a pair of streams (stdin and stdout, or a child's),
// and the status line that reports it.
//
// A session ends when both directions have: our input ended (and the pipe's writes with it) and
// the peer ended its writes. On Linux the pipe half-closes, so a peer that has nothing to say
// does not cut off what we still send. Windows byte pipes cannot half-close: ending our writes
// waits until the peer has read them, then keeps reading for the socket's `eofTimeout`. When
// our input is a terminal, the peer's end ends the session: nobody types for a server that left.
import { type Readable, Writable } from 'node:stream';
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

/**
 * A one-line status on stderr (connected, peer pid, bytes), redrawn every 250 ms, shown only when
 * stdout and stderr are both a terminal. The data shares that terminal, so the line is erased
 * before each piece of data and drawn again only once the data has ended a line: a prompt
 * (`> ` with no newline) is never overwritten.
 */
export class StatusLine {
  readonly #write: ((text: string) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #text: (() => string) | undefined;
  #shown = false;
  #atLineStart = true;

  constructor(write: ((text: string) => void) | undefined) {
    this.#write = write;
  }

  /** For a command's --quiet: the status line, or none, as the terminals and the flag say. */
  static for(quiet: boolean, write: (text: string) => void): StatusLine {
    const terminal = process.stdout.isTTY === true && process.stderr.isTTY === true;
    return new StatusLine(!quiet && terminal ? write : undefined);
  }

  /** Shows `text()` now and every 250 ms until `stop`. */
  start(text: () => string): void {
    if (this.#write === undefined) return;
    this.#text = text;
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), 250);
    this.#timer.unref();
  }

  /** `stream`, or a stream in front of it that keeps the status line out of the data's way. */
  output(stream: Writable): Writable {
    if (this.#write === undefined) return stream;
    return new PassThroughTo(stream, (chunk) => {
      this.#erase();
      if (chunk.length > 0) this.#atLineStart = chunk[chunk.length - 1] === 0x0a;
    });
  }

  /** The last figures, on a line of their own. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#text === undefined) return;
    if (!this.#atLineStart) this.#write?.('\n');
    this.#atLineStart = true;
    this.#draw();
    this.#write?.('\n');
    this.#shown = false;
    this.#text = undefined;
  }

  #draw(): void {
    if (!this.#atLineStart || this.#text === undefined) return;
    this.#write?.(`\r${this.#text()}\x1b[K`);
    this.#shown = true;
  }

  #erase(): void {
    if (this.#shown) this.#write?.('\r\x1b[K');
    this.#shown = false;
  }
}

/** Writes each chunk on to `target` (with its backpressure), after `before(chunk)`. */
class PassThroughTo extends Writable {
  constructor(
    readonly target: Writable,
    readonly before: (chunk: Buffer) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.before(chunk);
    if (this.target.write(chunk)) callback();
    else this.target.once('drain', () => callback());
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
    socket.on('error', (error) => (failure ??= error));
    // A queued client that left before its turn: nothing to do.
    if (socket.destroyed) {
      resolve(failure);
      return;
    }
    status.start(describe(socket, what));
    const shown = status.output(output);
    socket.on('end', () => {
      // The peer is done. With our input done too (or a terminal, which nobody will use for a
      // peer that left), so are we; otherwise our writes go on (Linux: half-open). On Windows
      // the peer's end is its close: there is no one left to write to.
      if (input.ended || input.isTerminal || process.platform === 'win32') {
        input.detach(socket);
        socket.end();
      }
    });
    socket.once('close', () => {
      input.detach(socket);
      socket.unpipe(shown);
      status.stop();
      resolve(failure);
    });
    socket.pipe(shown, { end: false });
    input.attach(socket);
    socket.resume();
  });
}
