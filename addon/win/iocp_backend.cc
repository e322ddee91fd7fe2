#include "win/iocp_backend.h"

#include <vector>

#include "core/platform.h"
#include "win/errors.h"
#include "win/named_pipe.h"

namespace proactor {

namespace {

// Posted with no OVERLAPPED to stop the poller thread.
constexpr ULONG_PTR kQuitKey = ~static_cast<ULONG_PTR>(0);
constexpr ULONG kMaxEntries = 128;

WinOperation& AsWin(Operation& op) { return static_cast<WinOperation&>(op); }
WinHandle& AsWin(Handle& handle) { return static_cast<WinHandle&>(handle); }

// A finished accept: the server instance itself is now the connection (the core reports its id).
Outcome Connected(const Operation& op) { return Outcome{0, {}, op.handle}; }

// End of stream on a pipe: the other end closed (before or during the read).
bool IsEndOfStream(DWORD error) {
  return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_HANDLE_EOF;
}

// The peer has closed its end: a flush has nobody left to wait for.
bool IsPeerGone(DWORD error) { return IsEndOfStream(error) || error == ERROR_NO_DATA; }

}  // namespace

const char* BackendName() noexcept { return "iocp"; }
std::unique_ptr<Backend> CreateBackend() { return std::make_unique<IocpBackend>(); }

IocpBackend::~IocpBackend() { Stop(nullptr); }

uintptr_t IocpBackend::TokenOf(const Operation& op) const {
  return reinterpret_cast<uintptr_t>(&static_cast<const WinOperation&>(op).Overlapped());
}

std::unique_ptr<Operation> IocpBackend::NewOperation() {
  auto op = std::make_unique<WinOperation>();
  if (loopPort_) loopPort_->Prepare(op->packet);
  return op;
}

SysError IocpBackend::Open(CompletionSink* sink, uv_loop_s* loop, const std::string& delivery) {
  sink_ = sink;
  if (delivery != "thread") {
    SysError error = LoopPort::Open(
        loop, [sink](std::vector<Completion>&& batch) { sink->DeliverNow(std::move(batch)); }, &loopPort_);
    if (!error.failed()) {
      delivery_ = "loop";
      return {};
    }
    // The host's libuv is not one whose dispatch we can verify: the fallback below.
  }
  ownPort_ = UniqueHandle(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1));
  if (!ownPort_.Valid()) return LastWin32Error();
  poller_ = std::thread([this] { Run(); });
  return {};
}

void IocpBackend::Stop(std::function<void()> stopped) {
  // Cancelled waits' and flushes' packets are posted before the quit packet, so they are still
  // dequeued (the poller); on the loop's port they come after the stop, to disowned operations.
  waits_.Stop();
  flushes_.Stop();
  if (loopPort_) {
    // Completions dequeued this turn and not yet delivered go to the core, which takes them as
    // it shuts down.
    std::vector<Completion> turn = loopPort_->TakeTurn();
    try {
      if (!turn.empty()) sink_->Post(std::move(turn));
    } catch (...) {
      // Out of memory (Stop may run from a C callback: nothing may escape). The operations stay
      // unfinished, and Abandon keeps their memory.
    }
    LoopPort::Close(std::move(loopPort_), std::move(stopped));
    return;
  }
  if (poller_.joinable()) {
    ::PostQueuedCompletionStatus(ownPort_.Get(), 0, kQuitKey, nullptr);
    poller_.join();
  }
  if (stopped) stopped();
}

bool IocpBackend::Abandon(Operation& base) {
  WinOperation& op = AsWin(base);
  LoopPort::Disown(op.packet);
  // The OVERLAPPED and the buffer stay; what the operation holds of the system goes. A flush's
  // duplicate of its pipe would keep the pipe open, and its peer waiting for the end of stream.
  // Stop has run: no flush thread, pool callback or unregisterer uses these any more.
  op.waitObject.Reset();
  op.flushThread.Reset();
  op.waitPacket.Reset();
  return false;
}

void IocpBackend::PostForeign(uintptr_t token) {
  if (loopPort_) {
    loopPort_->PostForeign(token);
    return;
  }
  ::PostQueuedCompletionStatus(ownPort_.Get(), 0, 0, reinterpret_cast<LPOVERLAPPED>(token));
}

void IocpBackend::Run() {
  OVERLAPPED_ENTRY entries[kMaxEntries];
  for (;;) {
    ULONG count = 0;
    if (!::GetQueuedCompletionStatusEx(ownPort_.Get(), entries, kMaxEntries, &count, INFINITE, FALSE)) {
      if (::GetLastError() == WAIT_IO_COMPLETION) continue;
      return;  // the port is gone
    }
    std::vector<Completion> batch;
    batch.reserve(count);
    bool quit = false;
    for (ULONG i = 0; i < count; i++) {
      const OVERLAPPED_ENTRY& entry = entries[i];
      if (entry.lpOverlapped == nullptr) {
        quit = quit || entry.lpCompletionKey == kQuitKey;
        continue;
      }
      // Only the address travels: the JS thread finds the operation by it before reading
      // anything from it (L4).
      Completion completion;
      completion.token = reinterpret_cast<uintptr_t>(entry.lpOverlapped);
      completion.bytes = entry.dwNumberOfBytesTransferred;
      batch.push_back(std::move(completion));
    }
    if (!batch.empty()) sink_->Post(std::move(batch));
    if (quit) return;
  }
}

SysError IocpBackend::Adopt(UniqueHandle&& raw, bool server, std::shared_ptr<Handle>* out) {
  // `raw` is taken only on success; on failure it stays with the caller.
  // Associated once, for the handle's whole life. A handle already tied to another port (say,
  // libuv's for another loop) cannot be associated again: that fails here with
  // ERROR_INVALID_PARAMETER. The key is unused: a packet's operation is found by its OVERLAPPED.
  if (::CreateIoCompletionPort(raw.Get(), Port(), 0, 0) == nullptr) return LastWin32Error();
  auto handle = std::make_shared<WinHandle>();
  handle->skipOnSuccess = ::SetFileCompletionNotificationModes(
                              raw.Get(), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) != FALSE;
  handle->handle = std::move(raw);
  handle->server = server;
  *out = std::move(handle);
  return {};
}

SysError IocpBackend::AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) {
  UniqueHandle owned(reinterpret_cast<HANDLE>(static_cast<uintptr_t>(raw)));
  DWORD flags = 0;
  if (!::GetNamedPipeInfo(owned.Get(), &flags, nullptr, nullptr, nullptr)) {
    SysError error = LastWin32Error();
    (void)owned.Release();  // not taken: the handle is still the caller's
    return error;
  }
  SysError error = Adopt(std::move(owned), (flags & PIPE_SERVER_END) != 0, out);
  if (error.failed()) (void)owned.Release();
  return error;
}

SysError IocpBackend::ShutdownWrite(Handle&) {
  // A byte-mode pipe has no half-close: ending the write side means closing the handle.
  return Win32Error(ERROR_NOT_SUPPORTED);
}

SysError IocpBackend::CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) {
  UniqueHandle pipe;
  SysError error = CreateNamedPipeInstance(options, &pipe);
  if (error.failed()) return error;
  return Adopt(std::move(pipe), true, out);
}

SysError IocpBackend::ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) {
  UniqueHandle pipe;
  SysError error = OpenNamedPipeClient(path, &pipe);
  if (error.failed()) return error;
  return Adopt(std::move(pipe), false, out);
}

StartResult IocpBackend::Start(Operation& base) {
  WinOperation& op = AsWin(base);
  WinHandle& handle = AsWin(*op.handle);
  if (!handle.handle.Valid()) return StartResult::Done({0, BadHandle(), nullptr});
  HANDLE h = handle.handle.Get();
  BOOL ok = FALSE;
  switch (op.kind) {
    case OpKind::kAccept:
      if (!handle.server) return StartResult::Done({0, Win32Error(ERROR_INVALID_PARAMETER), nullptr});
      ok = ::ConnectNamedPipe(h, &op.Overlapped());
      break;
    case OpKind::kRecv:
      ok = ::ReadFile(h, op.data, static_cast<DWORD>(op.length), nullptr, &op.Overlapped());
      break;
    case OpKind::kSend:
      ok = ::WriteFile(h, op.data, static_cast<DWORD>(op.length), nullptr, &op.Overlapped());
      break;
    case OpKind::kFlush:
      return StartFlush(op, handle);
    case OpKind::kWaitHandle:
    case OpKind::kWaitProcess:
      return StartResult::Done({0, Win32Error(ERROR_INVALID_PARAMETER), nullptr});  // StartWait's job
  }
  if (ok) {
    if (!handle.skipOnSuccess) return StartResult::Pending();  // the packet still comes (L2)
    // Finished at once, and no packet will follow: the result is in the OVERLAPPED now.
    if (op.kind == OpKind::kAccept) return StartResult::Done(Connected(op));
    return StartResult::Done({static_cast<double>(op.Overlapped().InternalHigh), {}, nullptr});
  }
  const DWORD error = ::GetLastError();
  switch (error) {
    case ERROR_IO_PENDING:
    case ERROR_MORE_DATA:
      return StartResult::Pending();
    case ERROR_PIPE_CONNECTED:
      // The client connected between CreateNamedPipe and ConnectNamedPipe: done, no packet.
      if (op.kind == OpKind::kAccept) return StartResult::Done(Connected(op));
      break;
    case ERROR_NO_DATA:
      if (op.kind == OpKind::kAccept && HasUnreadData(h)) return StartResult::Done(Connected(op));
      break;
    default:
      if (op.kind == OpKind::kRecv && IsEndOfStream(error)) return StartResult::Done({0, {}, nullptr});
      break;
  }
  return StartResult::Done({0, Win32Error(error), nullptr});
}

StartResult IocpBackend::StartFlush(WinOperation& op, WinHandle& handle) {
  if (NothingUnread(handle.handle.Get())) return StartResult::Done({0, {}, nullptr});
  HANDLE self = ::GetCurrentProcess();
  HANDLE duplicate = nullptr;
  if (!::DuplicateHandle(self, handle.handle.Get(), self, &duplicate, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    return StartResult::Done({0, LastWin32Error(), nullptr});
  }
  op.waitObject = UniqueHandle(duplicate);
  op.port = Port();
  SysError error = flushes_.Start(op);
  if (error.failed()) return StartResult::Done({0, error, nullptr});
  return StartResult::Pending();
}

StartResult IocpBackend::StartWait(Operation& op, uint64_t target) {
  return waits_.Start(AsWin(op), target, Port(), sink_);
}

void IocpBackend::Cancel(Operation& base) {
  WinOperation& op = AsWin(base);
  if (IsWait(op.kind)) {
    waits_.Cancel(op);
    return;
  }
  if (op.kind == OpKind::kFlush) {
    flushes_.Cancel(op);
    return;
  }
  WinHandle& handle = AsWin(*op.handle);
  // A request only (L5): the packet still comes, and reports success if the I/O won the race.
  // ERROR_NOT_FOUND means it already completed; its packet is on its way.
  if (handle.handle.Valid()) ::CancelIoEx(handle.handle.Get(), &op.Overlapped());
}

Outcome IocpBackend::ResultOf(Operation& base, const Completion& completion) {
  WinOperation& op = AsWin(base);
  if (IsWait(op.kind)) return waits_.ResultOf(op);
  const DWORD error = OverlappedError(op.Overlapped());
  if (op.kind == OpKind::kFlush) {
    const DWORD flushError = op.flushError;
    if (flushError == ERROR_SUCCESS) return Outcome{0, {}, nullptr};
    if (op.cancelRequested) return Outcome{0, Win32Error(ERROR_OPERATION_ABORTED), nullptr};
    if (IsPeerGone(flushError)) return Outcome{0, {}, nullptr};
    return Outcome{0, Win32Error(flushError), nullptr};
  }
  if (op.kind == OpKind::kAccept && error == ERROR_NO_DATA && !op.cancelRequested &&
      HasUnreadData(AsWin(*op.handle).handle.Get())) {
    return Connected(op);
  }
  if (error == ERROR_SUCCESS || error == ERROR_MORE_DATA) {
    if (op.kind == OpKind::kAccept) return Connected(op);
    return Outcome{static_cast<double>(completion.bytes), {}, nullptr};
  }
  // Whatever the kernel reports for an operation we asked to cancel (aborted, or the broken
  // pipe of a closed handle), it did not complete: it is a cancellation.
  if (op.cancelRequested) return Outcome{0, Win32Error(ERROR_OPERATION_ABORTED), nullptr};
  if (op.kind == OpKind::kRecv && IsEndOfStream(error)) return Outcome{0, {}, nullptr};
  return Outcome{0, Win32Error(error), nullptr};
}

SysError IocpBackend::PeerPid(Handle& base, uint32_t* pid) {
  WinHandle& handle = AsWin(base);
  if (!handle.handle.Valid()) return BadHandle();
  ULONG peer = 0;
  const BOOL ok = handle.server ? ::GetNamedPipeClientProcessId(handle.handle.Get(), &peer)
                                : ::GetNamedPipeServerProcessId(handle.handle.Get(), &peer);
  if (!ok) return LastWin32Error();
  *pid = peer;
  return {};
}

void IocpBackend::CloseHandle(Handle& base) {
  // Pending operations complete with ERROR_OPERATION_ABORTED packets; their records stay in the
  // table until then (L1). A flush holds a duplicate of the handle, which would keep the pipe
  // open and the peer waiting for an end of stream: it is cancelled first.
  for (Operation* op : base.pending) {
    if (op->kind == OpKind::kFlush) flushes_.Cancel(AsWin(*op));
  }
  AsWin(base).handle.Reset();
}

}  // namespace proactor
