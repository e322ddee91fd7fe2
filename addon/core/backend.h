// The contract every platform backend fulfils. The core and binding.cc see only this header;
// addon/win (IOCP) and addon/linux (epoll) each provide one implementation, and CMakeLists.txt
// compiles exactly one of them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/operation.h"
#include "core/types.h"

struct uv_loop_s;  // libuv's loop, opaque here: only a backend that the loop drives uses it

namespace proactor {

// Where a backend hands its completions, one batch per call.
class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  // Any thread: queues the batch and wakes the JS thread (the one threadsafe function) to
  // deliver it on a later turn of the loop.
  virtual void Post(std::vector<Completion>&& batch) = 0;
  // JS thread, from a libuv callback (no JS on the stack): delivers the batch, and anything
  // queued before it, now.
  virtual void DeliverNow(std::vector<Completion>&& batch) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Creates the port / epoll instance and starts watching it so that a completion reaches JS
  // with one thread wake-up, the loop thread's, as libuv's own do: the event loop dequeues it
  // (Windows: from libuv's own completion port, win/loop_port.h; Linux: libuv polls our epoll
  // descriptor) and the backend delivers with DeliverNow. Windows falls back to a port of its
  // own and a poller thread that Posts batches (two wake-ups) where the host's libuv is not one
  // it can verify, or when `delivery` is "thread".
  virtual SysError Open(CompletionSink* sink, uv_loop_s* loop, const std::string& delivery) = 0;
  // How completions reach JS once open: "loop" or "thread" (the Windows fallback).
  virtual const char* Delivery() const noexcept = 0;
  // Stops watching: after it, nothing is posted or delivered. `stopped` (may be empty) runs
  // once the backend holds nothing of the event loop's — from libuv's close callback, or at once
  // after joining Windows' fallback poller thread — so environment teardown can wait for it.
  virtual void Stop(std::function<void()> stopped) = 0;

  // -- everything below runs on the JS thread --

  virtual std::unique_ptr<Operation> NewOperation() = 0;
  virtual uintptr_t TokenOf(const Operation& op) const = 0;

  // Starts `op` (its kind, handle and buffer are set). L2: the result says whether a
  // completion will follow. kFlush completes once the peer has read everything written before
  // it (or is gone: then nobody can read it, which is not an error); writes queued after a
  // flush wait for it.
  virtual StartResult Start(Operation& op) = 0;
  // Starts a wait (op.kind kWaitHandle: `target` is a Windows HANDLE / Linux fd, which is
  // duplicated so the caller may close theirs; kWaitProcess: `target` is a pid, opened here, so
  // a later reuse of the pid cannot answer for another process). Exactly one completion
  // follows a pending wait, even when it is cancelled (DESIGN L8).
  virtual StartResult StartWait(Operation& op, uint64_t target) = 0;
  // Picks how waits are done ("threadpool" / "packet" on Windows), once, as the engine opens;
  // returns the one in use, which differs from the one asked for when that one is unavailable.
  virtual const char* SetWaitEngine(const std::string& name) = 0;
  // Posts a completion for `token`, which names no operation, along the path real ones take
  // (Windows: a packet on the port its operations complete on): the tests of L4 watch it be
  // counted and ignored.
  virtual void PostForeign(uintptr_t token) = 0;
  // Asks the OS to cancel `op` (L5: a request; its completion still comes, and may be a success).
  virtual void Cancel(Operation& op) = 0;
  // Turns the completion for `op` into its result.
  virtual Outcome ResultOf(Operation& op, const Completion& completion) = 0;

  virtual SysError CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) = 0;
  // One connect attempt. A busy server is reported as EBUSY/EAGAIN; retrying is JS's job (L7).
  virtual SysError ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) = 0;
  // Takes ownership of an existing pipe handle (Windows HANDLE / Linux fd, as an integer) so
  // the engine can do I/O on it, e.g. a child's stdio pipe.
  virtual SysError AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) = 0;
  // Half-close: no more writes from this end; the peer reads EOF. Windows byte pipes cannot
  // (ENOTSUP): a caller flushes, then closes.
  virtual SysError ShutdownWrite(Handle& handle) = 0;
  // Closes the OS handle now; its pending operations complete as cancelled.
  virtual void CloseHandle(Handle& handle) = 0;
  // The process id of the other end of a connected pipe.
  virtual SysError PeerPid(Handle& handle, uint32_t* pid) = 0;
  // An error the OS holds for a new connection that no operation has reported yet — Linux: a
  // listener that closed with the connection still queued leaves ECONNRESET (SO_ERROR), which
  // libuv reports as the connect's result. Windows has none.
  virtual SysError PendingError(Handle& handle) = 0;

  // Shutdown: `op` never completed, and its handle is closed. Returns whether its memory may be
  // freed now. Windows: never (the kernel may still write to it, L1); a packet that still comes
  // for it is then dispatched to nothing. Linux: yes.
  virtual bool Abandon(Operation& op) = 0;
};

// The completion mechanism this build drives: "iocp" on Windows, "epoll" on Linux.
const char* BackendName() noexcept;
std::unique_ptr<Backend> CreateBackend();

}  // namespace proactor
