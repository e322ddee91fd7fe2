// How a PipeSocket hands its writes to the OS: queued ones together, and the byte counts that
// net.Socket reports for them.
import { Writable } from 'node:stream';

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
export function sendCoalesced(
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
