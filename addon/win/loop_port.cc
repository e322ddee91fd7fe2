#include "win/loop_port.h"

#include <cstring>

#include "win/errors.h"

namespace proactor {

namespace uv {

namespace {

template <typename Fn>
void Find(HMODULE host, const char* name, Fn* out) {
  *out = reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(host, name)));
}

}  // namespace

const Functions& HostFunctions() noexcept {
  static const Functions functions = [] {
    Functions found;
    // The exe that hosts Node, whatever its name (delay_load_hook.cc resolves Node-API the same way).
    HMODULE host = ::GetModuleHandleW(nullptr);
    if (host == nullptr) return found;
    Find(host, "uv_handle_size", &found.handleSize);
    Find(host, "uv_req_size", &found.reqSize);
    Find(host, "uv_async_init", &found.asyncInit);
    Find(host, "uv_check_init", &found.checkInit);
    Find(host, "uv_check_start", &found.checkStart);
    Find(host, "uv_check_stop", &found.checkStop);
    Find(host, "uv_close", &found.close);
    Find(host, "uv_unref", &found.unref);
    return found;
  }();
  return functions;
}

}  // namespace uv

namespace {

// Every libuv handle starts with its public `data` pointer.
void*& HandleData(void* handle) { return *static_cast<void**>(handle); }

void IgnoreAsync(uv::Async*) {}
void FreeProbe(void* handle) { delete static_cast<uv::Async*>(handle); }

}  // namespace

// A packet for no operation, owned by the port until libuv dispatches it.
struct LoopPort::Foreign {
  uv::Async packet;  // first: the dispatched pointer is this object's
  uintptr_t token = 0;
};

LoopPort::~LoopPort() = default;

SysError LoopPort::Open(uv_loop_s* loop, Deliver deliver, std::unique_ptr<LoopPort>* out) {
  const uv::Functions& fns = uv::HostFunctions();
  if (loop == nullptr || !fns.Complete()) return Win32Error(ERROR_PROC_NOT_FOUND);
  if (fns.handleSize(uv::kAsyncHandle) != sizeof(uv::Async) || fns.reqSize(uv::kPlainReq) != sizeof(uv::Req)) {
    return Win32Error(ERROR_REVISION_MISMATCH);
  }
  auto* head = reinterpret_cast<uv::LoopHead*>(loop);
  // Allocated first: once the probe is registered, nothing may throw before it is closed.
  std::unique_ptr<LoopPort> port(new LoopPort());
  // A live async handle, initialised by libuv itself, shows where this libuv keeps the fields
  // its dispatch reads, and the value of its private wake-up request type.
  auto* probe = new uv::Async();
  const unsigned int activeBefore = head->activeHandles;
  if (fns.asyncInit(loop, probe, IgnoreAsync) != 0) {
    delete probe;  // not registered with the loop
    return Win32Error(ERROR_REVISION_MISMATCH);
  }
  const bool layoutHolds = probe->loop == loop && probe->type == uv::kAsyncHandle && probe->asyncReq.data == probe &&
                           probe->asyncCallback == IgnoreAsync && probe->asyncReq.type > uv::kPlainReq &&
                           head->activeHandles == activeBefore + 1;
  port->template_ = *probe;
  fns.close(probe, FreeProbe);  // registered: only libuv's close callback may free it
  DWORD flags = 0;
  if (!layoutHolds || head->iocp == nullptr || !::GetHandleInformation(head->iocp, &flags)) {
    return Win32Error(ERROR_REVISION_MISMATCH);
  }

  // The template keeps what libuv's dispatch reads (the loop, the handle and request types) and
  // nothing of the probe's registration.
  uv::Async& shape = port->template_;
  shape.data = nullptr;
  shape.closeCallback = nullptr;
  shape.handleQueue[0] = shape.handleQueue[1] = nullptr;
  shape.endgameNext = nullptr;
  shape.flags = 0;  // in particular not closing: libuv then calls the callback
  std::memset(&shape.asyncReq.u, 0, sizeof(shape.asyncReq.u));
  shape.asyncReq.data = nullptr;
  shape.asyncReq.nextReq = nullptr;
  shape.asyncCallback = nullptr;
  shape.asyncSent = 0;
  port->port_ = head->iocp;
  port->deliver_ = std::move(deliver);

  const size_t checkSize = fns.handleSize(uv::kCheckHandle);
  if (checkSize == 0) return Win32Error(ERROR_REVISION_MISMATCH);
  port->check_.reset(new unsigned char[checkSize]());
  if (fns.checkInit(loop, port->check_.get()) != 0) return Win32Error(ERROR_REVISION_MISMATCH);
  HandleData(port->check_.get()) = port.get();
  fns.unref(port->check_.get());  // the core's reference count keeps the loop alive, not this
  if (fns.checkStart(port->check_.get(), OnCheck) != 0) {
    Close(std::move(port), nullptr);  // registered: only libuv's close callback may free it
    return Win32Error(ERROR_REVISION_MISMATCH);
  }
  *out = std::move(port);
  return {};
}

void LoopPort::Prepare(uv::Async& packet) const noexcept {
  packet = template_;
  packet.data = const_cast<LoopPort*>(this);
  packet.asyncReq.data = &packet;
  packet.asyncCallback = OnPacket;
}

void LoopPort::Disown(uv::Async& packet) noexcept {
  // No callback at all, rather than a function of ours: libuv skips an async handle whose
  // callback is null, and a packet may come after Node has unloaded this addon (a worker's
  // addons go when its environment does, before its loop's last turn).
  packet.data = nullptr;
  packet.asyncCallback = nullptr;
}

void LoopPort::Add(uintptr_t token, double bytes) noexcept {
  try {
    Completion completion;
    completion.token = token;
    completion.bytes = static_cast<uint64_t>(bytes);
    turn_.push_back(std::move(completion));
  } catch (...) {
    // No exception may unwind into libuv. An allocation failed: this completion is lost with
    // the memory, as anything else would be in an out-of-memory process.
  }
}

void LoopPort::OnPacket(uv::Async* packet) {
  auto* port = static_cast<LoopPort*>(packet->data);
  if (port == nullptr) return;
  // Only the address travels on: the core finds the operation by it before reading anything
  // else of it (L4). The byte count is the kernel's, in the OVERLAPPED.
  OVERLAPPED& overlapped = packet->asyncReq.u.io.overlapped;
  port->Add(reinterpret_cast<uintptr_t>(&overlapped), static_cast<double>(overlapped.InternalHigh));
}

void LoopPort::OnForeign(uv::Async* packet) {
  auto* foreign = reinterpret_cast<Foreign*>(packet);
  auto* port = static_cast<LoopPort*>(packet->data);
  const uintptr_t token = foreign->token;
  port->foreign_.erase(foreign);
  delete foreign;
  port->Add(token, 0);
}

void LoopPort::PostForeign(uintptr_t token) {
  auto* foreign = new Foreign();
  Prepare(foreign->packet);
  foreign->packet.asyncCallback = OnForeign;
  foreign->token = token;
  foreign_.insert(foreign);
  if (!::PostQueuedCompletionStatus(port_, 0, 0, &foreign->packet.asyncReq.u.io.overlapped)) {
    foreign_.erase(foreign);
    delete foreign;
  }
}

void LoopPort::OnCheck(void* check) {
  auto* port = static_cast<LoopPort*>(HandleData(check));
  if (port == nullptr || port->turn_.empty()) return;
  std::vector<Completion> batch = std::move(port->turn_);
  port->turn_.clear();
  try {
    // JS runs inside and may close this port; its memory stays libuv's until OnClosed.
    port->deliver_(std::move(batch));
  } catch (...) {
    // No exception may unwind into libuv (the core's delivery throws none; this is the guard).
  }
}

void LoopPort::Close(std::unique_ptr<LoopPort> port, std::function<void()> closed) {
  if (!port) {
    if (closed) closed();
    return;
  }
  port->closed_ = std::move(closed);
  // Foreign packets still in the port are kept: libuv will read them.
  for (Foreign* foreign : port->foreign_) Disown(foreign->packet);
  port->foreign_.clear();
  // deliver_ stays: Close may run from inside it, and a stopped handle is never called again.
  const uv::Functions& fns = uv::HostFunctions();
  void* check = port->check_.get();
  fns.checkStop(check);
  (void)port.release();  // from here until OnClosed, the memory is libuv's
  fns.close(check, OnClosed);
}

void LoopPort::OnClosed(void* check) {
  std::unique_ptr<LoopPort> port(static_cast<LoopPort*>(HandleData(check)));
  std::function<void()> closed = std::move(port->closed_);
  port.reset();
  if (closed) closed();
}

}  // namespace proactor
