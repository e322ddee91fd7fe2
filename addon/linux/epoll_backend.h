// The Linux backend: non-blocking AF_UNIX sockets on one epoll instance, whose descriptor the
// Node event loop watches (LoopPoll). When it is readable, the loop thread retries the waiting
// operations and delivers what finished at once — one thread wake-up per completion, like
// libuv; a poller thread would add a second (measured: ping-pong 111 vs 60 µs for node:net).
// Everything here therefore runs on the JS thread, and nothing needs a lock — except waits,
// which have an epoll instance and a thread of their own (wait_poller.h says why).
// A read completes when bytes were read or at EOF; a write when every byte went or it failed;
// a flush when the peer has read everything; an accept when a connection was taken.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/epoll.h>

#include "core/backend.h"
#include "linux/loop_poll.h"
#include "unix/unique_fd.h"
#include "linux/wait_poller.h"

namespace proactor {

struct PosixHandle final : Handle {
  ~PosixHandle() override;
  UniqueFd fd;
  bool listener = false;
  bool socket = true;  // false for an adopted FIFO/pipe: written with write(), not send()
  bool adopted = false;  // the caller's fd: others may hold a dup of it
  std::string unlinkOnClose;  // a listening socket's file, removed when it closes (as libuv does)
  // Edge-triggered readiness, as we last saw it: true after a system call answered EAGAIN and
  // before epoll reported the direction ready again. While true, a new operation waits for the
  // edge instead of making a system call sure to fail; otherwise it is tried at once (L2).
  bool readBlocked = false;
  bool writeBlocked = false;
  // Registered with epoll only once an operation first waits: a socket whose operations all
  // finish at once (a connection made and closed, say) never costs an epoll_ctl.
  bool registered = false;
  // The directions epoll watches once registered. EPOLLOUT always: measured, arming it per
  // blocked write costs more than the spare wake-ups it saves (bulk and ping-pong both slower).
  // EPOLLIN while someone reads: armed when a read first waits, disarmed when data finds nobody
  // waiting.
  uint32_t armed = 0;
  // Operations waiting for readiness, in start order.
  std::deque<Operation*> readers;  // recv, or accept on a listener
  std::deque<Operation*> writers;   // send
  std::deque<Operation*> flushers;  // flush: retried on EPOLLOUT, after the writers
};

// Waits carry their own descriptor: a dup of the caller's fd (epoll keys registrations by
// descriptor, so two waits on one fd need two) or a pidfd that pins the process.
struct PosixOperation final : Operation {
  UniqueFd waitFd;
};

class EpollBackend final : public Backend {
 public:
  EpollBackend() = default;
  ~EpollBackend() override;

  SysError Open(CompletionSink* sink, uv_loop_s* loop) override;
  void Stop(std::function<void()> stopped) override;

  std::unique_ptr<Operation> NewOperation() override;
  StartResult StartWait(Operation& op, uint64_t target) override;
  const char* SetWaitEngine(const std::string&) override { return "epoll"; }
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
  bool MayFreeUnfinished() const override { return true; }

 private:
  // The loop found the epoll descriptor readable: reap every ready event and deliver.
  void PollReady();
  void OnEvent(const epoll_event& event, std::vector<Completion>* batch);
  SysError Adopt(UniqueFd&& fd, bool listener, std::shared_ptr<PosixHandle>* out);
  // Each tries the system call once more for `op`; false means "would block, keep waiting".
  // `edge`: epoll has just reported the handle ready in this direction.
  bool TryRecv(PosixHandle& handle, Operation& op, bool edge, Completion* done);
  bool TrySend(PosixHandle& handle, Operation& op, Completion* done);
  bool TryFlush(PosixHandle& handle);
  bool TryAccept(PosixHandle& handle, Operation& op, Completion* done);
  bool TryOp(PosixHandle& handle, Operation& op, bool edge, Completion* done);
  // Arms (`on`) or disarms one direction of `handle`; false, with errno set, if epoll refused.
  bool Interest(PosixHandle& handle, uint32_t direction, bool on);
  void RetryWaiting(PosixHandle& handle, std::deque<Operation*>& queue, std::vector<Completion>* batch);

  UniqueFd epoll_;
  std::unique_ptr<LoopPoll> poll_;
  CompletionSink* sink_ = nullptr;

  std::unordered_map<HandleId, std::weak_ptr<PosixHandle>> handles_;  // those registered with epoll
  std::unique_ptr<WaitPoller> waits_;  // waits live apart: see wait_poller.h
};

}  // namespace proactor
