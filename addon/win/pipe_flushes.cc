#include "win/pipe_flushes.h"

#include <algorithm>
#include <system_error>
#include <thread>

#include "win/errors.h"

namespace proactor {

namespace {

// How many times a cancel retries CancelSynchronousIo while the flush thread has not entered
// the kernel yet, yielding between tries. Entering takes a few instructions; should a system
// never report the flush as the thread's synchronous I/O, the cancel falls back to CancelIoEx.
constexpr int kCancelTries = 1000;

}  // namespace

SysError PipeFlushes::Start(WinOperation& op) {
  op.flushState = kFlushQueued;
  op.flushError = ERROR_SUCCESS;
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    std::thread([this, &op] { Run(&op); }).detach();
  } catch (const std::system_error&) {
    return Win32Error(ERROR_NOT_ENOUGH_MEMORY);
  }
  running_.push_back(&op);
  threads_++;
  return {};
}

void PipeFlushes::Run(WinOperation* op) {
  HANDLE self = nullptr;
  // Written before the state says "running": a cancel reads it only after seeing that.
  if (::DuplicateHandle(::GetCurrentProcess(), ::GetCurrentThread(), ::GetCurrentProcess(), &self, 0, FALSE,
                        DUPLICATE_SAME_ACCESS)) {
    op->flushThread = UniqueHandle(self);
  }
  int queued = kFlushQueued;
  DWORD error = ERROR_OPERATION_ABORTED;
  if (op->flushState.compare_exchange_strong(queued, kFlushRunning)) {
    error = ::FlushFileBuffers(op->waitObject.Get()) ? ERROR_SUCCESS : ::GetLastError();
    op->flushState = kFlushDone;
  }
  op->flushError = error;
  const HANDLE port = op->port;
  std::unique_lock<std::mutex> lock(mutex_);
  running_.erase(std::find(running_.begin(), running_.end(), op));
  // The last touch of `op`: once the packet is queued, the JS thread may consume and free it.
  ::PostQueuedCompletionStatus(port, 0, 0, &op->Overlapped());
  threads_--;
  finished_.notify_all();  // under the lock: Stop() may destroy this object as soon as it sees 0
}

void PipeFlushes::Cancel(WinOperation& op) {
  int queued = kFlushQueued;
  if (op.flushState.compare_exchange_strong(queued, kFlushCancelled)) return;  // the thread posts it
  for (int tries = 0; tries < kCancelTries && op.flushState == kFlushRunning; tries++) {
    if (::CancelSynchronousIo(op.flushThread.Get())) return;
    if (::GetLastError() != ERROR_NOT_FOUND) break;
    ::SwitchToThread();
  }
  // Still running and not found: cancel everything pending on the pipe end, the flush included
  // (a flush is only cancelled when its handle closes or the proactor stops, which cancel the
  // rest anyway).
  if (op.flushState == kFlushRunning) ::CancelIoEx(op.waitObject.Get(), nullptr);
}

void PipeFlushes::Stop() {
  std::vector<WinOperation*> running;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running = running_;
  }
  // Safe to touch: an operation is freed only on the JS thread, after its packet — and this runs
  // on the JS thread (or after it has stopped delivering).
  for (WinOperation* op : running) Cancel(*op);
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [this] { return threads_ == 0; });
}

}  // namespace proactor
