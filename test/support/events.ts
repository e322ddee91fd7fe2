// Waiting on emitters, streams and time: what event-driven tests await.
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/** A server of either implementation, as far as starting and stopping it goes. */
interface Listener extends EventEmitter {
  listen(path: string): unknown;
  close(cb?: (error?: Error) => void): unknown;
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles to 'pending' if `promise` has not settled within `ms`. */
export async function settledWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<PromiseSettledResult<T> | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  const settled = Promise.allSettled([promise]).then(([result]) => result as PromiseSettledResult<T>);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the first emission of `event` (its arguments), rejects on `error` first. */
export function once<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      emitter.removeListener('error', onError);
      resolve(args as T);
    };
    const onError = (error: Error): void => {
      emitter.removeListener(event, onEvent);
      reject(error);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}

/** 'close', with its argument, whatever came before it (`once` would reject on an 'error'). */
export function closeOf(socket: EventEmitter): Promise<boolean | undefined> {
  return new Promise((resolve) => socket.once('close', resolve));
}

/** Records the named events of `emitter`, in order. */
export function recordEvents(emitter: EventEmitter, names: string[]): string[] {
  const seen: string[] = [];
  for (const name of names) emitter.on(name, () => seen.push(name));
  return seen;
}

/** Starts `server` listening on `path` and waits for `listening`. */
export async function listening(server: Listener, path: string): Promise<void> {
  server.listen(path);
  await once(server, 'listening');
}

/** Closes `server` and waits for its `close`. */
export function closed(server: Listener): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Reads everything until `end`. */
export async function readAll(socket: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads `length` bytes from a flowing socket. Rejects if it errs, or ends or closes first, so a
 * connection cut short fails the test at once instead of leaving it to time out.
 */
export function readBytes(socket: Duplex, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (error?: Error): void => {
      socket.removeListener('data', onData);
      socket.removeListener('error', settle);
      socket.removeListener('end', onShort);
      socket.removeListener('close', onShort);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else reject(error);
    };
    const onShort = (): void => settle(new Error(`the socket ended after ${total} of ${length} bytes`));
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= length) settle();
    };
    socket.on('data', onData);
    socket.once('error', settle);
    socket.once('end', onShort);
    socket.once('close', onShort);
  });
}

/** Writes `text` to a socket whose peer echoes, and resolves with what comes back. */
export async function echoOnce(socket: Duplex, text = 'ping'): Promise<string> {
  socket.write(text);
  return (await readBytes(socket, Buffer.byteLength(text))).toString();
}
