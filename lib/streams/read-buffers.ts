// The sockets' read buffers: their default size, and the spares of sockets that closed.

/** The default size of each read, and of the readable side's buffer: 64 KiB. */
export const DEFAULT_READ_SIZE = 64 * 1024;

// Read buffers of sockets that closed before filling them, for the next socket: a server
// taking short-lived connections would otherwise allocate (and collect) 64 KiB per connection.
// Only a buffer whose read has settled comes back: until then it belongs to the OS (L1).
const spareReadBuffers: Buffer[] = [];
const SPARE_READ_BUFFERS = 64;

export function takeReadBuffer(size: number): Buffer {
  return (size === DEFAULT_READ_SIZE && spareReadBuffers.pop()) || Buffer.allocUnsafe(size);
}

export function giveBackReadBuffer(buffer: Buffer): void {
  if (buffer.length === DEFAULT_READ_SIZE && spareReadBuffers.length < SPARE_READ_BUFFERS) {
    spareReadBuffers.push(buffer);
  }
}
