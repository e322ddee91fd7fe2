// Named pipe handles: server instances and client connections, overlapped, byte mode; and the
// two questions the backend asks a pipe.
#pragma once

#include <windows.h>

#include <string>

#include "core/types.h"
#include "win/unique_handle.h"

namespace proactor {

std::wstring Utf8ToWide(const std::string& utf8);

// CreateNamedPipeW. The first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE, so a name
// someone already holds (a squatter included) fails with EADDRINUSE. Wine 8 ignores the flag
// (see DESIGN.md, Wine facts).
SysError CreateNamedPipeInstance(const PipeInstanceOptions& options, UniqueHandle* out);
// One CreateFileW attempt. ERROR_PIPE_BUSY comes back as EBUSY: the caller retries on a timer
// (L7) rather than blocking a thread in WaitNamedPipe.
SysError OpenNamedPipeClient(const std::string& path, UniqueHandle* out);

// True when nothing written to `pipe` is left unread: all of its write quota is free (libuv's
// exact test before FlushFileBuffers; a read the peer has waiting lowers the quota, and that
// case simply takes the flush thread, whose flush returns at once), or the other end has closed.
// False when it cannot tell.
bool NothingUnread(HANDLE pipe);
// True when the pipe holds bytes to read. A client that connected, wrote and closed before
// ConnectNamedPipe ran makes it fail with ERROR_NO_DATA, yet what it wrote is still there: that
// is a connection, not a client that came and went (L10 drops only instances with nothing to
// read).
bool HasUnreadData(HANDLE pipe);

}  // namespace proactor
