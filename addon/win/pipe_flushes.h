// Flushing a pipe: FlushFileBuffers returns once the peer has read everything written to the
// pipe (or the pipe broke). It has no overlapped form and blocks its thread, so each flush runs
// on a thread of its own, which posts the operation's one packet when the call returns. Flushes
// are rare (one per end() that finds data still unread; iocp_backend.cc tries a short cut first),
// so a thread each costs little — libuv runs the same call on the system thread pool.
//
// Cancelling (L5, L9) must neither block the JS thread for long nor miss. CancelSynchronousIo
// only cancels I/O that the thread has already issued, so a flush thread goes through three
// states (FlushState): queued — a cancel then wins outright, and the thread posts "cancelled"
// without touching the pipe; running — about to call, or inside, FlushFileBuffers; done. A cancel
// of a running flush repeats CancelSynchronousIo while it answers ERROR_NOT_FOUND (the thread has
// not entered the kernel yet: a few instructions) and the flush is still running. The thread
// flushes its own duplicate of the pipe handle (op.waitObject), so a handle closed and reused
// meanwhile is never someone else's pipe to it; and a thread only ever flushes, so a late cancel
// cannot hit unrelated I/O.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/types.h"
#include "win/win_types.h"

namespace proactor {

class PipeFlushes {
 public:
  PipeFlushes() = default;
  ~PipeFlushes() { Stop(); }
  PipeFlushes(const PipeFlushes&) = delete;
  PipeFlushes& operator=(const PipeFlushes&) = delete;

  // JS thread. Starts flushing `op.waitObject` (a duplicate of the pipe handle) on a new thread;
  // the packet goes to `op.port`, with the result in `op.flushError`.
  SysError Start(WinOperation& op);
  // JS thread. A no-op once the flush is done (its packet is on the way).
  void Cancel(WinOperation& op);
  // Cancels every flush and waits until each thread has posted its packet: after it, no flush
  // thread touches an operation or the port.
  void Stop();

 private:
  void Run(WinOperation* op);

  std::mutex mutex_;
  std::condition_variable finished_;
  std::vector<WinOperation*> running_;  // flushes whose thread has not posted yet
  size_t threads_ = 0;                  // flush threads that may still touch this object
};

}  // namespace proactor
