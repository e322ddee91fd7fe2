// The Windows backend's handle and operation records.
#pragma once

#include <windows.h>

#include <atomic>

#include "core/operation.h"
#include "win/unique_handle.h"

namespace proactor {

struct WinHandle final : Handle {
  UniqueHandle handle;
  bool server = false;  // a pipe server instance (accept is ConnectNamedPipe on it)
  // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set: a start that succeeds at once queues no
  // packet and finishes inline (L2). False only if the system refused the mode.
  bool skipOnSuccess = false;
};

// The OVERLAPPED lives inside the operation record, so the record's address is known from the
// packet — but we only use it after finding it in the operation table (L4). For waits, whose
// packets we (or the kernel's wait packets) post ourselves, `overlapped.Internal` carries the
// status: STATUS_SUCCESS when signalled, STATUS_CANCELLED when cancelled.
struct WinOperation final : Operation {
  OVERLAPPED overlapped{};

  // Waits only.
  UniqueHandle waitObject;         // our own duplicate of the handle, or the process handle
  HANDLE port = nullptr;           // where the wait's one packet goes
  HANDLE registration = nullptr;   // thread-pool engine: RegisterWaitForSingleObject's handle
  UniqueHandle packet;             // packet engine: the wait completion packet
  std::atomic<int> waitState{0};   // thread-pool engine: WaitState
};

// Which of the wait's two possible reporters (its callback, or a cancel) gets to post its one
// packet: whoever moves the state out of kArmed first.
enum WaitState : int { kArmed = 0, kFired = 1, kCancelled = 2 };

}  // namespace proactor
