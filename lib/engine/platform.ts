// What the engine layer needs to know of the platform, in one place, so that nothing above it
// has to ask.
import { native } from '../native.js';

/**
 * Windows: I/O completion ports, and named pipes, whose server instances become the
 * connections they accept (a server keeps several waiting and replaces each one used). Linux:
 * epoll, and one listening AF_UNIX socket that accepts new sockets.
 */
export const IOCP = native.backend() === 'iocp';
