// The system calls behind the operations on a socket (or an adopted pipe), one attempt each and
// with no state of their own: the reactor (epoll_backend.cc) decides when to try, and what a
// "would block" means for the handle. Each returns false when the call would block, and true
// when the operation is over, its result in `done` (an error there is a result too).
// socket_io.cc also makes the Linux sockets unix/unix_socket.cc binds and connects
// (NewUnixSocket), with the same flags as its accepts.
#pragma once

#include "core/operation.h"
#include "core/types.h"
#include "unix/unique_fd.h"

namespace proactor {

// Reads into op's buffer. A zero-byte read waits for readiness (data or end of stream) and reads
// nothing; `edge` says epoll has just reported the descriptor readable.
bool TryRead(int fd, Operation& op, bool edge, Completion* done);
// Writes what is left of op's buffer; op.transferred counts what has gone. `socket`: send() with
// MSG_NOSIGNAL, else write().
bool TrySend(int fd, bool socket, Operation& op, Completion* done);
// Takes one connection from a listening socket: `*accepted` holds it (non-blocking,
// close-on-exec), unless `done` carries an error.
bool TryAccept(int listener, UniqueFd* accepted, Completion* done);
// True when the peer has read everything written to `fd` (or is gone); a descriptor that cannot
// say (not a socket) counts as read, as its data is the kernel's to deliver.
bool NothingUnread(int fd, bool socket);

}  // namespace proactor
