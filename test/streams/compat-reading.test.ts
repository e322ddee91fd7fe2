// L12: data reaches the stream the way Node's readable machinery expects. A read that finishes
// at once is never pushed from inside `_read`: a chunk that decodes to nothing (part of a UTF-8
// character) would leave the stream flowing with no read in flight, and it would stall for good.
// Reads of one byte (highWaterMark 1) make every character arrive split, with the rest of it
// already waiting in the pipe: the case that stalled. node:net reads more at a time, and must
// agree on the text.
import { afterEach, describe, expect, it } from 'vitest';
import { uniquePipePath } from '../helpers.js';
import { type AnyServer, type AnySocket, closed, type Impl, impls, listening } from './impls.js';

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
  const servers: AnyServer[] = [];
  const sockets: AnySocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) if (server.listening) await closed(server);
  });

  it('L12: setEncoding, 1-byte reads, every character split while its rest is waiting (server → client)', async () => {
    const path = uniquePipePath('split');
    const server = impl.createServer((socket: AnySocket) => socket.end(text));
    servers.push(server);
    await listening(server, path);
    const socket = impl.connect({ path, readableHighWaterMark: 1 });
    sockets.push(socket);
    socket.setEncoding('utf8');
    expect(await readText(socket)).toBe(text);
  });

  it('L12: setEncoding, 1-byte reads, every character split while its rest is waiting (client → server)', async () => {
    const path = uniquePipePath('split');
    let accepted: (text: Promise<string>) => void = () => undefined;
    const received = new Promise<Promise<string>>((resolve) => (accepted = resolve));
    const server = impl.createServer({ highWaterMark: 1 }, (socket: AnySocket) => {
      socket.setEncoding('utf8');
      accepted(readText(socket));
    });
    servers.push(server);
    await listening(server, path);
    const socket = impl.connect(path);
    sockets.push(socket);
    socket.end(text);
    expect(await await received).toBe(text);
  });

  it('L12: a paused socket resumed later delivers everything, in order, with setEncoding', async () => {
    const path = uniquePipePath('split-pause');
    const server = impl.createServer((socket: AnySocket) => socket.end(text));
    servers.push(server);
    await listening(server, path);
    const socket = impl.connect({ path, readableHighWaterMark: 3 });
    sockets.push(socket);
    socket.setEncoding('utf8');
    socket.pause();
    const reading = readText(socket);
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    expect(await reading).toBe(text);
  });
});
