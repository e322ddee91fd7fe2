// The Windows backend's handle and operation records.
#pragma once

#include <windows.h>

#include <atomic>

#include "core/operation.h"
#include "win/unique_handle.h"
#include "win/uv_win.h"

namespace proactor {

class CompletionSink;
class WaitEngine;

struct WinHandle final : Handle {
  UniqueHandle handle;
  bool server = false;  // a pipe server instance (accept is ConnectNamedPipe on it)
  // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set: a start that succeeds at once queues no
  // packet and finishes inline (L2). False only if the system refused the mode.
  bool skipOnSuccess = false;
};

// The OVERLAPPED lives inside the operation record, so the record's address is known from the
// packet — but we only use it after finding it in the operation table (L4). It sits in `packet`,
// which the event loop's port reads as a uv_async_t's wake-up request (loop_port.h); with our own
// port and poller thread it is only the OVERLAPPED's storage. For waits, whose packets we (or the
// kernel's wait packets) post ourselves, `Overlapped().Internal` carries the status:
// STATUS_SUCCESS when signalled, STATUS_CANCELLED when cancelled.
struct WinOperation final : Operation {
  uv::Async packet{};
  OVERLAPPED& Overlapped() noexcept { return packet.asyncReq.u.io.overlapped; }
  const OVERLAPPED& Overlapped() const noexcept { return packet.asyncReq.u.io.overlapped; }

  // Waits and flushes: operations finished by a thread of ours, not by the kernel.
  UniqueHandle waitObject;           // our own duplicate of the handle (pipe, for a flush), or the process
  HANDLE port = nullptr;             // where the operation's one packet goes
  CompletionSink* sink = nullptr;    // thread-pool waits: their completion goes here, not to `port`
  WaitEngine* waitEngine = nullptr;  // waits: the engine that armed it (wait_engine.h)
  HANDLE registration = nullptr;     // thread-pool engine: RegisterWaitForSingleObject's handle
  UniqueHandle waitPacket;           // packet engine: the wait completion packet
  std::atomic<int> waitState{0};     // thread-pool engine: WaitState

  // Flushes only (pipe_flushes.h).
  std::atomic<int> flushState{0};  // FlushState
  UniqueHandle flushThread;        // the thread blocked in FlushFileBuffers, for CancelSynchronousIo
  DWORD flushError = 0;            // what FlushFileBuffers said
};

// Which of the wait's two possible reporters (its callback, or a cancel) gets to post its one
// packet: whoever moves the state out of kArmed first.
enum WaitState : int { kArmed = 0, kFired = 1, kCancelled = 2 };

// A flush thread's progress; a cancel that finds it queued wins outright (pipe_flushes.h).
enum FlushState : int { kFlushQueued = 0, kFlushRunning = 1, kFlushDone = 2, kFlushCancelled = 3 };

}  // namespace proactor
