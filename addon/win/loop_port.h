// How a completion reaches JS on Windows with one thread wake-up, the loop thread's: the event
// loop's own completion port carries our packets, and libuv hands them back to us.
//
// libuv's loop blocks in GetQueuedCompletionStatusEx on its port (uv_loop_t's iocp). For each
// packet it takes the request that holds the packet's OVERLAPPED, and for a wake-up request (the
// one a uv_async_t carries) it calls that async handle's callback. So each of our operations
// keeps its OVERLAPPED inside a packet that libuv reads as a uv_async_t of its own (never
// registered with the loop; `data` names this port): our pipes, flushes and waits complete on the
// loop's port, libuv dispatches each packet to OnPacket as part of its loop turn, and a check
// handle, which runs right after the turn's packets, hands them to JS as one batch. libuv's own
// pipes and process exits travel the same way.
//
// Open verifies the layouts (uv_win.h) against a uv_async_t that libuv itself initialised, and
// fails where they differ or the host exports no libuv; the backend then keeps its own port and
// poller thread (iocp_backend.h).
#pragma once

#include <windows.h>

#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/types.h"
#include "win/uv_win.h"

namespace proactor {

class LoopPort {
 public:
  using Deliver = std::function<void(std::vector<Completion>&&)>;

  static SysError Open(uv_loop_s* loop, Deliver deliver, std::unique_ptr<LoopPort>* out);
  // Stops delivering and gives the check handle back to libuv, which frees it (and this object)
  // in its close callback; `closed` runs there. Foreign packets still in the port are disowned.
  static void Close(std::unique_ptr<LoopPort> port, std::function<void()> closed);

  ~LoopPort();
  LoopPort(const LoopPort&) = delete;
  LoopPort& operator=(const LoopPort&) = delete;

  // The loop's completion port: libuv's, never closed by us.
  HANDLE Port() const noexcept { return port_; }
  // Makes `packet` (an operation's, before its OVERLAPPED is used) dispatch to this port.
  void Prepare(uv::Async& packet) const noexcept;
  // For an operation kept after shutdown (L1): a packet that still comes for it is dispatched to
  // nothing (libuv calls no callback), and nothing reads the operation.
  static void Disown(uv::Async& packet) noexcept;
  // Posts a packet for `token`, which names no operation (the tests of L4).
  void PostForeign(uintptr_t token);
  // Completions dequeued this loop turn and not yet delivered (a stop takes them).
  std::vector<Completion> TakeTurn() noexcept { return std::move(turn_); }

 private:
  struct Foreign;
  LoopPort() = default;
  static void OnPacket(uv::Async* packet);
  static void OnForeign(uv::Async* packet);
  static void OnCheck(void* check);
  static void OnClosed(void* check);
  void Add(uintptr_t token, double bytes) noexcept;

  uv::Async template_{};  // what Prepare copies: libuv's own fields of a live async handle
  HANDLE port_ = nullptr;
  std::unique_ptr<unsigned char[]> check_;  // a uv_check_t, sized by libuv at run time
  Deliver deliver_;
  std::function<void()> closed_;
  std::vector<Completion> turn_;
  std::unordered_set<Foreign*> foreign_;  // posted and not yet dispatched
};

}  // namespace proactor
