#pragma once

#include <windows.h>

#include "core/types.h"

namespace proactor {

// A Win32 error as JS sees it: libuv's Windows error number (so util.getSystemErrorName() on the
// Windows Node names it) plus the raw code, which becomes `winerror`.
SysError Win32Error(DWORD code) noexcept;
// EADDRINUSE carrying the Win32 code that meant it (a taken pipe name reports access denied).
SysError AddressInUseError(DWORD code) noexcept;
// OpenProcess's failures in process terms: no such process (ESRCH), not allowed (EPERM).
SysError ProcessOpenError(DWORD code) noexcept;
inline SysError LastWin32Error() noexcept { return Win32Error(::GetLastError()); }
// The Win32 error an NTSTATUS stands for (ntdll's RtlNtStatusToDosError).
DWORD NtStatusToWin32(LONG status) noexcept;
// The Win32 error of a finished overlapped operation, whose OVERLAPPED::Internal holds an
// NTSTATUS: ERROR_SUCCESS for any success status.
DWORD OverlappedError(const OVERLAPPED& overlapped) noexcept;

}  // namespace proactor
