#include "win/named_pipe.h"

#include <windows.h>

#include "win/errors.h"

namespace proactor {

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
  if (options.rejectRemoteClients) pipeMode |= PIPE_REJECT_REMOTE_CLIENTS;
  const DWORD maxInstances =
      options.maxInstances == 0 || options.maxInstances >= PIPE_UNLIMITED_INSTANCES ? PIPE_UNLIMITED_INSTANCES
                                                                                     : options.maxInstances;
  HANDLE pipe = ::CreateNamedPipeW(path.c_str(), openMode, pipeMode, maxInstances, options.bufferSize,
                                   options.bufferSize, 0, nullptr);
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

}  // namespace proactor
