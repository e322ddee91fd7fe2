// Named pipe handles: server instances and client connections, overlapped, byte mode.
#pragma once

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

}  // namespace proactor
