// The Node-API surface of the addon: argument checks and conversions only, no OS calls.
// node-addon-api is built with NAPI_CPP_EXCEPTIONS, so a C++ exception thrown below a callback
// becomes a JS exception at this boundary and never unwinds into Node.
//
// Calls that can fail in the OS return a number and leave details in `scratch` (a Float64Array
// shared with JS; its slots are named in core/wire.h), so the hot path allocates no JS objects:
//   start calls (accept/recv/send/flush): an operation id (> 0) when a completion will follow, or 0
//     when the operation finished at once: value, uvError and sysError in scratch;
//   handle calls (createPipeInstance/connectPipe/...): a handle id (>= 0), or -1: the errors in
//     scratch.
// The module's own functions (the events) report the same way, in the module's `scratch`. Nothing
// throws for an OS error; a throw means JS broke the contract (a wrong argument type).
#include <napi.h>

#include <memory>
#include <string>

#include "core/backend.h"
#include "core/platform.h"
#include "core/engine.h"
#include "core/pinned_process.h"
#include "core/wire.h"
#include "binding_args.h"

namespace proactor {
namespace {

constexpr uint32_t kMaxPipeInstances = 255;  // PIPE_UNLIMITED_INSTANCES is 255 on Windows

// A raw OS handle or fd: a number or a bigint.
uint64_t ArgRaw(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info[index].IsBigInt()) {
    bool lossless = false;
    uint64_t raw = info[index].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(info.Env(), std::string("proactor: ") + name + " is out of range");
    return raw;
  }
  double value = ArgId(info, index, name);
  if (!(value >= 0 && value <= 9007199254740991.0)) {
    throw Napi::RangeError::New(info.Env(), std::string("proactor: ") + name + " is out of range");
  }
  return static_cast<uint64_t>(value);
}

Napi::Value RawValue(Napi::Env env, uint64_t raw) {
  if (raw <= 9007199254740991ull) return Napi::Number::New(env, static_cast<double>(raw));
  return Napi::BigInt::New(env, raw);
}

// A scratch array, made once, and the address JS and C++ share it at.
double* NewScratch(Napi::Env env, Napi::Object owner) {
  auto scratch = Napi::Float64Array::New(env, wire::kScratchLength);
  owner.Set("scratch", scratch);
  return scratch.Data();
}

// One Engine as a JS object (lib/native.ts: NativeEngine).
class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {
                           InstanceMethod<&EngineWrap::Open>("open"),
                           InstanceMethod<&EngineWrap::WaitEngine>("waitEngine"),
                           InstanceMethod<&EngineWrap::Delivery>("delivery"),
                           InstanceMethod<&EngineWrap::PostForeignCompletion>("postForeignCompletion"),
                           InstanceMethod<&EngineWrap::CreatePipeInstance>("createPipeInstance"),
                           InstanceMethod<&EngineWrap::ConnectPipe>("connectPipe"),
                           InstanceMethod<&EngineWrap::PeerPid>("peerPid"),
                           InstanceMethod<&EngineWrap::PendingError>("pendingError"),
                           InstanceMethod<&EngineWrap::AdoptHandle>("adoptHandle"),
                           InstanceMethod<&EngineWrap::WaitHandle>("waitHandle"),
                           InstanceMethod<&EngineWrap::WaitProcess>("waitProcess"),
                           InstanceMethod<&EngineWrap::ShutdownWrite>("shutdownWrite"),
                           InstanceMethod<&EngineWrap::Accept>("accept"),
                           InstanceMethod<&EngineWrap::Recv>("recv"),
                           InstanceMethod<&EngineWrap::Send>("send"),
                           InstanceMethod<&EngineWrap::Flush>("flush"),
                           InstanceMethod<&EngineWrap::Cancel>("cancel"),
                           InstanceMethod<&EngineWrap::CancelHandle>("cancelHandle"),
                           InstanceMethod<&EngineWrap::CloseHandle>("closeHandle"),
                           InstanceMethod<&EngineWrap::SetHandleRef>("setHandleRef"),
                           InstanceMethod<&EngineWrap::SetOperationRef>("setOperationRef"),
                           InstanceMethod<&EngineWrap::CancelAll>("cancelAll"),
                           InstanceMethod<&EngineWrap::Shutdown>("shutdown"),
                           InstanceMethod<&EngineWrap::Stats>("stats"),
                       });
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "proactor: onBatch must be a function");
    scratch_ = NewScratch(env, info.This().As<Napi::Object>());
    engine_ = std::make_unique<Engine>(env, info[0].As<Napi::Function>());
  }

 private:
  Napi::Value HandleResult(Napi::Env env, SysError error, HandleId id) {
    if (error.failed()) return Failed(env, scratch_, error);
    return Napi::Number::New(env, id);
  }

  // open(waitEngine, delivery): starts the engine, its waits done the named way where the system
  // can ("threadpool" / "packet" on Windows), its completions delivered the named way ("loop", or
  // Windows' fallback "thread"); 0, or -1 with the error in scratch (the engine is then shut down).
  Napi::Value Open(const Napi::CallbackInfo& info) {
    SysError error = engine_->Open(ArgString(info, 0, "waitEngine"), ArgString(info, 1, "delivery"));
    if (error.failed()) engine_->Shutdown(false);
    return HandleResult(info.Env(), error, 0);
  }

  // How waits are done: the engine asked for, or the fallback when the system lacks it.
  Napi::Value WaitEngine(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), engine_->WaitEngine()); }

  // How completions reach JS: the way asked for, or the fallback when the host does not allow it.
  Napi::Value Delivery(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), engine_->Delivery()); }

  // For the tests of L4: a completion that belongs to no operation, through the same path as
  // every completion (Windows: the port it completes on). It is counted in
  // stats().unexpected and never looked into; it costs nothing else.
  void PostForeignCompletion(const Napi::CallbackInfo&) { engine_->PostForeignCompletion(); }

  Napi::Value StartResultValue(Napi::Env env, bool pending, OpId id, const Outcome& now) {
    if (pending) return Napi::Number::New(env, static_cast<double>(id));
    scratch_[wire::kScratchValue] = now.error.failed() ? 0 : now.value;
    scratch_[wire::kScratchUvError] = now.error.uv;
    scratch_[wire::kScratchSysError] = now.error.sys;
    return Napi::Number::New(env, 0);
  }

  // createPipeInstance({ path, first, maxInstances, backlog, bufferSize, rejectRemoteClients,
  // currentUserOnly, readableAll, writableAll, sddl }), read by name (lib/engine's
  // InstanceSettings).
  Napi::Value CreatePipeInstance(const Napi::CallbackInfo& info) {
    if (!info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "proactor: options must be an object");
    Napi::Object settings = info[0].As<Napi::Object>();
    auto field = [&](const char* name) { return settings.Get(name); };
    auto number = [&](const char* name) { return U32(info.Env(), field(name), name); };
    PipeInstanceOptions options;
    Napi::Value path = field("path");
    if (!path.IsString()) throw Napi::TypeError::New(info.Env(), "proactor: path must be a string");
    options.path = path.As<Napi::String>().Utf8Value();
    options.first = field("first").ToBoolean();
    options.maxInstances = number("maxInstances");
    if (options.maxInstances > kMaxPipeInstances) throw Napi::RangeError::New(info.Env(), "proactor: too many instances");
    options.backlog = number("backlog");
    options.bufferSize = number("bufferSize");
    options.rejectRemoteClients = field("rejectRemoteClients").ToBoolean();
    options.currentUserOnly = field("currentUserOnly").ToBoolean();
    options.readableAll = field("readableAll").ToBoolean();
    options.writableAll = field("writableAll").ToBoolean();
    Napi::Value sddl = field("sddl");
    if (sddl.IsString()) options.sddl = sddl.As<Napi::String>().Utf8Value();
    HandleId id = 0;
    SysError error = engine_->CreatePipeInstance(options, &id);
    return HandleResult(info.Env(), error, id);
  }

  Napi::Value ConnectPipe(const Napi::CallbackInfo& info) {
    std::string path = ArgString(info, 0, "path");
    HandleId id = 0;
    SysError error = engine_->ConnectPipe(path, &id);
    return HandleResult(info.Env(), error, id);
  }

  // The peer's process id, or -1 with the error in scratch.
  Napi::Value PeerPid(const Napi::CallbackInfo& info) {
    uint32_t pid = 0;
    SysError error = engine_->PeerPid(ArgU32(info, 0, "handle"), &pid);
    return HandleResult(info.Env(), error, pid);
  }

  // 0, or -1 with the connection's pending error in scratch.
  Napi::Value PendingError(const Napi::CallbackInfo& info) {
    SysError error = engine_->PendingError(ArgU32(info, 0, "handle"));
    return HandleResult(info.Env(), error, 0);
  }

  // Takes an existing pipe handle (Windows HANDLE / Linux fd; number or bigint).
  Napi::Value AdoptHandle(const Napi::CallbackInfo& info) {
    const uint64_t raw = ArgRaw(info, 0, "handle");
    HandleId id = 0;
    SysError error = engine_->AdoptHandle(raw, &id);
    return HandleResult(info.Env(), error, id);
  }

  // 0, or -1 with the error in scratch.
  Napi::Value ShutdownWrite(const Napi::CallbackInfo& info) {
    SysError error = engine_->ShutdownWrite(ArgU32(info, 0, "handle"));
    return HandleResult(info.Env(), error, 0);
  }

  Napi::Value StartWait(const Napi::CallbackInfo& info, OpKind kind) {
    const uint64_t target = ArgRaw(info, 0, kind == OpKind::kWaitProcess ? "pid" : "handle");
    OpId id = 0;
    Outcome now;
    bool pending = engine_->StartWait(kind, target, &id, &now);
    return StartResultValue(info.Env(), pending, id, now);
  }
  Napi::Value WaitHandle(const Napi::CallbackInfo& info) { return StartWait(info, OpKind::kWaitHandle); }
  Napi::Value WaitProcess(const Napi::CallbackInfo& info) { return StartWait(info, OpKind::kWaitProcess); }

  // An operation on a handle that needs no buffer: accept, flush.
  Napi::Value StartHandleOp(const Napi::CallbackInfo& info, OpKind kind) {
    HandleId handle = ArgU32(info, 0, "handle");
    OpId id = 0;
    Outcome now;
    bool pending = engine_->Start(kind, handle, Napi::Value(), nullptr, 0, &id, &now);
    return StartResultValue(info.Env(), pending, id, now);
  }
  Napi::Value Accept(const Napi::CallbackInfo& info) { return StartHandleOp(info, OpKind::kAccept); }
  Napi::Value Flush(const Napi::CallbackInfo& info) { return StartHandleOp(info, OpKind::kFlush); }

  Napi::Value StartBufferOp(const Napi::CallbackInfo& info, OpKind kind) {
    HandleId handle = ArgU32(info, 0, "handle");
    if (!info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "proactor: buffer must be a Uint8Array");
    auto view = info[1].As<Napi::Uint8Array>();
    uint32_t offset = ArgU32(info, 2, "offset");
    uint32_t length = ArgU32(info, 3, "length");
    if (static_cast<uint64_t>(offset) + length > view.ByteLength()) {
      throw Napi::RangeError::New(info.Env(), "proactor: offset + length is outside the buffer");
    }
    OpId id = 0;
    Outcome now;
    // The view is pinned by the operation until its completion is consumed (L1).
    bool pending = engine_->Start(kind, handle, info[1], view.Data() + offset, length, &id, &now);
    return StartResultValue(info.Env(), pending, id, now);
  }

  Napi::Value Recv(const Napi::CallbackInfo& info) { return StartBufferOp(info, OpKind::kRecv); }
  Napi::Value Send(const Napi::CallbackInfo& info) { return StartBufferOp(info, OpKind::kSend); }

  void Cancel(const Napi::CallbackInfo& info) { engine_->Cancel(static_cast<OpId>(ArgId(info, 0, "id"))); }
  void CancelHandle(const Napi::CallbackInfo& info) { engine_->CancelHandle(ArgU32(info, 0, "handle")); }
  void CloseHandle(const Napi::CallbackInfo& info) { engine_->CloseHandle(ArgU32(info, 0, "handle")); }
  void SetHandleRef(const Napi::CallbackInfo& info) {
    engine_->SetHandleRef(ArgU32(info, 0, "handle"), info[1].ToBoolean());
  }
  void SetOperationRef(const Napi::CallbackInfo& info) {
    engine_->SetOperationRef(static_cast<OpId>(ArgId(info, 0, "id")), info[1].ToBoolean());
  }
  void CancelAll(const Napi::CallbackInfo&) { engine_->CancelAll(); }

  // Returns the operations that never completed, as [id, kind, id, kind, ...].
  Napi::Value Shutdown(const Napi::CallbackInfo& info) {
    std::vector<UnfinishedOp> unfinished = engine_->Shutdown(true);
    auto out = Napi::Array::New(info.Env(), unfinished.size() * 2);
    for (size_t i = 0; i < unfinished.size(); i++) {
      out.Set(static_cast<uint32_t>(2 * i), Napi::Number::New(info.Env(), static_cast<double>(unfinished[i].id)));
      out.Set(static_cast<uint32_t>(2 * i + 1), Napi::String::New(info.Env(), OpKindName(unfinished[i].kind)));
    }
    return out;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    EngineStats stats = engine_->Stats();
    auto out = Napi::Float64Array::New(info.Env(), wire::kStatsLength);
    out[wire::kStatsPending] = stats.pending;
    out[wire::kStatsCompleted] = stats.completed;
    out[wire::kStatsCancelled] = stats.cancelled;
    out[wire::kStatsUnexpected] = stats.unexpected;
    out[wire::kStatsBatches] = stats.batches;
    return out;
  }

  std::unique_ptr<Engine> engine_;
  double* scratch_ = nullptr;
};

// One pinned process as a JS object (lib/native.ts: NativeProcess): `open(pid)`, then calls on
// the process it pinned. Failures return -1 with the error in the module's scratch, the class's
// data. The OS object is closed by close() or, at the latest, when the object is collected.
class ProcessWrap : public Napi::ObjectWrap<ProcessWrap> {
 public:
  static Napi::Function Define(Napi::Env env, double* scratch) {
    return DefineClass(env, "Process",
                       {
                           InstanceMethod<&ProcessWrap::Open>("open"),
                           InstanceMethod<&ProcessWrap::Raw>("raw"),
                           InstanceMethod<&ProcessWrap::StartTime>("startTime"),
                           InstanceMethod<&ProcessWrap::Signal>("signal"),
                           InstanceMethod<&ProcessWrap::ExitStatus>("exitStatus"),
                           InstanceMethod<&ProcessWrap::Close>("close"),
                       },
                       scratch);
  }

  explicit ProcessWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ProcessWrap>(info), scratch_(static_cast<double*>(info.Data())) {}

 private:
  // 0, or -1 with the error in scratch (ESRCH, EPERM, Linux EINVAL: see pinned_process.h).
  Napi::Value Open(const Napi::CallbackInfo& info) {
    if (process_) throw Napi::Error::New(info.Env(), "proactor: the process is already open");
    SysError error = PinnedProcess::Open(ArgU32(info, 0, "pid"), &process_);
    if (error.failed()) return Failed(info.Env(), scratch_, error);
    return Napi::Number::New(info.Env(), 0);
  }
  PinnedProcess& Pinned(Napi::Env env) {
    if (!process_) throw Napi::Error::New(env, "proactor: the process is not open");
    return *process_;
  }
  Napi::Value Raw(const Napi::CallbackInfo& info) { return RawValue(info.Env(), Pinned(info.Env()).Raw()); }
  Napi::Value StartTime(const Napi::CallbackInfo& info) {
    double ms = 0;
    SysError error = Pinned(info.Env()).StartTime(&ms);
    if (error.failed()) return Failed(info.Env(), scratch_, error);
    return Napi::Number::New(info.Env(), ms);
  }
  Napi::Value Signal(const Napi::CallbackInfo& info) {
    SysError error = Pinned(info.Env()).Signal(static_cast<int>(ArgU32(info, 0, "signal")));
    if (error.failed()) return Failed(info.Env(), scratch_, error);
    return Napi::Number::New(info.Env(), 0);
  }
  Napi::Value ExitStatus(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Pinned(info.Env()).ExitStatus());
  }
  void Close(const Napi::CallbackInfo&) {
    if (process_) process_->Close();
  }

  std::unique_ptr<PinnedProcess> process_;
  double* scratch_;
};

Napi::Value Version(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), PROACTOR_VERSION); }

Napi::Value Backend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), BackendName()); }

// The event's raw HANDLE / fd, or -1 with the error in scratch.
Napi::Value CreateEvent(const Napi::CallbackInfo& info) {
  uint64_t event = 0;
  SysError error = CreateEventObject(&event);
  if (error.failed()) return Failed(info.Env(), ModuleScratch(info), error);
  return RawValue(info.Env(), event);
}

// 0, or -1 with the error in scratch.
Napi::Value EventCall(const Napi::CallbackInfo& info, SysError (*call)(uint64_t) noexcept) {
  SysError error = call(ArgRaw(info, 0, "event"));
  if (error.failed()) return Failed(info.Env(), ModuleScratch(info), error);
  return Napi::Number::New(info.Env(), 0);
}
Napi::Value SetEvent(const Napi::CallbackInfo& info) { return EventCall(info, SetEventObject); }
Napi::Value ResetEvent(const Napi::CallbackInfo& info) { return EventCall(info, ResetEventObject); }
Napi::Value CloseEvent(const Napi::CallbackInfo& info) { return EventCall(info, CloseEventObject); }

// For tests: the next process open on this thread fails with (uvError, sysError).
void FailNextOpen(const Napi::CallbackInfo& info) {
  FailNextProcessOpen(SysError{static_cast<int32_t>(ArgId(info, 0, "uvError")),
                               static_cast<int32_t>(ArgId(info, 1, "sysError"))});
}

Napi::Value HandleCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), OpenHandleCount()); }
Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ThreadCount()); }

Napi::Value UnderWine(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), RunningUnderWine()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("backend", Napi::Function::New(env, Backend, "backend"));
  exports.Set("underWine", Napi::Function::New(env, UnderWine, "underWine"));
  // The scratch array lives as long as `exports` holds it, and so as long as the module.
  double* scratch = NewScratch(env, exports);
  exports.Set("createEvent", Napi::Function::New(env, CreateEvent, "createEvent", scratch));
  exports.Set("setEvent", Napi::Function::New(env, SetEvent, "setEvent", scratch));
  exports.Set("resetEvent", Napi::Function::New(env, ResetEvent, "resetEvent", scratch));
  exports.Set("closeEvent", Napi::Function::New(env, CloseEvent, "closeEvent", scratch));
  exports.Set("failNextProcessOpen", Napi::Function::New(env, FailNextOpen, "failNextProcessOpen"));
  exports.Set("openHandleCount", Napi::Function::New(env, HandleCount, "openHandleCount"));
  exports.Set("threadCount", Napi::Function::New(env, Threads, "threadCount"));
  exports.Set("Engine", EngineWrap::Define(env));
  exports.Set("Process", ProcessWrap::Define(env, scratch));
#ifdef _WIN32
  ExportPipeInspection(env, exports, scratch);
#endif
  return exports;
}

}  // namespace
}  // namespace proactor

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return proactor::Init(env, exports); }

NODE_API_MODULE(proactor, InitAddon)
