#include "unix/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "unix/errors.h"

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

// The address for `path`, and a new socket to bind or connect there.
SysError SocketFor(const std::string& path, sockaddr_un* address, UniqueFd* fd) {
  SysError error = MakeAddress(path, address);
  if (error.failed()) return error;
  return NewUnixSocket(fd);
}

// The socket file's mode. node:net (libuv) adds read/write bits for everyone on request;
// currentUserOnly takes every bit away from group and others. Connecting needs write access.
SysError ApplyAccess(const PipeInstanceOptions& options) {
  if (!options.currentUserOnly && !options.readableAll && !options.writableAll) return {};
  struct stat info {};
  if (::stat(options.path.c_str(), &info) != 0) return LastErrnoError();
  mode_t mode = info.st_mode & 07777;
  if (options.readableAll) mode |= S_IRUSR | S_IRGRP | S_IROTH;
  if (options.writableAll) mode |= S_IWUSR | S_IWGRP | S_IWOTH;
  if (options.currentUserOnly) mode = S_IRUSR | S_IWUSR;
  if (::chmod(options.path.c_str(), mode) != 0) return LastErrnoError();
  return {};
}

}  // namespace

SysError ListenUnixSocket(const PipeInstanceOptions& options, UniqueFd* out) {
  const std::string& path = options.path;
  const int backlog = static_cast<int>(options.backlog);
  sockaddr_un address;
  UniqueFd fd;
  SysError error = SocketFor(path, &address, &fd);
  if (error.failed()) return error;
  if (::bind(fd.Get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return LastErrnoError();
  // Before listen(): until then a connect is refused, so nobody connects under the old mode.
  error = ApplyAccess(options);
  if (error.failed()) {
    ::unlink(path.c_str());
    return error;
  }
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
  UniqueFd fd;
  SysError error = SocketFor(path, &address, &fd);
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
