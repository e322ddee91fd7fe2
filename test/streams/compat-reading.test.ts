// L12: data reaches the stream the way Node's readable machinery expects. A read that finishes
// at once is never pushed from inside `_read`: a chunk that decodes to nothing (part of a UTF-8
// character) would leave the stream flowing with no read in flight, and it would stall for good.
// Reads of one byte (highWaterMark 1) make every character arrive split, with the rest of it
// already waiting in the pipe: the case that stalled. node:net reads more at a time, and must
// agree on the text.
import { describe, expect, it } from 'vitest';
import { compatFixtures } from '../support/compat.js';
import { type AnySocket, type Impl, impls } from './impls.js';

const text = '𝄞 € é あ — '.repeat(40);

/** Everything the socket delivers as text, until 'end', or a rejection if it stalls. */
function readText(socket: AnySocket, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const timer = setTimeout(
      () => reject(new Error(`stalled after ${received.length} of ${text.length} characters`)),
      ms,
    );
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.once('error', reject);
  });
}

describe.each(impls)('$name', (impl: Impl) => {
  const { serve, track } = compatFixtures(impl, 'split');

  it('L12: setEncoding, 1-byte reads, every character split while its rest is waiting (server → client)', async () => {
    const { path } = await serve((socket) => socket.end(text));
    const socket = track(impl.connect({ path, readableHighWaterMark: 1 }));
    socket.setEncoding('utf8');
    expect(await readText(socket)).toBe(text);
  });

  it('L12: setEncoding, 1-byte reads, every character split while its rest is waiting (client → server)', async () => {
    const { path, accepted } = await serve((socket) => socket.setEncoding('utf8'), { highWaterMark: 1 });
    const socket = track(impl.connect(path));
    socket.end(text);
    expect(await readText(await accepted)).toBe(text);
  });

  it('L12: a paused socket resumed later delivers everything, in order, with setEncoding', async () => {
    const { path } = await serve((socket) => socket.end(text));
    const socket = track(impl.connect({ path, readableHighWaterMark: 3 }));
    socket.setEncoding('utf8');
    socket.pause();
    const reading = readText(socket);
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    expect(await reading).toBe(text);
  });
});
