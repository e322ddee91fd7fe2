#include "win/thread_pool_waits.h"

#include <vector>

#include "core/backend.h"
#include "win/errors.h"

namespace proactor {

namespace {

constexpr ULONG_PTR kStatusCancelled = 0xC0000120;  // STATUS_CANCELLED

// Hands the wait's one completion straight to the JS thread's queue: the pool thread, then the
// loop thread, as libuv's own process exits take. Not through a port, even the event loop's own:
// the queue wakes the loop once for a burst (10,000 waits signalled at once post 10,000 packets
// otherwise, each a wineserver call under Wine; bench/decisions.md). Only the address travels
// (L4), and it is the last touch of `op` from this thread: once posted, the JS thread may consume
// it and free the operation.
// Nothing may unwind into the pool: an allocation that fails loses this completion with the
// memory, as anything else would be in an out-of-memory process (the engine's Gather does the same).
void Complete(WinOperation* op) noexcept {
  try {
    CompletionSink* sink = op->sink;
    std::vector<Completion> batch(1);
    batch[0].token = reinterpret_cast<uintptr_t>(&op->Overlapped());
    sink->Post(std::move(batch));
  } catch (...) {
  }
}

VOID CALLBACK OnSignalled(PVOID context, BOOLEAN) {
  auto* op = static_cast<WinOperation*>(context);
  int armed = kArmed;
  if (!op->waitState.compare_exchange_strong(armed, kFired)) return;  // a cancel won
  Complete(op);
}

}  // namespace

SysError ThreadPoolWaits::Arm(WinOperation& op) {
  op.Overlapped().Internal = 0;
  op.waitState = kArmed;
  HANDLE registration = nullptr;
  if (!::RegisterWaitForSingleObject(&registration, op.waitObject.Get(), OnSignalled, &op, INFINITE,
                                     WT_EXECUTEINWAITTHREAD | WT_EXECUTEONLYONCE)) {
    return LastWin32Error();
  }
  op.registration = registration;
  op.waitEngine = this;
  registered_.insert(&op);
  return {};
}

void ThreadPoolWaits::Cancel(WinOperation& op) {
  int armed = kArmed;
  if (!op.waitState.compare_exchange_strong(armed, kCancelled)) return;
  registered_.erase(&op);  // the unregisterer's now
  std::lock_guard<std::mutex> lock(mutex_);
  if (!unregisterer_.joinable()) unregisterer_ = std::thread([this] { Run(); });
  cancelled_.push_back(&op);
  wake_.notify_one();
}

void ThreadPoolWaits::ReleaseFired(WinOperation& op) {
  // The callback has posted and touches nothing more; this only frees the registration.
  registered_.erase(&op);
  if (op.registration != nullptr) ::UnregisterWaitEx(op.registration, nullptr);
  op.registration = nullptr;
}

void ThreadPoolWaits::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !cancelled_.empty(); });
    if (cancelled_.empty()) return;  // stopping, and nothing left to unregister
    WinOperation* op = cancelled_.front();
    cancelled_.pop_front();
    lock.unlock();
    // Blocks until a callback that is running returns; a callback that has not started never
    // will (and would find the state cancelled). After this, nothing but us refers to `op`.
    ::UnregisterWaitEx(op->registration, INVALID_HANDLE_VALUE);
    op->registration = nullptr;
    op->Overlapped().Internal = kStatusCancelled;
    Complete(op);
    lock.lock();
  }
}

void ThreadPoolWaits::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (unregisterer_.joinable()) unregisterer_.join();
  for (WinOperation* op : registered_) {
    // A callback that has not started finds the wait cancelled and posts nothing; one that
    // fired has posted (its completion is queued for the JS thread) or is posting, and the
    // blocking unregister waits for it to return.
    int armed = kArmed;
    op->waitState.compare_exchange_strong(armed, kCancelled);
    ::UnregisterWaitEx(op->registration, INVALID_HANDLE_VALUE);
    op->registration = nullptr;
  }
  registered_.clear();
}

}  // namespace proactor
