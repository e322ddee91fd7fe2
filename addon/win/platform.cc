// Windows' platform services (core/platform.h): manual-reset events, handle and thread counts,
// and telling Wine from Windows.
#include "core/platform.h"

#include <windows.h>

#include <tlhelp32.h>

#include "win/errors.h"
#include "win/unique_handle.h"

namespace proactor {

SysError BadHandle() noexcept { return Win32Error(ERROR_INVALID_HANDLE); }
SysError OutOfMemory() noexcept { return Win32Error(ERROR_NOT_ENOUGH_MEMORY); }

SysError CreateEventObject(uint64_t* out) noexcept {
  HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);  // manual reset, unset
  if (event == nullptr) return LastWin32Error();
  *out = reinterpret_cast<uintptr_t>(event);
  return {};
}

SysError SetEventObject(uint64_t event) noexcept {
  if (!::SetEvent(reinterpret_cast<HANDLE>(static_cast<uintptr_t>(event)))) return LastWin32Error();
  return {};
}

SysError ResetEventObject(uint64_t event) noexcept {
  if (!::ResetEvent(reinterpret_cast<HANDLE>(static_cast<uintptr_t>(event)))) return LastWin32Error();
  return {};
}

SysError CloseEventObject(uint64_t event) noexcept {
  if (!::CloseHandle(reinterpret_cast<HANDLE>(static_cast<uintptr_t>(event)))) return LastWin32Error();
  return {};
}

double ThreadCount() noexcept {
  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0));
  if (!snapshot.Valid()) return -1;
  const DWORD self = ::GetCurrentProcessId();
  THREADENTRY32 entry{};
  entry.dwSize = sizeof(entry);
  double threads = 0;
  for (BOOL more = ::Thread32First(snapshot.Get(), &entry); more; more = ::Thread32Next(snapshot.Get(), &entry)) {
    if (entry.th32OwnerProcessID == self) threads++;
  }
  return threads;
}

double OpenHandleCount() noexcept {
  DWORD count = 0;
  return ::GetProcessHandleCount(::GetCurrentProcess(), &count) ? static_cast<double>(count) : -1;
}

bool RunningUnderWine() noexcept {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace proactor
