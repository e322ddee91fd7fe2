// Services each platform provides outside any backend: they need no engine, and binding.cc
// exports most of them to JS as plain functions. addon/win/platform.cc and
// addon/linux/platform.cc define them; CMakeLists.txt compiles exactly one.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace proactor {

// True when this Windows build runs under Wine (ntdll exports wine_get_version), where a few
// documented Windows behaviours are missing (see DESIGN.md, Wine facts). Always false on Linux.
bool RunningUnderWine() noexcept;
// Events for waitForHandle, independent of any engine: a Windows manual-reset event / a Linux
// eventfd (readable while set). Values are raw HANDLEs / fds.
SysError CreateEventObject(uint64_t* out) noexcept;
SysError SetEventObject(uint64_t event) noexcept;
SysError ResetEventObject(uint64_t event) noexcept;
SysError CloseEventObject(uint64_t event) noexcept;
// How many handles (Windows) / file descriptors (Linux) this process has open: tests use it to
// prove waits give back everything they took.
double OpenHandleCount() noexcept;
// How many threads this process runs (benchmarks report what waits cost in threads).
double ThreadCount() noexcept;
// The error for an operation on a handle that is closed or unknown (EBADF).
SysError BadHandle() noexcept;
// The error for an allocation that failed (ENOMEM).
SysError OutOfMemory() noexcept;

}  // namespace proactor
