#include "win/named_pipe.h"

#include <windows.h>

#include <sddl.h>
#include <winternl.h>

#include <memory>

#include "win/errors.h"
#include "win/unique_handle.h"

namespace proactor {

namespace {

struct LocalFreeDeleter {
  void operator()(void* memory) const noexcept { ::LocalFree(memory); }
};
using LocalMemory = std::unique_ptr<void, LocalFreeDeleter>;

// FILE_PIPE_LOCAL_INFORMATION and its class number, which mingw's winternl.h does not declare.
struct PipeLocalInformation {
  ULONG NamedPipeType, NamedPipeConfiguration, MaximumInstances, CurrentInstances, InboundQuota,
      ReadDataAvailable, OutboundQuota, WriteQuotaAvailable, NamedPipeState, NamedPipeEnd;
};
constexpr int kFilePipeLocalInformation = 24;
constexpr ULONG kPipeClosingState = 4;  // FILE_PIPE_CLOSING_STATE: the other end has closed

// This process's user, as an SDDL SID string ("S-1-5-21-...").
SysError CurrentUserSid(std::wstring* out) {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) return LastWin32Error();
  UniqueHandle token(raw);
  DWORD size = 0;
  ::GetTokenInformation(token.Get(), TokenUser, nullptr, 0, &size);
  std::unique_ptr<BYTE[]> buffer(new BYTE[size]);
  if (!::GetTokenInformation(token.Get(), TokenUser, buffer.get(), size, &size)) return LastWin32Error();
  LPWSTR sid = nullptr;
  if (!::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.get())->User.Sid, &sid)) {
    return LastWin32Error();
  }
  LocalMemory owned(sid);
  *out = sid;
  return {};
}

// The DACL the options ask for, as SDDL; empty for Windows' default (full control for SYSTEM,
// administrators and the creator, read for everyone — so others cannot open it read-write).
SysError SecurityDescriptorString(const PipeInstanceOptions& options, std::wstring* out) {
  if (!options.sddl.empty()) {
    *out = Utf8ToWide(options.sddl);
    return {};
  }
  if (!options.currentUserOnly && !options.readableAll && !options.writableAll) return {};
  std::wstring user;
  SysError error = CurrentUserSid(&user);
  if (error.failed()) return error;
  // Protected (P): nothing inherited widens it.
  std::wstring sddl = L"D:P(A;;GA;;;" + user + L")";
  if (!options.currentUserOnly) {
    sddl += L"(A;;GA;;;SY)(A;;GA;;;BA)";
    if (options.readableAll) sddl += L"(A;;GR;;;WD)";
    if (options.writableAll) sddl += L"(A;;GW;;;WD)";
  }
  *out = std::move(sddl);
  return {};
}

}  // namespace

std::wstring Utf8ToWide(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int length = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(length), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), wide.data(), length);
  return wide;
}

SysError CreateNamedPipeInstance(const PipeInstanceOptions& options, UniqueHandle* out) {
  const std::wstring path = Utf8ToWide(options.path);
  DWORD openMode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
  if (options.first) openMode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
  DWORD pipeMode = PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT;
  // Connections from other machines (SMB) are refused by the system itself, as the flags say at
  // https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipea#pipe_reject_remote_clients
  // (CreateNamedPipeW takes the same flags). Wine accepts it (see DESIGN.md, Wine facts).
  if (options.rejectRemoteClients) pipeMode |= PIPE_REJECT_REMOTE_CLIENTS;
  const DWORD maxInstances =
      options.maxInstances == 0 || options.maxInstances >= PIPE_UNLIMITED_INSTANCES ? PIPE_UNLIMITED_INSTANCES
                                                                                     : options.maxInstances;
  std::wstring sddl;
  SysError error = SecurityDescriptorString(options, &sddl);
  if (error.failed()) return error;
  SECURITY_ATTRIBUTES attributes{};
  LocalMemory descriptor;
  if (!sddl.empty()) {
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &raw, nullptr)) {
      return LastWin32Error();
    }
    descriptor.reset(raw);
    attributes.nLength = sizeof(attributes);
    attributes.lpSecurityDescriptor = raw;
  }
  HANDLE pipe = ::CreateNamedPipeW(path.c_str(), openMode, pipeMode, maxInstances, options.bufferSize,
                                   options.bufferSize, 0, descriptor ? &attributes : nullptr);
  if (pipe == INVALID_HANDLE_VALUE) {
    const DWORD error = ::GetLastError();
    // FILE_FLAG_FIRST_PIPE_INSTANCE on a taken name fails with access denied: the name is in use.
    if (error == ERROR_ACCESS_DENIED && options.first) return AddressInUseError(error);
    return Win32Error(error);
  }
  *out = UniqueHandle(pipe);
  return {};
}

SysError OpenNamedPipeClient(const std::string& path, UniqueHandle* out) {
  const std::wstring wide = Utf8ToWide(path);
  // SECURITY_IDENTIFICATION: the server may learn who we are, but may not act as us.
  HANDLE pipe = ::CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                              FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
  if (pipe == INVALID_HANDLE_VALUE) return LastWin32Error();
  *out = UniqueHandle(pipe);
  return {};
}

bool NothingUnread(HANDLE pipe) {
  using QueryFn = LONG(NTAPI*)(HANDLE, IO_STATUS_BLOCK*, void*, ULONG, int);
  static const auto query = reinterpret_cast<QueryFn>(
      reinterpret_cast<void*>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationFile")));
  if (query == nullptr) return false;
  IO_STATUS_BLOCK io{};
  PipeLocalInformation info{};
  if (query(pipe, &io, &info, sizeof(info), kFilePipeLocalInformation) < 0) return false;
  // Wine 8 reports WriteQuotaAvailable as 0 always, so there every flush takes the thread (a
  // Wine gap found here, not yet among DESIGN.md's Wine facts).
  return info.WriteQuotaAvailable == info.OutboundQuota || info.NamedPipeState == kPipeClosingState;
}

bool HasUnreadData(HANDLE pipe) {
  DWORD available = 0;
  return ::PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, nullptr) && available > 0;
}

}  // namespace proactor
