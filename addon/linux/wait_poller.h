// Waits (waitForHandle's dup'd fds, waitForExit's pidfds) on an epoll instance of their own,
// watched by a thread of their own, started at the first wait.
//
// Why not on the epoll instance the event loop watches, with the sockets: that instance is nested
// in libuv's, and the kernel caps the wake-up paths that may lead to one file through nested
// epoll instances. Linux's fs/eventpoll.c counts them at each EPOLL_CTL_ADD (ep_insert ->
// reverse_path_check, against path_limits[] = {1000, 500, 100, 50, 10} per nesting depth, and
// fails with EINVAL past them; the depth itself is bounded by EP_MAX_NESTS, ELOOP in
// epoll_ctl(2)). Each wait on an event is one more path to its file, so some hundreds of waits
// on one event pass the depth-two limit, and libuv aborts the process when it cannot add our
// epoll fd to its own (bench/decisions.md has the case that showed it). Waits are not on a hot
// path, so the second thread wake-up of the threadsafe function costs nothing that matters.
#pragma once

#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/backend.h"
#include "unix/unique_fd.h"

namespace proactor {

struct LinuxOperation;

class WaitPoller {
 public:
  explicit WaitPoller(CompletionSink* sink) : sink_(sink) {}
  ~WaitPoller() { Stop(); }
  WaitPoller(const WaitPoller&) = delete;
  WaitPoller& operator=(const WaitPoller&) = delete;

  // Watches op.waitFd until it is readable, then posts one completion (value 1) for `token`.
  SysError Arm(LinuxOperation& op, uintptr_t token);
  // Stops watching `op` and posts its cancellation, unless its completion is already on its way
  // (L5). Returns whether it was still armed.
  bool Disarm(LinuxOperation& op, uintptr_t token);
  // Joins the thread; nothing is posted after it.
  void Stop();

 private:
  SysError Start();
  void Run();

  CompletionSink* sink_;
  std::mutex mutex_;  // guards armed_ between the JS thread and the wait thread
  std::unordered_map<uintptr_t, LinuxOperation*> armed_;  // by token
  UniqueFd epoll_;
  UniqueFd wake_;
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace proactor
