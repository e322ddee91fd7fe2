// Who serves a pipe, asked of the OS (Windows only: on Linux, lib/inspect reads the same facts
// from /proc in JS). The calls are synchronous and short: none of them waits for a peer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace proactor {

// One name under \\.\pipe\: its current and maximum instances, as the named pipe file system
// lists them (FILE_DIRECTORY_INFORMATION: EndOfFile and AllocationSize).
struct PipeListing {
  std::string name;
  int64_t instances = 0;
  int64_t maxInstances = 0;
};

// What a client learns by opening a pipe: the server's pid, its instances, and the pipe's owner
// and DACL where READ_CONTROL was granted. A 0 or an empty string is what the OS did not say.
struct PipeDetails {
  uint32_t serverPid = 0;
  uint32_t instances = 0;
  uint32_t maxInstances = 0;
  std::string owner;  // DOMAIN\user, or the SID string when the name can't be looked up
  std::string sddl;   // owner and DACL, as SDDL
};

// NtQueryDirectoryFile over \\.\pipe\. ENOTSUP where the system cannot list pipes (Wine).
SysError ListPipes(std::vector<PipeListing>* out);
// Opens `path` as a client without read or write access (FILE_READ_ATTRIBUTES, READ_CONTROL
// when granted), asks, and closes. The server sees a client come and go. A pipe whose instances
// are all busy is EBUSY; the caller may retry.
SysError QueryPipe(const std::string& path, PipeDetails* out);
// The full path of a process's image (QueryFullProcessImageNameW).
SysError ProcessImagePath(uint32_t pid, std::string* out);

}  // namespace proactor
