#include "core/engine.h"

#include <cstring>
#include <utility>

#include "core/platform.h"
#include "core/wire.h"

namespace proactor {

// The backend's sink and the threadsafe function's context. It is shared with the function's
// finalizer, so a wake-up that Node delivers after this engine is gone finds
// `owner == nullptr` instead of freed memory.
struct Engine::Mailbox final : CompletionSink {
  Napi::TypedThreadSafeFunction<Mailbox, std::nullptr_t, CallJs> tsfn;
  CompletionQueue queue{[this] { tsfn.NonBlockingCall(); }};
  Engine* owner = nullptr;

  void Post(std::vector<Completion>&& batch) override { queue.Post(std::move(batch)); }
  void DeliverNow(std::vector<Completion>&& batch) override {
    if (owner != nullptr) owner->Deliver(owner->env_, std::move(batch));
  }
};

// Environment teardown waits (an async cleanup hook) until the backend has let go of the event
// loop — on Linux that is libuv's close callback for the poll handle, a loop turn later; Node
// aborts a worker whose loop still has handles. The stop can finish after this engine is
// gone, so the hook's handle lives here, shared with the stop's callback.
struct Engine::Teardown {
  napi_env env = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;
  Engine* owner = nullptr;

  void Release() {
    if (hook != nullptr) napi_remove_async_cleanup_hook(hook);
    hook = nullptr;
  }
};

void Engine::OnTeardown(napi_async_cleanup_hook_handle, void* data) {
  auto* teardown = static_cast<Teardown*>(data);
  // Shutdown stops the backend, whose callback releases the hook; if a stop is already on its
  // way (close() ran, or this engine is gone), that stop's callback does it.
  if (teardown->owner != nullptr) teardown->owner->Shutdown(false);
}

Engine::Engine(Napi::Env env, Napi::Function onBatch)
    : env_(env), backend_(CreateBackend()), mailbox_(std::make_shared<Mailbox>()),
      teardown_(std::make_shared<Teardown>()) {
  onBatch_ = Napi::Persistent(onBatch);
  mailbox_->owner = this;
  auto* keepAlive = new std::shared_ptr<Mailbox>(mailbox_);
  mailbox_->tsfn = Napi::TypedThreadSafeFunction<Mailbox, std::nullptr_t, CallJs>::New(
      env, onBatch, "proactor", 0, 1, mailbox_.get(),
      [](Napi::Env, std::shared_ptr<Mailbox>* keep, Mailbox*) { delete keep; }, keepAlive);
  tsfn_ = mailbox_->tsfn;
  // The loop is held open only while a referenced operation is pending (see Count).
  tsfn_.Unref(env);
  napi_value resourceName = Napi::String::New(env, "proactor");
  NAPI_THROW_IF_FAILED_VOID(env, napi_async_init(env, nullptr, resourceName, &asyncContext_));
  teardown_->env = env;
  teardown_->owner = this;
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_async_cleanup_hook(env, OnTeardown, teardown_.get(), &teardown_->hook));
}

Engine::~Engine() {
  if (!shutDown_) {
    Shutdown(false);
  }
  teardown_->owner = nullptr;
}

SysError Engine::Open(const std::string& waitEngine, const std::string& delivery) {
  uv_loop_s* loop = nullptr;
  if (napi_get_uv_event_loop(env_, &loop) != napi_ok) return BadHandle();
  SysError error = backend_->Open(mailbox_.get(), loop, delivery);
  open_ = !error.failed();
  if (open_) waitEngine_ = backend_->SetWaitEngine(waitEngine);
  return error;
}

void Engine::PostForeignCompletion() {
  // An address that no operation can have: this object's own.
  static const char kForeign = 0;
  if (open_ && !shutDown_) backend_->PostForeign(reinterpret_cast<uintptr_t>(&kForeign));
}

void Engine::CallJs(Napi::Env env, Napi::Function, Mailbox* mailbox, std::nullptr_t*) {
  // No env: Node is tearing the threadsafe function down, and nothing may reach JS.
  if (env == nullptr || mailbox == nullptr || mailbox->owner == nullptr) return;
  mailbox->owner->Deliver(env, {});
}

HandleId Engine::Register(const std::shared_ptr<Handle>& handle) {
  if (!handle) return 0;
  if (handle->id == 0) handle->id = nextHandleId_++;
  handles_.emplace(handle->id, handle);
  return handle->id;
}

Operation* Engine::Lookup(OpId id) {
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second;
}

void Engine::Count(Operation& op, bool on) {
  if (on == op.counted) return;
  op.counted = on;
  if (on) {
    // Plain calls (they cannot fail on a live function): Count also runs inside Deliver.
    if (live_++ == 0) napi_ref_threadsafe_function(env_, tsfn_);
  } else {
    if (--live_ == 0 && !shutDown_) napi_unref_threadsafe_function(env_, tsfn_);
  }
}

template <typename Make>
SysError Engine::NewHandle(Make make, HandleId* out) {
  if (!open_ || shutDown_) return BadHandle();
  std::shared_ptr<Handle> handle;
  SysError error = make(&handle);
  if (error.failed()) return error;
  *out = Register(handle);
  return {};
}

SysError Engine::CreatePipeInstance(const PipeInstanceOptions& options, HandleId* out) {
  return NewHandle([&](std::shared_ptr<Handle>* h) { return backend_->CreatePipeInstance(options, h); }, out);
}

SysError Engine::ConnectPipe(const std::string& path, HandleId* out) {
  return NewHandle([&](std::shared_ptr<Handle>* h) { return backend_->ConnectPipe(path, h); }, out);
}

SysError Engine::AdoptHandle(uint64_t raw, HandleId* out) {
  return NewHandle([&](std::shared_ptr<Handle>* h) { return backend_->AdoptHandle(raw, h); }, out);
}

SysError Engine::ShutdownWrite(HandleId id) {
  auto it = handles_.find(id);
  if (it == handles_.end() || shutDown_) return BadHandle();
  return backend_->ShutdownWrite(*it->second);
}

SysError Engine::PeerPid(HandleId id, uint32_t* pid) {
  auto it = handles_.find(id);
  if (it == handles_.end() || shutDown_) return BadHandle();
  return backend_->PeerPid(*it->second, pid);
}

SysError Engine::PendingError(HandleId id) {
  auto it = handles_.find(id);
  if (it == handles_.end() || shutDown_) return BadHandle();
  return backend_->PendingError(*it->second);
}

bool Engine::Start(OpKind kind, HandleId handleId, Napi::Value pin, uint8_t* data, size_t length,
                   OpId* pending, Outcome* now) {
  auto handle = handles_.find(handleId);
  if (!open_ || shutDown_ || handle == handles_.end()) {
    now->error = BadHandle();
    return false;
  }
  Operation* op = NewOperation(kind);
  op->handle = handle->second;
  op->handle->pending.insert(op);
  op->data = data;
  op->length = length;
  if (!pin.IsEmpty() && !pin.IsUndefined()) op->pin = Napi::Persistent(pin);
  return Launch(op, backend_->Start(*op), pending, now);
}

bool Engine::StartWait(OpKind kind, uint64_t target, OpId* pending, Outcome* now) {
  if (!open_ || shutDown_) {
    now->error = BadHandle();
    return false;
  }
  Operation* op = NewOperation(kind);
  return Launch(op, backend_->StartWait(*op, target), pending, now);
}

Operation* Engine::NewOperation(OpKind kind) {
  std::unique_ptr<Operation> owned = backend_->NewOperation();
  Operation* op = owned.get();
  op->id = nextOpId_++;
  op->kind = kind;
  // In the table before the OS sees it: the completion may be dequeued before Start returns.
  byToken_.emplace(backend_->TokenOf(*op), std::move(owned));
  byId_.emplace(op->id, op);
  return op;
}

bool Engine::Launch(Operation* op, StartResult result, OpId* pending, Outcome* now) {
  if (!result.pending) {
    *now = std::move(result.outcome);
    if (now->handle) now->value = Register(now->handle);  // an accept: its connection's id
    Forget(op);  // L3: finished means forgotten
    return false;
  }
  if (!op->handle || op->handle->ref) Count(*op, true);
  *pending = op->id;
  return true;
}

void Engine::Cancel(OpId id) {
  Operation* op = Lookup(id);
  // L5: cancelling a finished operation, or cancelling twice, changes nothing.
  if (op == nullptr || op->cancelRequested) return;
  op->cancelRequested = true;
  backend_->Cancel(*op);
}

void Engine::CancelHandle(HandleId id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  // A copy: on Linux a cancel completes nothing inline, but the set is the core's to change.
  std::vector<OpId> ids;
  for (Operation* op : it->second->pending) ids.push_back(op->id);
  for (OpId opId : ids) Cancel(opId);
}

void Engine::CloseHandle(HandleId id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  for (Operation* op : it->second->pending) op->cancelRequested = true;
  backend_->CloseHandle(*it->second);
  handles_.erase(it);
}

void Engine::SetHandleRef(HandleId id, bool ref) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  it->second->ref = ref;
  for (Operation* op : it->second->pending) Count(*op, ref);
}

void Engine::SetOperationRef(OpId id, bool ref) {
  Operation* op = Lookup(id);
  if (op != nullptr && !shutDown_) Count(*op, ref);
}

void Engine::CancelAll() {
  std::vector<OpId> ids;
  ids.reserve(byId_.size());
  for (const auto& [opId, op] : byId_) ids.push_back(opId);
  for (OpId opId : ids) Cancel(opId);
}

void Engine::Record(Operation* op, Outcome&& outcome) {
  if (outcome.error.failed() && op->cancelRequested) {
    cancelled_++;
  } else {
    completed_++;
  }
  if (outcome.handle) outcome.value = Register(outcome.handle);  // an accept: its connection's id
  const size_t record = ready_.size();
  ready_.resize(record + wire::kCompletionStride);
  ready_[record + wire::kCompletionId] = static_cast<double>(op->id);
  ready_[record + wire::kCompletionValue] = outcome.error.failed() ? 0 : outcome.value;
  ready_[record + wire::kCompletionUvError] = outcome.error.uv;
  ready_[record + wire::kCompletionSysError] = outcome.error.sys;
  Count(*op, false);
  Forget(op);  // L3: the record, its OVERLAPPED and the buffer pin go now
}

void Engine::Forget(Operation* op) {
  if (op->handle) op->handle->pending.erase(op);
  const uintptr_t token = backend_->TokenOf(*op);
  byId_.erase(op->id);
  byToken_.erase(token);  // frees the operation
}

void Engine::Collect(const std::vector<Completion>& completions) {
  for (const Completion& completion : completions) {
    auto it = byToken_.find(completion.token);
    if (it == byToken_.end()) {
      unexpected_++;  // L4: counted, never dereferenced
      continue;
    }
    Operation* op = it->second.get();
    Record(op, backend_->ResultOf(*op, completion));
  }
}

// Delivery, the one place where results reach JS. Its rule:
//  - Once the environment is stopping, nothing reaches JS: the batch is dropped quietly. Node
//    still turns the loop while it tears an environment down (a worker's terminate() or
//    process.exit(), the end of the main thread), and it may call us then; from that point every
//    Node-API call that would run JS fails, and a failure with no exception pending is read as
//    exactly that. The operations are finished already, so nothing is left pending; memory the
//    OS may still write into is kept by Shutdown (L1).
//  - No exception crosses the Node-API boundary, and none escapes to the OS: only plain
//    Node-API calls here, each status checked, and C++ exceptions stop in this function.
//  - A throw from JS (a user's callback, run inside the batch) surfaces as any callback's throw
//    in Node does: as 'uncaughtException', and the process dies of it if nothing handles it.
void Engine::Deliver(napi_env env, std::vector<Completion>&& completions) {
  if (shutDown_) return;
  Gather(completions);
  DeliverReady(env);
}

void Engine::Gather(const std::vector<Completion>& completions) noexcept {
  try {
    Collect(mailbox_->queue.TakeAll());  // posted earlier (cancellations): first
    Collect(completions);
  } catch (...) {
    // An allocation failed while gathering results. What was gathered goes to JS; the rest is
    // lost with the memory, as anything else would be in an out-of-memory Node.
  }
}

void Engine::DeliverReady(napi_env env) {
  if (ready_.empty()) return;
  napi_handle_scope scope = nullptr;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    ready_.clear();
    return;
  }
  CallOnBatch(env);
  napi_close_handle_scope(env, scope);
}

// ready_ is empty afterwards: handed to JS, or dropped. It is emptied before JS runs, which may
// close this engine and so deliver again from inside the call.
void Engine::CallOnBatch(napi_env env) {
  const size_t bytes = ready_.size() * sizeof(double);
  void* data = nullptr;
  napi_value buffer = nullptr;
  napi_value batch = nullptr;
  napi_value onBatch = nullptr;
  napi_value global = nullptr;
  napi_value result = nullptr;
  if (napi_create_arraybuffer(env, bytes, &data, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, ready_.size(), buffer, 0, &batch) != napi_ok ||
      napi_get_reference_value(env, onBatch_, &onBatch) != napi_ok || onBatch == nullptr ||
      napi_get_global(env, &global) != napi_ok) {
    ready_.clear();
    return ReportFailure(env);
  }
  std::memcpy(data, ready_.data(), bytes);
  ready_.clear();
  batches_++;
  // As a callback from Node's own I/O: async hooks see it, and promise reactions and
  // process.nextTick callbacks run before the loop goes on.
  if (napi_make_callback(env, asyncContext_, global, onBatch, 1, &batch, &result) != napi_ok) {
    ReportFailure(env);
  }
}

void Engine::ReportFailure(napi_env env) {
  bool pending = false;
  napi_value error = nullptr;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return;  // stopping: drop
  if (napi_get_and_clear_last_exception(env, &error) != napi_ok) return;
  napi_fatal_exception(env, error);  // 'uncaughtException', as for any throwing callback
}

std::vector<UnfinishedOp> Engine::Shutdown(bool deliver) {
  std::vector<UnfinishedOp> unfinished;
  if (shutDown_) return unfinished;
  shutDown_ = true;
  backend_->Stop([teardown = teardown_] { teardown->Release(); });
  if (deliver) {
    Gather({});
    DeliverReady(env_);
  } else {
    for (const Completion& completion : mailbox_->queue.TakeAll()) {
      auto it = byToken_.find(completion.token);
      if (it != byToken_.end()) Record(it->second.get(), backend_->ResultOf(*it->second, completion));
    }
    ready_.clear();
  }
  for (auto& [id, handle] : handles_) backend_->CloseHandle(*handle);
  handles_.clear();

  for (auto& [token, op] : byToken_) {
    unfinished.push_back({op->id, op->kind});
    if (op->handle) op->handle->pending.erase(op.get());
    if (!backend_->Abandon(*op)) {
      // L1: the OS may still write into this OVERLAPPED and buffer. Keep both forever rather
      // than free memory the kernel owns; the report tells the caller this happened.
      op->pin.SuppressDestruct();
      (void)op.release();
    }
  }
  byToken_.clear();
  byId_.clear();
  live_ = 0;
  mailbox_->owner = nullptr;
  tsfn_.Release();
  onBatch_.Reset();
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
  asyncContext_ = nullptr;
  return unfinished;
}

EngineStats Engine::Stats() const {
  EngineStats stats;
  stats.pending = static_cast<double>(byId_.size());
  stats.completed = completed_;
  stats.cancelled = cancelled_;
  stats.unexpected = unexpected_;
  stats.batches = batches_;
  return stats;
}

}  // namespace proactor
