// AF_UNIX stream sockets: the Linux stand-in for named pipes (as node:net uses on Unix).
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

}  // namespace proactor
