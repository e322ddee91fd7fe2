// What the parts of a PipeSocket that do I/O on its pipe (its reader and its writer) need of it.
import type { Duplex } from 'node:stream';
import type { Channel } from '../engine/channel.js';

export interface SocketHost {
  readonly stream: Duplex;
  /** The socket's pipe, if it has one. */
  channel(): Channel | undefined;
  /** An operation of the current connection has started, */
  started(): void;
  /** ... and has called back ('close' waits for them all). */
  settled(): void;
  /** Bytes went through: the idle timeout starts again. */
  active(): void;
}
