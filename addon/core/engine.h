// The completion engine behind one JS Proactor: a backend (a completion port or an epoll
// instance, dequeued by the event loop itself; Windows' fallback is a port and poller thread of
// its own), the table of operations in flight, the handles it owns, and the batched delivery of
// results to JS. Everything here runs on the JS thread except CompletionQueue::Post, which other
// threads call (Windows' fallback poller and its thread-pool wait callbacks, Linux's wait poller).
#pragma once

#include <napi.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "core/backend.h"
#include "core/completion_queue.h"
#include "core/operation.h"

namespace proactor {

// What stats() reports; binding.cc lays it out as core/wire.h says.
struct EngineStats {
  double pending = 0;
  double completed = 0;
  double cancelled = 0;
  double unexpected = 0;
  double batches = 0;  // JS calls that delivered completions: one per batch, not per operation
};

struct UnfinishedOp {
  OpId id;
  OpKind kind;
};

class Engine {
 public:
  // `onBatch(Float64Array)` receives completions as records laid out as core/wire.h says
  // (opId, value, uvError, sysError).
  Engine(Napi::Env env, Napi::Function onBatch);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the backend, its waits done the `waitEngine` way where the system has it, its
  // completions delivered the `delivery` way (Backend::Open).
  SysError Open(const std::string& waitEngine, const std::string& delivery);
  // The wait engine in use once open ("epoll" on Linux).
  const char* WaitEngine() const { return waitEngine_; }
  // How completions reach JS once open: "loop" or "thread" (Backend::Delivery).
  const char* Delivery() const { return backend_->Delivery(); }
  // A completion for no operation (Backend::PostForeign), for the tests of L4.
  void PostForeignCompletion();

  SysError CreatePipeInstance(const PipeInstanceOptions& options, HandleId* out);
  SysError ConnectPipe(const std::string& path, HandleId* out);
  SysError AdoptHandle(uint64_t raw, HandleId* out);
  SysError ShutdownWrite(HandleId id);
  SysError PeerPid(HandleId id, uint32_t* pid);
  SysError PendingError(HandleId id);

  // Starts an operation. Returns true with `*pending` set when a completion will follow;
  // false with `*now` holding the result when it finished at once (L2).
  bool Start(OpKind kind, HandleId handle, Napi::Value pin, uint8_t* data, size_t length, OpId* pending,
             Outcome* now);

  // Starts a wait (see Backend::StartWait); same contract as Start.
  bool StartWait(OpKind kind, uint64_t target, OpId* pending, Outcome* now);

  void Cancel(OpId id);
  void CancelHandle(HandleId id);
  void CloseHandle(HandleId id);
  void SetHandleRef(HandleId id, bool ref);
  // Whether pending operation `id` keeps the event loop alive (a wait with `ref: false` does not;
  // its result is still delivered whenever the loop runs).
  void SetOperationRef(OpId id, bool ref);
  void CancelAll();

  // Stops the backend and closes every handle. Completions still queued are delivered through
  // `onBatch` when `deliver` (never during environment teardown); operations with no completion
  // are reported, and freed only if the backend says the OS is done with them (L1, L9).
  std::vector<UnfinishedOp> Shutdown(bool deliver);

  EngineStats Stats() const;

 private:
  struct Mailbox;   // the backend's sink and the threadsafe function's context; may outlive this
  struct Teardown;  // the environment's async cleanup hook; may outlive this
  static void CallJs(Napi::Env env, Napi::Function callback, Mailbox* mailbox, std::nullptr_t* data);
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* teardown);

  // Makes a handle with `make(std::shared_ptr<Handle>*)` and registers it.
  template <typename Make>
  SysError NewHandle(Make make, HandleId* out);
  Operation* NewOperation(OpKind kind);
  // Drops a finished operation from every table, which frees it.
  void Forget(Operation* op);
  bool Launch(Operation* op, StartResult result, OpId* pending, Outcome* now);
  // From the threadsafe function or a libuv callback (no JS on the stack): anything queued, then
  // `completions`, to JS now, under the rule written above its definition.
  void Deliver(napi_env env, std::vector<Completion>&& completions);
  // Turns what is queued, then `completions`, into results in ready_; an allocation failure
  // keeps what was gathered.
  void Gather(const std::vector<Completion>& completions) noexcept;
  void DeliverReady(napi_env env);
  void CallOnBatch(napi_env env);
  // After a failed Node-API call: a pending JS exception becomes 'uncaughtException'; with none,
  // the environment is stopping, and nothing more is done.
  static void ReportFailure(napi_env env);
  // Turns completions into results, appended to ready_.
  void Collect(const std::vector<Completion>& completions);
  void Record(Operation* op, Outcome&& outcome);
  // Gives a handle the backend made (a new pipe, an accepted connection) its id, the first
  // time it is seen, and keeps it in handles_; returns the id (0 for no handle).
  HandleId Register(const std::shared_ptr<Handle>& handle);
  void Count(Operation& op, bool on);
  Operation* Lookup(OpId id);

  Napi::Env env_;
  std::unique_ptr<Backend> backend_;
  std::shared_ptr<Mailbox> mailbox_;
  std::shared_ptr<Teardown> teardown_;
  napi_async_context asyncContext_ = nullptr;  // for results delivered from a libuv callback
  Napi::TypedThreadSafeFunction<Mailbox, std::nullptr_t, CallJs> tsfn_;
  Napi::FunctionReference onBatch_;

  std::unordered_map<uintptr_t, std::unique_ptr<Operation>> byToken_;
  std::unordered_map<OpId, Operation*> byId_;
  std::unordered_map<HandleId, std::shared_ptr<Handle>> handles_;
  OpId nextOpId_ = 1;
  HandleId nextHandleId_ = 1;

  std::vector<double> ready_;  // completion records (core/wire.h) gathered for the current JS call
  size_t live_ = 0;            // pending operations that keep the event loop alive
  bool open_ = false;
  bool shutDown_ = false;

  double completed_ = 0;
  double cancelled_ = 0;
  double unexpected_ = 0;
  const char* waitEngine_ = "";
  double batches_ = 0;
};

}  // namespace proactor
