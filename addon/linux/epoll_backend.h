// The Linux backend: non-blocking AF_UNIX sockets on one epoll instance, whose descriptor the
// Node event loop watches (LoopPoll). When it is readable, the loop thread retries the waiting
// operations and delivers what finished at once — one thread wake-up per completion, like
// libuv; a poller thread would add a second, and measured slower (bench/decisions.md, "the event
// loop watches the sockets' epoll fd").
// Everything here therefore runs on the JS thread, and nothing needs a lock — except waits,
// which have an epoll instance and a thread of their own (wait_poller.h says why).
// A read completes when bytes were read or at EOF; a write when every byte went or it failed;
// a flush when the peer has read everything; an accept when a connection was taken.
//
// This file is the reactor: which operations wait on which socket, and epoll's interest in it.
// The system calls themselves are socket_io.cc's; a wait's descriptor and exit status are
// process_waits.cc's.
#pragma once

#include <sys/epoll.h>

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/backend.h"
#include "linux/linux_types.h"
#include "linux/loop_poll.h"
#include "linux/wait_poller.h"
#include "unix/unique_fd.h"

namespace proactor {

class EpollBackend final : public Backend {
 public:
  EpollBackend() = default;
  ~EpollBackend() override;

  SysError Open(CompletionSink* sink, uv_loop_s* loop, const std::string& delivery) override;
  const char* Delivery() const noexcept override { return "loop"; }
  void Stop(std::function<void()> stopped) override;

  std::unique_ptr<Operation> NewOperation() override { return std::make_unique<LinuxOperation>(); }
  StartResult StartWait(Operation& op, uint64_t target) override;
  const char* SetWaitEngine(const std::string&) override { return "epoll"; }
  void PostForeign(uintptr_t token) override;
  uintptr_t TokenOf(const Operation& op) const override { return static_cast<uintptr_t>(op.id); }
  StartResult Start(Operation& op) override;
  void Cancel(Operation& op) override;
  Outcome ResultOf(Operation& op, const Completion& completion) override;

  SysError CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) override;
  SysError ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) override;
  void CloseHandle(Handle& handle) override;
  SysError PeerPid(Handle& handle, uint32_t* pid) override;
  SysError PendingError(Handle& handle) override;
  SysError AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) override;
  SysError ShutdownWrite(Handle& handle) override;
  bool Abandon(Operation&) override { return true; }

 private:
  // The loop found the epoll descriptor readable: reap every ready event and deliver.
  void PollReady();
  void OnEvent(const epoll_event& event, std::vector<Completion>* batch);
  // Tries `op` once more on `handle` (socket_io.h); false means "would block, keep waiting".
  // `edge`: epoll has just reported the handle ready in this direction.
  bool TryOp(LinuxHandle& handle, Operation& op, bool edge, Completion* done);
  // Arms (`on`) or disarms one direction of `handle`; false, with errno set, if epoll refused.
  bool Interest(LinuxHandle& handle, uint32_t direction, bool on);
  // Retries `queue`'s operations in order until one would block; the finished go to `batch`.
  void RetryWaiting(LinuxHandle& handle, std::deque<Operation*>& queue, std::vector<Completion>* batch);

  UniqueFd epoll_;
  std::unique_ptr<LoopPoll> poll_;
  CompletionSink* sink_ = nullptr;

  std::unordered_map<HandleId, std::weak_ptr<LinuxHandle>> handles_;  // those registered with epoll
  std::unique_ptr<WaitPoller> waits_;  // waits live apart: see wait_poller.h
};

}  // namespace proactor
