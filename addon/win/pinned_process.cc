// Windows' pinned processes (core/pinned_process.h): a process HANDLE from OpenProcess.
#include "core/pinned_process.h"

#include <windows.h>

#include <limits>

#include "win/errors.h"

namespace proactor {

namespace {

// Node's (Linux) signal numbers, which os.constants.signals also gives on Windows.
constexpr int kSigInt = 2;
constexpr int kSigQuit = 3;
constexpr int kSigKill = 9;
constexpr int kSigTerm = 15;
// The exit code of a terminated process, as libuv's kill gives it (a killed process "returns 1").
constexpr UINT kTerminatedExitCode = 1;
// FILETIME counts 100 ns from 1601; the Unix epoch is this many of them later.
constexpr ULONGLONG kUnixEpochInFileTime = 116444736000000000ULL;

HANDLE AsHandle(uint64_t raw) noexcept { return reinterpret_cast<HANDLE>(static_cast<uintptr_t>(raw)); }

bool StillRunning(HANDLE process) noexcept {
  DWORD code = 0;
  return ::GetExitCodeProcess(process, &code) && code == STILL_ACTIVE &&
         ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
}

}  // namespace

SysError OpenProcessObject(uint32_t pid, bool withTerminate, uint64_t* raw) noexcept {
  SysError injected;
  if (TakeProcessOpenFailure(&injected)) return injected;
  // SYNCHRONIZE to wait, PROCESS_QUERY_LIMITED_INFORMATION for the exit code and start time:
  // both granted across integrity levels. PROCESS_TERMINATE only where the caller has it.
  constexpr DWORD kWatch = SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION;
  HANDLE process = withTerminate ? ::OpenProcess(kWatch | PROCESS_TERMINATE, FALSE, pid) : nullptr;
  if (process == nullptr) process = ::OpenProcess(kWatch, FALSE, pid);
  if (process == nullptr) return ProcessOpenError(::GetLastError());
  *raw = reinterpret_cast<uintptr_t>(process);
  return {};
}

void CloseProcessObject(uint64_t raw) noexcept { ::CloseHandle(AsHandle(raw)); }

double ProcessExitStatus(uint64_t raw) noexcept {
  DWORD code = 0;
  if (!::GetExitCodeProcess(AsHandle(raw), &code)) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(code);
}

SysError PinnedProcess::StartTime(double* ms) const noexcept {
  if (!open_) return Win32Error(ERROR_INVALID_HANDLE);
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetProcessTimes(AsHandle(raw_), &created, &exited, &kernel, &user)) return LastWin32Error();
  const ULONGLONG ticks = (static_cast<ULONGLONG>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
  *ms = static_cast<double>(ticks - kUnixEpochInFileTime) / 10000.0;
  return {};
}

SysError PinnedProcess::Signal(int signal) const noexcept {
  if (!open_) return Win32Error(ERROR_INVALID_HANDLE);
  HANDLE process = AsHandle(raw_);
  switch (signal) {
    case 0:
      return StillRunning(process) ? SysError{} : ProcessOpenError(ERROR_INVALID_PARAMETER);  // ESRCH
    case kSigInt:
    case kSigQuit:
    case kSigKill:
    case kSigTerm: {
      // Refused first for a process that has exited: Windows denies terminating one, but Wine
      // reports success.
      if (!StillRunning(process)) return ProcessOpenError(ERROR_INVALID_PARAMETER);  // ESRCH
      if (::TerminateProcess(process, kTerminatedExitCode)) return {};
      const DWORD code = ::GetLastError();
      // A process that has exited refuses termination with access denied.
      if (code == ERROR_ACCESS_DENIED && !StillRunning(process)) return ProcessOpenError(ERROR_INVALID_PARAMETER);
      return ProcessOpenError(code);
    }
    default:
      return Win32Error(ERROR_CALL_NOT_IMPLEMENTED);  // ENOSYS, as libuv's kill
  }
}

}  // namespace proactor
