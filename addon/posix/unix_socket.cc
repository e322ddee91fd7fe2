#include "posix/unix_socket.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "posix/errors.h"

namespace proactor {

namespace {

// Fills `address` for `path`. node:net silently truncates a path that does not fit; we refuse
// it, and a path with an embedded NUL, which would name a different file.
SysError MakeAddress(const std::string& path, sockaddr_un* address) {
  std::memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  if (path.empty() || path.find('\0') != std::string::npos) return ErrnoError(EINVAL);
  if (path.size() >= sizeof(address->sun_path)) return ErrnoError(ENAMETOOLONG);
  std::memcpy(address->sun_path, path.data(), path.size());
  return {};
}

SysError NewSocket(UniqueFd* out) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return LastErrnoError();
  *out = std::move(fd);
  return {};
}

}  // namespace

SysError ListenUnixSocket(const std::string& path, int backlog, UniqueFd* out) {
  sockaddr_un address;
  SysError error = MakeAddress(path, &address);
  if (error.failed()) return error;
  UniqueFd fd;
  error = NewSocket(&fd);
  if (error.failed()) return error;
  if (::bind(fd.Get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return LastErrnoError();
  if (::listen(fd.Get(), backlog) != 0) {
    SysError listenError = LastErrnoError();
    ::unlink(path.c_str());
    return listenError;
  }
  *out = std::move(fd);
  return {};
}

SysError ConnectUnixSocket(const std::string& path, UniqueFd* out) {
  sockaddr_un address;
  SysError error = MakeAddress(path, &address);
  if (error.failed()) return error;
  UniqueFd fd;
  error = NewSocket(&fd);
  if (error.failed()) return error;
  int rc;
  do {
    rc = ::connect(fd.Get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return LastErrnoError();
  *out = std::move(fd);
  return {};
}

}  // namespace proactor
