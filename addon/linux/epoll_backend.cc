#include "linux/epoll_backend.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "core/platform.h"
#include "linux/process_waits.h"
#include "linux/socket_io.h"
#include "unix/errors.h"
#include "unix/unix_socket.h"

namespace proactor {

namespace {

constexpr int kMaxEvents = 128;

LinuxHandle& AsLinux(Handle& handle) { return static_cast<LinuxHandle&>(handle); }

// A handle for `fd`, which it takes. Not registered with epoll yet: Start() does that when an
// operation first waits.
std::shared_ptr<LinuxHandle> MakeHandle(UniqueFd&& fd, bool listener) {
  auto handle = std::make_shared<LinuxHandle>();
  handle->listener = listener;
  handle->fd = std::move(fd);
  return handle;
}

Completion Cancelled(uintptr_t token) {
  Completion cancelled;
  cancelled.token = token;
  cancelled.error = ErrnoError(ECANCELED);
  return cancelled;
}

bool RemoveFrom(std::deque<Operation*>& queue, Operation* op) {
  auto it = std::find(queue.begin(), queue.end(), op);
  if (it == queue.end()) return false;
  queue.erase(it);
  return true;
}

}  // namespace

const char* BackendName() noexcept { return "epoll"; }
std::unique_ptr<Backend> CreateBackend() { return std::make_unique<EpollBackend>(); }

EpollBackend::~EpollBackend() { Stop(nullptr); }

SysError EpollBackend::Open(CompletionSink* sink, uv_loop_s* loop, const std::string&) {
  sink_ = sink;
  waits_ = std::make_unique<WaitPoller>(sink);
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.Valid()) return LastErrnoError();
  return LoopPoll::Start(loop, epoll_.Get(), [this] { PollReady(); }, &poll_);
}

void EpollBackend::PostForeign(uintptr_t token) {
  std::vector<Completion> batch(1);
  batch[0].token = token;
  sink_->Post(std::move(batch));
}

void EpollBackend::Stop(std::function<void()> stopped) {
  if (waits_) waits_->Stop();
  LoopPoll::Close(std::move(poll_), std::move(stopped));
}

StartResult EpollBackend::StartWait(Operation& base, uint64_t target) {
  auto& op = static_cast<LinuxOperation&>(base);
  SysError error = OpenWaitFd(op, target);
  // pidfd_open's EINVAL: the pid names no running process, though the number is still taken (a
  // process caught exiting, a group leader whose group lives on). It has exited (L14).
  if (op.kind == OpKind::kWaitProcess && error.uv == -EINVAL) {
    return StartResult::Done({ExitStatusByPid(target), {}, nullptr});
  }
  if (!error.failed()) error = waits_->Arm(op, TokenOf(op));
  if (error.failed()) return StartResult::Done({0, error, nullptr});
  return StartResult::Pending();
}

SysError EpollBackend::CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) {
  UniqueFd fd;
  SysError error = ListenUnixSocket(options, &fd);
  if (error.failed()) return error;
  std::shared_ptr<LinuxHandle> handle = MakeHandle(std::move(fd), true);
  handle->unlinkOnClose = options.path;
  *out = std::move(handle);
  return {};
}

SysError EpollBackend::ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) {
  UniqueFd fd;
  SysError error = ConnectUnixSocket(path, &fd);
  if (error.failed()) return error;
  *out = MakeHandle(std::move(fd), false);
  return {};
}

SysError EpollBackend::AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) {
  if (raw > static_cast<uint64_t>(INT32_MAX)) return BadHandle();
  const int fd = static_cast<int>(raw);
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return LastErrnoError();
  if (::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return LastErrnoError();
  ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
  // Made before it takes the fd: should the allocation fail, the fd is still the caller's.
  auto handle = std::make_shared<LinuxHandle>();
  handle->fd = UniqueFd(fd);
  handle->adopted = true;
  struct stat info {};
  handle->socket = ::fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode);
  *out = std::move(handle);
  return {};
}

bool EpollBackend::TryOp(LinuxHandle& handle, Operation& op, bool edge, Completion* done) {
  done->token = TokenOf(op);
  const int fd = handle.fd.Get();
  switch (op.kind) {
    case OpKind::kRecv:
      if (TryRead(fd, op, edge, done)) return true;
      handle.readBlocked = true;
      return false;
    case OpKind::kSend:
      if (TrySend(fd, handle.socket, op, done)) return true;
      handle.writeBlocked = true;
      return false;
    case OpKind::kFlush:
      // Writes still waiting to go out count as unread.
      return handle.writers.empty() && NothingUnread(fd, handle.socket);
    case OpKind::kAccept: {
      UniqueFd accepted;
      if (!TryAccept(fd, &accepted, done)) {
        handle.readBlocked = true;
        return false;
      }
      if (accepted.Valid()) done->handle = MakeHandle(std::move(accepted), false);
      return true;
    }
    case OpKind::kWaitHandle:
    case OpKind::kWaitProcess:
      break;  // waits are armed by StartWait, never queued on a handle
  }
  done->error = ErrnoError(EINVAL);
  return true;
}

StartResult EpollBackend::Start(Operation& op) {
  LinuxHandle& handle = AsLinux(*op.handle);
  if (!handle.fd.Valid()) return StartResult::Done({0, BadHandle(), nullptr});
  if ((op.kind == OpKind::kAccept) != handle.listener) return StartResult::Done({0, ErrnoError(EINVAL), nullptr});
  // Flushes wait apart, so writes never queue behind them; each EPOLLOUT retries them after the
  // writes.
  std::deque<Operation*>& queue = op.kind == OpKind::kSend    ? handle.writers
                                  : op.kind == OpKind::kFlush ? handle.flushers
                                                              : handle.readers;
  // Earlier operations of the same kind go first; otherwise the socket may be ready now, unless
  // it answered EAGAIN since epoll last said it was.
  // (A flush asks nothing that EAGAIN answers: it is always worth trying.)
  const bool writes = op.kind == OpKind::kSend || op.kind == OpKind::kFlush;
  const bool blocked = op.kind == OpKind::kSend ? handle.writeBlocked : !writes && handle.readBlocked;
  Completion done;
  if (queue.empty() && !blocked && TryOp(handle, op, false, &done)) {
    return StartResult::Done({static_cast<double>(done.bytes), done.error, std::move(done.handle)});
  }
  queue.push_back(&op);
  const uint32_t direction = writes ? static_cast<uint32_t>(EPOLLOUT) : EPOLLIN;
  const bool first = !handle.registered;
  if (!Interest(handle, direction, true)) {
    queue.pop_back();
    return StartResult::Done({0, LastErrnoError(), nullptr});
  }
  // Its events name it by id (the core has registered it: it has operations).
  if (first) handles_.emplace(handle.id, std::static_pointer_cast<LinuxHandle>(op.handle));
  return StartResult::Pending();
}

bool EpollBackend::Interest(LinuxHandle& handle, uint32_t direction, bool on) {
  // Writing is watched from the first registration on (see LinuxHandle::armed).
  const uint32_t armed = EPOLLOUT | (on ? handle.armed | direction : handle.armed & ~direction);
  if (handle.registered && armed == handle.armed) return true;
  // Edge-triggered. (Re-)arming checks readiness: a socket that became ready meanwhile
  // reports it now.
  epoll_event event{};
  event.events = static_cast<uint32_t>(EPOLLET) | armed;
  if ((armed & EPOLLIN) != 0) event.events |= EPOLLRDHUP;
  event.data.u64 = handle.id;
  const int op = handle.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_.Get(), op, handle.fd.Get(), &event) != 0) return false;
  handle.registered = true;
  handle.armed = armed;
  return true;
}

void EpollBackend::Cancel(Operation& op) {
  // Dropping interest is the whole cancel here. An operation no longer queued (or armed) has
  // already completed and its result is on its way (L5).
  if (IsWait(op.kind)) {
    waits_->Disarm(static_cast<LinuxOperation&>(op), TokenOf(op));
    return;
  }
  LinuxHandle& handle = AsLinux(*op.handle);
  if (RemoveFrom(handle.readers, &op) || RemoveFrom(handle.writers, &op) || RemoveFrom(handle.flushers, &op)) {
    std::vector<Completion> batch;
    batch.push_back(Cancelled(TokenOf(op)));
    sink_->Post(std::move(batch));
  }
}

Outcome EpollBackend::ResultOf(Operation& base, const Completion& completion) {
  auto& op = static_cast<LinuxOperation&>(base);
  if (op.kind == OpKind::kWaitProcess && !completion.error.failed()) return ExitOutcome(op);
  return Outcome{static_cast<double>(completion.bytes), completion.error, completion.handle};
}

void EpollBackend::CloseHandle(Handle& base) {
  LinuxHandle& handle = AsLinux(base);
  std::vector<Completion> batch;
  for (auto* queue : {&handle.readers, &handle.writers, &handle.flushers}) {
    for (Operation* op : *queue) batch.push_back(Cancelled(TokenOf(*op)));
    queue->clear();
  }
  if (!batch.empty()) sink_->Post(std::move(batch));
  handles_.erase(handle.id);
  if (handle.fd.Valid()) {
    // Closing the last descriptor of a socket drops its registration; an adopted fd may have
    // dups elsewhere (a child's stdio), which would keep it registered.
    if (handle.adopted && handle.registered) ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, handle.fd.Get(), nullptr);
    if (!handle.unlinkOnClose.empty()) ::unlink(handle.unlinkOnClose.c_str());
    handle.fd.Reset();
  }
}

SysError EpollBackend::ShutdownWrite(Handle& base) {
  LinuxHandle& handle = AsLinux(base);
  if (!handle.fd.Valid() || handle.listener) return BadHandle();
  if (::shutdown(handle.fd.Get(), SHUT_WR) != 0) return LastErrnoError();
  return {};
}

SysError EpollBackend::PeerPid(Handle& base, uint32_t* pid) {
  LinuxHandle& handle = AsLinux(base);
  if (!handle.fd.Valid() || handle.listener) return BadHandle();
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  if (::getsockopt(handle.fd.Get(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return LastErrnoError();
  *pid = static_cast<uint32_t>(credentials.pid);
  return {};
}

SysError EpollBackend::PendingError(Handle& base) {
  LinuxHandle& handle = AsLinux(base);
  if (!handle.fd.Valid() || handle.listener || !handle.socket) return {};
  int error = 0;
  socklen_t length = sizeof(error);
  if (::getsockopt(handle.fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) return LastErrnoError();
  return error == 0 ? SysError{} : ErrnoError(error);
}

void EpollBackend::RetryWaiting(LinuxHandle& handle, std::deque<Operation*>& queue, std::vector<Completion>* batch) {
  while (!queue.empty()) {
    Completion done;
    if (!TryOp(handle, *queue.front(), true, &done)) return;
    queue.pop_front();
    batch->push_back(std::move(done));
  }
}

void EpollBackend::PollReady() {
  epoll_event events[kMaxEvents];
  std::vector<Completion> batch;
  for (;;) {
    const int n = ::epoll_wait(epoll_.Get(), events, kMaxEvents, 0);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; i++) OnEvent(events[i], &batch);
    if (n < kMaxEvents) break;
  }
  // Last: JS may start, cancel or close anything from here on, and nothing above is in use.
  if (!batch.empty()) sink_->DeliverNow(std::move(batch));
}

void EpollBackend::OnEvent(const epoll_event& event, std::vector<Completion>* batch) {
  auto it = handles_.find(static_cast<HandleId>(event.data.u64));
  if (it == handles_.end()) return;
  std::shared_ptr<LinuxHandle> handle = it->second.lock();
  if (!handle || !handle->fd.Valid()) return;
  if (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    handle->readBlocked = false;
    // Data nobody waits for disarms reading, so a process busy with what it read is not woken
    // for every write its peer makes (libuv likewise watches reads only while reading).
    if (handle->readers.empty()) Interest(*handle, EPOLLIN, false);
    RetryWaiting(*handle, handle->readers, batch);
  }
  if (event.events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
    handle->writeBlocked = false;
    RetryWaiting(*handle, handle->writers, batch);
    RetryWaiting(*handle, handle->flushers, batch);
  }
}

}  // namespace proactor
