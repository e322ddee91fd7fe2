// Pipe listing and questions to a pipe, for lib/inspect (core/pipe_inspect.h).
//
// Listing: NtQueryDirectoryFile with FileDirectoryInformation over the named pipe file system's
// root. For a pipe, EndOfFile is its current instance count and AllocationSize its maximum
// (-1: unlimited) ("File System Behavior Overview", MS-FSA; Sysinternals pipelist shows the
// same). Wine 8 and 10 answer STATUS_BAD_DEVICE_TYPE there (DESIGN.md, Wine facts): ENOTSUP.
#include "core/pipe_inspect.h"

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>
#include <winternl.h>

#include <memory>

#include "win/errors.h"
#include "win/named_pipe.h"
#include "win/unique_handle.h"

namespace proactor {

namespace {

// FILE_DIRECTORY_INFORMATION (class 1), which mingw's winternl.h does not declare.
struct DirectoryInformation {
  ULONG NextEntryOffset;
  ULONG FileIndex;
  LARGE_INTEGER CreationTime, LastAccessTime, LastWriteTime, ChangeTime, EndOfFile, AllocationSize;
  ULONG FileAttributes;
  ULONG FileNameLength;
  WCHAR FileName[1];
};
constexpr int kFileDirectoryInformation = 1;
constexpr LONG kStatusNoMoreFiles = static_cast<LONG>(0x80000006);
constexpr LONG kStatusBadDeviceType = static_cast<LONG>(0xC00000CB);

using QueryDirectoryFn = LONG(NTAPI*)(HANDLE, HANDLE, void*, void*, IO_STATUS_BLOCK*, void*, ULONG, int, BOOLEAN,
                                      UNICODE_STRING*, BOOLEAN);

struct LocalFreeDeleter {
  void operator()(void* memory) const noexcept { ::LocalFree(memory); }
};

std::string WideToUtf8(const wchar_t* wide, size_t length) {
  if (length == 0) return std::string();
  int size = ::WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), utf8.data(), size, nullptr, nullptr);
  return utf8;
}

std::string WideToUtf8(const std::wstring& wide) { return WideToUtf8(wide.data(), wide.size()); }

SysError NtError(LONG status) { return Win32Error(NtStatusToWin32(status)); }

// The owner as DOMAIN\user, else its SID string; and owner plus DACL as SDDL.
void ReadSecurity(HANDLE pipe, PipeDetails* out) {
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR raw = nullptr;
  const SECURITY_INFORMATION what = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  if (::GetSecurityInfo(pipe, SE_KERNEL_OBJECT, what, &owner, nullptr, &dacl, nullptr, &raw) != ERROR_SUCCESS) return;
  std::unique_ptr<void, LocalFreeDeleter> descriptor(raw);
  LPWSTR sddl = nullptr;
  if (::ConvertSecurityDescriptorToStringSecurityDescriptorW(raw, SDDL_REVISION_1, what, &sddl, nullptr)) {
    std::unique_ptr<void, LocalFreeDeleter> owned(sddl);
    out->sddl = WideToUtf8(sddl, wcslen(sddl));
  }
  if (owner == nullptr) return;
  wchar_t name[256];
  wchar_t domain[256];
  DWORD nameLength = 256;
  DWORD domainLength = 256;
  SID_NAME_USE use;
  if (::LookupAccountSidW(nullptr, owner, name, &nameLength, domain, &domainLength, &use)) {
    // Well-known accounts (Everyone) have no domain.
    out->owner = WideToUtf8(domainLength == 0 ? std::wstring(name) : std::wstring(domain) + L"\\" + name);
    return;
  }
  LPWSTR sid = nullptr;
  if (::ConvertSidToStringSidW(owner, &sid)) {
    std::unique_ptr<void, LocalFreeDeleter> owned(sid);
    out->owner = WideToUtf8(sid, wcslen(sid));
  }
}

}  // namespace

SysError ListPipes(std::vector<PipeListing>* out) {
  auto query = reinterpret_cast<QueryDirectoryFn>(
      reinterpret_cast<void*>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryDirectoryFile")));
  if (query == nullptr) return Win32Error(ERROR_NOT_SUPPORTED);
  UniqueHandle root(::CreateFileW(L"\\\\.\\pipe\\", FILE_LIST_DIRECTORY | SYNCHRONIZE,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr));
  if (!root.Valid()) return LastWin32Error();
  // ULONG-aligned, as the entries inside it are.
  std::unique_ptr<ULONGLONG[]> buffer(new ULONGLONG[8192]);
  const ULONG bufferSize = 8192 * sizeof(ULONGLONG);
  for (BOOLEAN restart = TRUE;; restart = FALSE) {
    IO_STATUS_BLOCK io{};
    LONG status = query(root.Get(), nullptr, nullptr, nullptr, &io, buffer.get(), bufferSize,
                        kFileDirectoryInformation, FALSE, nullptr, restart);
    if (status == kStatusNoMoreFiles) return {};
    if (status == kStatusBadDeviceType) return Win32Error(ERROR_NOT_SUPPORTED);
    if (status < 0) return NtError(status);
    auto* bytes = reinterpret_cast<const char*>(buffer.get());
    for (ULONG offset = 0;;) {
      auto* entry = reinterpret_cast<const DirectoryInformation*>(bytes + offset);
      PipeListing listing;
      listing.name = WideToUtf8(entry->FileName, entry->FileNameLength / sizeof(WCHAR));
      listing.instances = entry->EndOfFile.QuadPart;
      listing.maxInstances = entry->AllocationSize.QuadPart;
      out->push_back(std::move(listing));
      if (entry->NextEntryOffset == 0) break;
      offset += entry->NextEntryOffset;
    }
  }
}

SysError QueryPipe(const std::string& path, PipeDetails* out) {
  const std::wstring wide = Utf8ToWide(path);
  const DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE;
  // The server may identify us but not act as us (SECURITY_IDENTIFICATION, as every client
  // open of ours): listing pipes with their pids opens every pipe on the machine, perhaps
  // elevated, and impersonating such a caller is how a local server would gain its rights.
  const DWORD flags = SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;
  // READ_CONTROL where the DACL grants it, for the owner and DACL; without it otherwise.
  UniqueHandle pipe(::CreateFileW(wide.c_str(), FILE_READ_ATTRIBUTES | READ_CONTROL, share, nullptr, OPEN_EXISTING,
                                  flags, nullptr));
  bool canReadSecurity = pipe.Valid();
  if (!pipe.Valid() && ::GetLastError() == ERROR_ACCESS_DENIED) {
    pipe = UniqueHandle(
        ::CreateFileW(wide.c_str(), FILE_READ_ATTRIBUTES, share, nullptr, OPEN_EXISTING, flags, nullptr));
  }
  if (!pipe.Valid()) return LastWin32Error();  // ERROR_PIPE_BUSY is EBUSY
  ULONG pid = 0;
  if (::GetNamedPipeServerProcessId(pipe.Get(), &pid)) out->serverPid = pid;
  DWORD maxInstances = 0;
  if (::GetNamedPipeInfo(pipe.Get(), nullptr, nullptr, nullptr, &maxInstances)) out->maxInstances = maxInstances;
  DWORD instances = 0;
  if (::GetNamedPipeHandleStateW(pipe.Get(), nullptr, &instances, nullptr, nullptr, nullptr, 0)) {
    out->instances = instances;
  }
  if (canReadSecurity) ReadSecurity(pipe.Get(), out);
  return {};
}

SysError ProcessImagePath(uint32_t pid, std::string* out) {
  UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process.Valid()) return ProcessOpenError(::GetLastError());
  wchar_t path[MAX_PATH * 4];
  DWORD length = MAX_PATH * 4;
  if (!::QueryFullProcessImageNameW(process.Get(), 0, path, &length)) return LastWin32Error();
  *out = WideToUtf8(path, length);
  return {};
}

}  // namespace proactor
