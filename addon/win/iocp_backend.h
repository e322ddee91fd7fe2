// The Windows backend: overlapped named-pipe I/O and waits, completing on one I/O completion
// port. That port is the event loop's own (libuv's), which dequeues our packets and hands them
// back through a LoopPort (loop_port.h): one thread wake-up per completion, the loop thread's.
// The fallback, where the host's libuv cannot be verified (or PROACTOR_DELIVERY=thread asks for
// it), is a port of our own and a poller thread blocked in GetQueuedCompletionStatusEx, which
// Posts each batch to the JS thread (a second wake-up).
//
// Start policy (DESIGN L2), applied at every call site: every handle gets
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, so a start that succeeds at once finishes inline with no
// packet (saving the poller-to-JS hop whenever data or buffer space is already there), as does
// one that fails at once (ERROR_PIPE_CONNECTED, ERROR_BROKEN_PIPE, ...); pending and
// ERROR_MORE_DATA (a warning status, which still queues) are finished by their packet. Should a
// system refuse the mode for a handle, success waits for its packet on that handle. The mode:
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
// (no packet when the handle has a port, was opened for overlapped I/O, and the call returns
// success at once; once set, a mode cannot be removed).
#pragma once

#include <windows.h>

#include <string>
#include <thread>

#include "core/backend.h"
#include "win/loop_port.h"
#include "win/pipe_flushes.h"
#include "win/unique_handle.h"
#include "win/waits.h"
#include "win/win_types.h"

namespace proactor {

class IocpBackend final : public Backend {
 public:
  IocpBackend() = default;
  ~IocpBackend() override;

  SysError Open(CompletionSink* sink, uv_loop_s* loop, const std::string& delivery) override;
  const char* Delivery() const noexcept override { return delivery_; }
  void Stop(std::function<void()> stopped) override;

  std::unique_ptr<Operation> NewOperation() override;
  StartResult StartWait(Operation& op, uint64_t target) override;
  const char* SetWaitEngine(const std::string& name) override { return waits_.Choose(name); }
  void PostForeign(uintptr_t token) override;
  uintptr_t TokenOf(const Operation& op) const override;
  StartResult Start(Operation& op) override;
  void Cancel(Operation& op) override;
  Outcome ResultOf(Operation& op, const Completion& completion) override;

  SysError CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) override;
  SysError ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) override;
  void CloseHandle(Handle& handle) override;
  SysError PeerPid(Handle& handle, uint32_t* pid) override;
  SysError PendingError(Handle&) override { return {}; }
  SysError AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) override;
  SysError ShutdownWrite(Handle& handle) override;
  // A pending operation's OVERLAPPED and buffer belong to the kernel until its packet is
  // dequeued; once stopped, nothing of ours will dequeue it (L1).
  bool Abandon(Operation& op) override;

 private:
  void Run();
  // The port our handles and waits complete on: the loop's, or our own.
  HANDLE Port() const noexcept { return loopPort_ ? loopPort_->Port() : ownPort_.Get(); }
  StartResult StartFlush(WinOperation& op, WinHandle& handle);
  SysError Adopt(UniqueHandle&& raw, bool server, std::shared_ptr<Handle>* out);

  const char* delivery_ = "thread";
  std::unique_ptr<LoopPort> loopPort_;  // while the loop dequeues our packets
  UniqueHandle ownPort_;                // the fallback: our own port,
  std::thread poller_;                  // and the thread that dequeues it
  Waits waits_;
  PipeFlushes flushes_;
  CompletionSink* sink_ = nullptr;
};

}  // namespace proactor
