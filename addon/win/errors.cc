#include "win/errors.h"

namespace proactor {

namespace {

// libuv's error numbers on Windows (its public ABI: uv/errno.h), for the codes we produce.
enum UvWindowsErrno : int32_t {
  kEOF = -4095,
  kUnknown = -4094,
  kEACCES = -4092,
  kEADDRINUSE = -4091,
  kEAGAIN = -4088,
  kEBADF = -4083,
  kEBUSY = -4082,
  kECANCELED = -4081,
  kECONNABORTED = -4079,
  kECONNREFUSED = -4078,
  kECONNRESET = -4077,
  kEEXIST = -4075,
  kEINVAL = -4071,
  kEIO = -4070,
  kEMFILE = -4066,
  kENAMETOOLONG = -4064,
  kENOBUFS = -4060,
  kENOENT = -4058,
  kENOMEM = -4057,
  kENOSYS = -4054,
  kENOTCONN = -4053,
  kENOTSUP = -4049,
  kEPERM = -4048,
  kEPIPE = -4047,
  kESRCH = -4040,
  kETIMEDOUT = -4039,
};

int32_t Translate(DWORD code) noexcept {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_BAD_PATHNAME:
      return kENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
      return kEACCES;
    case ERROR_PIPE_BUSY:
      return kEBUSY;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_BAD_PIPE:
      return kEPIPE;
    case ERROR_PIPE_NOT_CONNECTED:
      return kENOTCONN;
    case ERROR_OPERATION_ABORTED:
      return kECANCELED;
    case ERROR_INVALID_HANDLE:
      return kEBADF;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
      return kEINVAL;
    case ERROR_FILENAME_EXCED_RANGE:
      return kENAMETOOLONG;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
      return kENOMEM;
    case ERROR_TOO_MANY_OPEN_FILES:
      return kEMFILE;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return kEEXIST;
    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
      return kETIMEDOUT;
    case ERROR_NOT_SUPPORTED:
      return kENOTSUP;
    case ERROR_CALL_NOT_IMPLEMENTED:
      return kENOSYS;
    case ERROR_HANDLE_EOF:
      return kEOF;
    case ERROR_CONNECTION_REFUSED:
      return kECONNREFUSED;
    case ERROR_CONNECTION_ABORTED:
      return kECONNABORTED;
    case ERROR_NETNAME_DELETED:
      return kECONNRESET;
    case ERROR_INSUFFICIENT_BUFFER:
      return kENOBUFS;
    case ERROR_GEN_FAILURE:
      return kEIO;
    case ERROR_INVALID_FUNCTION:
      return kEINVAL;
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_WORKING_SET_QUOTA:
      return kEAGAIN;
    default:
      return kUnknown;
  }
}

}  // namespace

SysError Win32Error(DWORD code) noexcept { return SysError{Translate(code), static_cast<int32_t>(code)}; }

SysError ProcessOpenError(DWORD code) noexcept {
  // OpenProcess answers ERROR_INVALID_PARAMETER for a pid no process has.
  if (code == ERROR_INVALID_PARAMETER) return SysError{kESRCH, static_cast<int32_t>(code)};
  if (code == ERROR_ACCESS_DENIED) return SysError{kEPERM, static_cast<int32_t>(code)};
  return Win32Error(code);
}

SysError AddressInUseError(DWORD code) noexcept { return SysError{kEADDRINUSE, static_cast<int32_t>(code)}; }

DWORD NtStatusToWin32(LONG status) noexcept {
  using RtlNtStatusToDosErrorFn = ULONG(WINAPI*)(LONG);
  static const auto convert = reinterpret_cast<RtlNtStatusToDosErrorFn>(
      reinterpret_cast<void*>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "RtlNtStatusToDosError")));
  return convert != nullptr ? convert(status) : ERROR_GEN_FAILURE;
}

DWORD OverlappedError(const OVERLAPPED& overlapped) noexcept {
  const auto status = static_cast<LONG>(overlapped.Internal);
  return status >= 0 ? ERROR_SUCCESS : NtStatusToWin32(status);
}

}  // namespace proactor
