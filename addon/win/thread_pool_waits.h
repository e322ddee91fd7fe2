// Waits on the Windows thread pool: RegisterWaitForSingleObject, whose callback only hands the
// wait's completion to the engine's sink, straight to the JS thread: the pool thread wakes the
// loop thread, as libuv's own process watch does, with no stop at a port on the way
// (bench/decisions.md, exit notification). This is the engine Wine can run (see DESIGN.md, Wine
// facts), and the default.
//
// Cancelling (DESIGN L8). UnregisterWaitEx only schedules removal unless asked to block until a
// running callback returns — and the JS thread must never block. So a cancel that wins the race
// against the callback (WinOperation::waitState) hands the wait to one small thread of ours,
// which calls the blocking UnregisterWaitEx(INVALID_HANDLE_VALUE) and only then posts the
// "cancelled" completion. Every wait therefore yields exactly one completion: the callback's, or the
// cancel's, never both, and never after the operation was freed — its record is freed by the
// core when that completion is consumed, when we know the callback has run or never will.
// (asyncio's answer, a second wait on an unregister event, needs a second registration per
// cancel; one thread is simpler and costs nothing until the first cancel.)
//
// Stopping (environment teardown, or close() with waits left). A wait still armed would fire
// later, from the pool, and post to an engine that is gone by then. Stop unregisters every armed wait, blocking until a callback that is running
// returns, so nothing posts afterwards; the records stay the core's (L1).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/types.h"
#include "win/wait_engine.h"
#include "win/win_types.h"

namespace proactor {

class ThreadPoolWaits final : public WaitEngine {
 public:
  ThreadPoolWaits() = default;
  ~ThreadPoolWaits() override { Stop(); }
  ThreadPoolWaits(const ThreadPoolWaits&) = delete;
  ThreadPoolWaits& operator=(const ThreadPoolWaits&) = delete;

  const char* Name() const noexcept override { return "threadpool"; }
  // Registers the wait for `op.waitObject`; its completion goes to `op.sink`.
  SysError Arm(WinOperation& op) override;
  // JS thread. A no-op when the callback already fired (its completion is on the way, L5).
  void Cancel(WinOperation& op) override;
  // JS thread, when the completion of a fired wait is consumed: releases the registration.
  void ReleaseFired(WinOperation& op) override;
  // JS thread. Completes pending unregistrations (their completions are posted), joins the thread,
  // and unregisters every wait still armed: after it, no callback of ours runs or posts.
  void Stop() override;

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WinOperation*> cancelled_;
  std::unordered_set<WinOperation*> registered_;  // JS thread only: registrations not yet released
  std::thread unregisterer_;
  bool stopping_ = false;
};

}  // namespace proactor
