#include "linux/socket_io.h"

#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unix/errors.h"
#include "unix/unix_socket.h"

namespace proactor {

SysError NewUnixSocket(UniqueFd* out) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return LastErrnoError();
  *out = std::move(fd);
  return {};
}

bool TryRead(int fd, Operation& op, bool edge, Completion* done) {
  if (op.length == 0) {
    // An edge says it; otherwise ask without consuming anything (poll works for sockets and
    // FIFOs).
    if (edge) return true;
    pollfd check{fd, POLLIN, 0};
    while (::poll(&check, 1, 0) < 0) {
      if (errno != EINTR) {
        done->error = LastErrnoError();
        return true;
      }
    }
    return check.revents != 0;
  }
  for (;;) {
    ssize_t n = ::read(fd, op.data, op.length);
    if (n >= 0) {
      done->bytes = static_cast<uint64_t>(n);
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    // The peer went away with data unread: end of stream, as a broken pipe is on Windows.
    if (errno == ECONNRESET || errno == EPIPE) {
      done->bytes = 0;
      return true;
    }
    done->error = LastErrnoError();
    return true;
  }
}

bool TrySend(int fd, bool socket, Operation& op, Completion* done) {
  while (op.transferred < op.length) {
    // MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE. Pipes (no send()) rely on Node
    // ignoring SIGPIPE, as it does from start-up.
    const size_t left = op.length - op.transferred;
    ssize_t n = socket ? ::send(fd, op.data + op.transferred, left, MSG_NOSIGNAL)
                       : ::write(fd, op.data + op.transferred, left);
    if (n >= 0) {
      op.transferred += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    done->error = LastErrnoError();
    return true;
  }
  done->bytes = op.transferred;
  return true;
}

bool TryAccept(int listener, UniqueFd* accepted, Completion* done) {
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      *accepted = UniqueFd(fd);
      return true;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    done->error = LastErrnoError();
    return true;
  }
}

bool NothingUnread(int fd, bool socket) {
  // An AF_UNIX sender is charged for what it wrote until the peer has read it (or is gone, when
  // the peer's queue is freed): SIOCOUTQ is 0 exactly then, and each read that frees some of it
  // raises EPOLLOUT, which retries the flush. A descriptor that cannot say (a FIFO) has handed
  // its data to the kernel, which delivers it whatever we do next.
  int unread = 0;
  if (!socket || ::ioctl(fd, SIOCOUTQ, &unread) != 0) return true;
  return unread == 0;
}

}  // namespace proactor
