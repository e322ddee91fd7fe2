// AF_UNIX stream sockets: the Unix stand-in for named pipes (as node:net uses on Unix). Plain
// POSIX, except the one call each platform makes its own way (NewUnixSocket).
#pragma once

#include <string>

#include "core/types.h"
#include "unix/unique_fd.h"

namespace proactor {

// A bound, listening, non-blocking socket at `options.path`, its file's mode set from the
// options' access flags. A taken path fails with EADDRINUSE.
SysError ListenUnixSocket(const PipeInstanceOptions& options, UniqueFd* out);
// One non-blocking connect attempt. A full backlog fails with EAGAIN (the caller retries, L7).
SysError ConnectUnixSocket(const std::string& path, UniqueFd* out);

// Defined by the platform (linux/socket_io.cc): a new AF_UNIX stream socket, non-blocking and
// close-on-exec from the moment it exists, so that no fork in another thread inherits it.
// Linux does that in socket() itself (SOCK_NONBLOCK | SOCK_CLOEXEC); a system without those
// flags (macOS) needs another way, so it is not written here.
SysError NewUnixSocket(UniqueFd* out);

}  // namespace proactor
