// Node under Wine cannot write to a Unix pipe (EBADF), so it writes to files; these helpers show
// those files live.
import { closeSync, openSync, readSync } from 'node:fs';

/** Copies what a file gained since the last call to `sink`: live output from a log file. */
export function follower(path, sink) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  let offset = 0;
  return {
    drain() {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        if (n === 0) return;
        offset += n;
        // A copy: the buffer is reused while the sink may still hold the chunk.
        sink.write(Buffer.from(buffer.subarray(0, n)));
      }
    },
    close() {
      this.drain();
      closeSync(fd);
    },
  };
}
