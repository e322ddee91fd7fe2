// How a PipeSocket hands its writes to the OS: queued ones together, end() (a half-close, or on
// Windows a flush after which reading goes on, L11), and the byte counts net.Socket reports.
import { Writable } from 'node:stream';
import { codedError } from '../errors.js';
import type { SocketHost } from './socket-host.js';
import type { SocketReader } from './socket-reader.js';

export type WriteCallback = (error?: Error | null) => void;

// Queued writes go to the OS together: small ones as one buffer (one system call), big ones each
// as it is. Copying big ones would cost more than it saves, and each write that completes counts
// as activity for the idle timeout: a slow reader draining a long queue must not look idle (as
// with net.Socket, whose timeout waits while its write queue shrinks).
const COALESCE_LIMIT = 64 * 1024;

/**
 * Sends `chunks` in order, one `send` after another, coalescing small neighbours, then calls
 * `callback` (at once, if every send finished at once: a loop, not recursion, runs them).
 */
function sendCoalesced(
  chunks: Buffer[],
  send: (data: Buffer, done: WriteCallback) => void,
  callback: WriteCallback,
): void {
  let index = 0;
  let looping = false;
  let finishedInline = false;
  const next = (error?: Error | null): void => {
    if (error) return callback(error);
    if (looping) {
      finishedInline = true;
      return;
    }
    looping = true;
    do {
      finishedInline = false;
      if (index === chunks.length) {
        looping = false;
        return callback();
      }
      let end = index + 1;
      let size = (chunks[index] as Buffer).length;
      while (end < chunks.length && size + (chunks[end] as Buffer).length <= COALESCE_LIMIT) {
        size += (chunks[end] as Buffer).length;
        end++;
      }
      const data =
        end === index + 1 ? (chunks[index] as Buffer) : Buffer.concat(chunks.slice(index, end), size);
      index = end;
      send(data, next);
    } while (finishedInline);
    looping = false;
  };
  next();
}

export class SocketWriter {
  readonly #host: SocketHost;
  readonly #reader: SocketReader;
  #bytesDispatched = 0;

  constructor(host: SocketHost, reader: SocketReader) {
    this.#host = host;
    this.#reader = reader;
  }

  /** Bytes handed to the OS on this connection. */
  get bytesDispatched(): number {
    return this.#bytesDispatched;
  }

  /** `_write` / `_writev`: the chunks go to the pipe in order, small neighbours as one. */
  write(chunks: Buffer[], callback: WriteCallback): void {
    sendCoalesced(chunks, this.#send, callback);
  }

  #send = (data: Buffer, callback: WriteCallback): void => {
    const host = this.#host;
    const channel = host.channel();
    if (channel === undefined || channel.closed) {
      callback(codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    if (data.length === 0) {
      callback();
      return;
    }
    this.#bytesDispatched += data.length;
    host.active();
    host.started();
    // The callback runs at once when the write finishes at once, as net.Socket's does.
    channel.write(data, (_n, error: (Error & { code?: string }) | undefined) => {
      if (channel !== host.channel()) return; // a write of a connection this socket has left
      host.settled();
      if (error === undefined) {
        host.active();
        callback();
      } else if (error.code === 'ABORT_ERR' && host.stream.destroyed) {
        callback(codedError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'));
      } else callback(error);
    });
  };

  /** `_final`, once connected: the writes are over (see the header). */
  end(callback: WriteCallback): void {
    const host = this.#host;
    const channel = host.channel();
    if (channel === undefined || channel.closed) {
      callback();
      return;
    }
    host.started();
    channel.endWrites((error: (Error & { code?: string }) | undefined, halfClosed) => {
      if (channel !== host.channel()) return; // a connection this socket has left
      host.settled();
      // Linux: a real half-close; the peer reads the end of the stream, we go on reading.
      if (halfClosed) return callback(error);
      // L11, Windows byte pipes: no half-close, and closing now would lose the peer's reply.
      // As libuv: the peer has read everything; keep reading under the eof timer.
      if (host.stream.destroyed) return callback();
      this.#reader.writesFlushed();
      if (error !== undefined && error.code !== 'ABORT_ERR') return callback(error);
      callback();
      this.#reader.armEofTimer();
    });
  }

  /** The socket connects again: its count starts over. */
  reset(): void {
    this.#bytesDispatched = 0;
  }
}

/** The bytes of the chunks a Writable still holds (`writableBuffer`), as net.Socket counts them. */
export function bufferedBytes(stream: Writable): number {
  const { writableBuffer } = stream as unknown as {
    writableBuffer: { chunk: Buffer | string; encoding: BufferEncoding }[];
  };
  let bytes = 0;
  for (const entry of writableBuffer) {
    bytes +=
      typeof entry.chunk === 'string' ? Buffer.byteLength(entry.chunk, entry.encoding) : entry.chunk.length;
  }
  return bytes;
}

/**
 * Whether this Node's Writable itself refuses a string with the encoding 'buffer' (Node 26 does:
 * ERR_UNKNOWN_ENCODING, for net.Socket too). Where it does not, net.Socket's handle refuses the
 * pair later, with its own error; PipeSocket.write() gives that one.
 */
export const WRITABLE_CHECKS_ENCODING = (() => {
  try {
    new Writable({ decodeStrings: false, write: (_chunk, _encoding, callback) => callback() }).write(
      '',
      'buffer' as BufferEncoding,
    );
    return false;
  } catch {
    return true;
  }
})();
