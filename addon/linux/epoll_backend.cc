#include "linux/epoll_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/platform.h"
#include "unix/errors.h"
#include "unix/unix_socket.h"

namespace proactor {

namespace {

constexpr int kMaxEvents = 128;

PosixHandle& AsPosix(Handle& handle) { return static_cast<PosixHandle&>(handle); }

bool RemoveFrom(std::deque<Operation*>& queue, Operation* op) {
  auto it = std::find(queue.begin(), queue.end(), op);
  if (it == queue.end()) return false;
  queue.erase(it);
  return true;
}

}  // namespace

const char* BackendName() noexcept { return "epoll"; }
std::unique_ptr<Backend> CreateBackend() { return std::make_unique<EpollBackend>(); }
PosixHandle::~PosixHandle() {
  if (!unlinkOnClose.empty() && fd.Valid()) ::unlink(unlinkOnClose.c_str());
}

EpollBackend::~EpollBackend() { Stop(nullptr); }

SysError EpollBackend::Open(CompletionSink* sink, uv_loop_s* loop) {
  sink_ = sink;
  waits_ = std::make_unique<WaitPoller>(sink);
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.Valid()) return LastErrnoError();
  return LoopPoll::Start(loop, epoll_.Get(), [this] { PollReady(); }, &poll_);
}

void EpollBackend::Stop(std::function<void()> stopped) {
  if (waits_) waits_->Stop();
  LoopPoll::Close(std::move(poll_), std::move(stopped));
}

std::unique_ptr<Operation> EpollBackend::NewOperation() { return std::make_unique<PosixOperation>(); }

StartResult EpollBackend::StartWait(Operation& base, uint64_t target) {
  auto& op = static_cast<PosixOperation&>(base);
  if (op.kind == OpKind::kWaitProcess) {
    // Opened now: the pidfd pins this process, whatever happens to the pid later.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(target), 0));
    if (pidfd < 0) return StartResult::Done({0, LastErrnoError(), nullptr});
    ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    op.waitFd = UniqueFd(pidfd);
  } else {
    if (target > static_cast<uint64_t>(INT32_MAX)) return StartResult::Done({0, BadHandle(), nullptr});
    const int fd = ::fcntl(static_cast<int>(target), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return StartResult::Done({0, LastErrnoError(), nullptr});
    op.waitFd = UniqueFd(fd);
  }
  SysError error = waits_->Arm(op, TokenOf(op));
  if (error.failed()) return StartResult::Done({0, error, nullptr});
  return StartResult::Pending();
}

SysError EpollBackend::Adopt(UniqueFd&& fd, bool listener, std::shared_ptr<PosixHandle>* out) {
  // `fd` is taken only on success; on failure it stays with the caller.
  auto handle = std::make_shared<PosixHandle>();
  handle->listener = listener;
  // Not registered with epoll yet: Start() does it when an operation first waits.
  handle->fd = std::move(fd);
  *out = std::move(handle);
  return {};
}

SysError EpollBackend::CreatePipeInstance(const PipeInstanceOptions& options, std::shared_ptr<Handle>* out) {
  UniqueFd fd;
  SysError error = ListenUnixSocket(options, &fd);
  if (error.failed()) return error;
  std::shared_ptr<PosixHandle> handle;
  error = Adopt(std::move(fd), true, &handle);
  if (error.failed()) {
    ::unlink(options.path.c_str());
    return error;
  }
  handle->unlinkOnClose = options.path;
  *out = std::move(handle);
  return {};
}

SysError EpollBackend::ConnectPipe(const std::string& path, std::shared_ptr<Handle>* out) {
  UniqueFd fd;
  SysError error = ConnectUnixSocket(path, &fd);
  if (error.failed()) return error;
  std::shared_ptr<PosixHandle> handle;
  error = Adopt(std::move(fd), false, &handle);
  if (error.failed()) return error;
  *out = std::move(handle);
  return {};
}

bool EpollBackend::TryRecv(PosixHandle& handle, Operation& op, bool edge, Completion* done) {
  if (op.length == 0) {
    // A zero-byte read waits for readiness (data or end of stream) and reads nothing. An edge
    // says it; otherwise ask without consuming anything (poll works for sockets and FIFOs).
    if (edge) return true;
    pollfd check{handle.fd.Get(), POLLIN, 0};
    while (::poll(&check, 1, 0) < 0) {
      if (errno != EINTR) {
        done->error = LastErrnoError();
        return true;
      }
    }
    if (check.revents != 0) return true;
    handle.readBlocked = true;
    return false;
  }
  for (;;) {
    ssize_t n = ::read(handle.fd.Get(), op.data, op.length);
    if (n >= 0) {
      done->bytes = static_cast<uint64_t>(n);
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      handle.readBlocked = true;
      return false;
    }
    // The peer went away with data unread: end of stream, as a broken pipe is on Windows.
    if (errno == ECONNRESET || errno == EPIPE) {
      done->bytes = 0;
      return true;
    }
    done->error = LastErrnoError();
    return true;
  }
}

bool EpollBackend::TrySend(PosixHandle& handle, Operation& op, Completion* done) {
  while (op.transferred < op.length) {
    // MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE. Pipes (no send()) rely on Node
    // ignoring SIGPIPE, as it does from start-up.
    const size_t left = op.length - op.transferred;
    ssize_t n = handle.socket ? ::send(handle.fd.Get(), op.data + op.transferred, left, MSG_NOSIGNAL)
                              : ::write(handle.fd.Get(), op.data + op.transferred, left);
    if (n >= 0) {
      op.transferred += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      handle.writeBlocked = true;
      return false;
    }
    done->error = LastErrnoError();
    return true;
  }
  done->bytes = op.transferred;
  return true;
}

bool EpollBackend::TryFlush(PosixHandle& handle) {
  // Writes still waiting to go out count as unread.
  if (!handle.writers.empty()) return false;
  // An AF_UNIX sender is charged for what it wrote until the peer has read it (or is gone, when
  // the peer's queue is freed): SIOCOUTQ is 0 exactly then, and each read that frees some of it
  // raises EPOLLOUT, which retries this. A descriptor that cannot say (a FIFO) has handed its
  // data to the kernel, which delivers it whatever we do next.
  int unread = 0;
  if (!handle.socket || ::ioctl(handle.fd.Get(), SIOCOUTQ, &unread) != 0) return true;
  return unread == 0;
}

bool EpollBackend::TryAccept(PosixHandle& handle, Operation&, Completion* done) {
  for (;;) {
    int fd = ::accept4(handle.fd.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      std::shared_ptr<PosixHandle> accepted;
      UniqueFd owned(fd);
      SysError error = Adopt(std::move(owned), false, &accepted);
      if (error.failed()) {
        done->error = error;
      } else {
        done->handle = std::move(accepted);
      }
      return true;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      handle.readBlocked = true;
      return false;
    }
    done->error = LastErrnoError();
    return true;
  }
}

bool EpollBackend::TryOp(PosixHandle& handle, Operation& op, bool edge, Completion* done) {
  done->token = TokenOf(op);
  switch (op.kind) {
    case OpKind::kRecv:
      return TryRecv(handle, op, edge, done);
    case OpKind::kSend:
      return TrySend(handle, op, done);
    case OpKind::kFlush:
      return TryFlush(handle);
    case OpKind::kAccept:
      return TryAccept(handle, op, done);
    case OpKind::kWaitHandle:
    case OpKind::kWaitProcess:
      break;  // waits are armed by StartWait, never queued on a handle
  }
  done->error = ErrnoError(EINVAL);
  return true;
}

StartResult EpollBackend::Start(Operation& op) {
  PosixHandle& handle = AsPosix(*op.handle);
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
  if (first) handles_.emplace(handle.id, std::static_pointer_cast<PosixHandle>(op.handle));
  return StartResult::Pending();
}

bool EpollBackend::Interest(PosixHandle& handle, uint32_t direction, bool on) {
  // Writing is watched from the first registration on (see PosixHandle::armed).
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
    waits_->Disarm(static_cast<PosixOperation&>(op), TokenOf(op));
    return;
  }
  PosixHandle& handle = AsPosix(*op.handle);
  if (RemoveFrom(handle.readers, &op) || RemoveFrom(handle.writers, &op) || RemoveFrom(handle.flushers, &op)) {
    std::vector<Completion> batch(1);
    batch[0].token = TokenOf(op);
    batch[0].error = ErrnoError(ECANCELED);
    sink_->Post(std::move(batch));
  }
}

Outcome EpollBackend::ResultOf(Operation& base, const Completion& completion) {
  auto& op = static_cast<PosixOperation&>(base);
  if (op.kind != OpKind::kWaitProcess || completion.error.failed()) {
    return Outcome{static_cast<double>(completion.bytes), completion.error, completion.handle};
  }
  // The exit status, without reaping (WNOWAIT): Node's own child watch still gets it. Only a
  // child of ours has one to read; for any other process it is unknown (NaN -> null).
  siginfo_t info{};
  const auto byPidfd = static_cast<idtype_t>(3);  // P_PIDFD, Linux 5.4
  if (::waitid(byPidfd, static_cast<id_t>(op.waitFd.Get()), &info, WEXITED | WNOWAIT | WNOHANG) == 0 &&
      info.si_pid != 0) {
    if (info.si_code == CLD_EXITED) return Outcome{static_cast<double>(info.si_status), {}, nullptr};
    if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) {
      return Outcome{-static_cast<double>(info.si_status), {}, nullptr};
    }
  }
  return Outcome{std::numeric_limits<double>::quiet_NaN(), {}, nullptr};
}

void EpollBackend::CloseHandle(Handle& base) {
  PosixHandle& handle = AsPosix(base);
  std::vector<Completion> batch;
  for (auto* queue : {&handle.readers, &handle.writers, &handle.flushers}) {
    for (Operation* op : *queue) {
      Completion cancelled;
      cancelled.token = TokenOf(*op);
      cancelled.error = ErrnoError(ECANCELED);
      batch.push_back(std::move(cancelled));
    }
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

SysError EpollBackend::AdoptHandle(uint64_t raw, std::shared_ptr<Handle>* out) {
  if (raw > static_cast<uint64_t>(INT32_MAX)) return BadHandle();
  const int fd = static_cast<int>(raw);
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return LastErrnoError();
  if (::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return LastErrnoError();
  ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
  UniqueFd owned(fd);
  std::shared_ptr<PosixHandle> handle;
  SysError error = Adopt(std::move(owned), false, &handle);
  if (error.failed()) {
    (void)owned.Release();  // not taken: the fd is still the caller's
    return error;
  }
  handle->adopted = true;
  struct stat info {};
  handle->socket = ::fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode);
  *out = std::move(handle);
  return {};
}

SysError EpollBackend::ShutdownWrite(Handle& base) {
  PosixHandle& handle = AsPosix(base);
  if (!handle.fd.Valid() || handle.listener) return BadHandle();
  if (::shutdown(handle.fd.Get(), SHUT_WR) != 0) return LastErrnoError();
  return {};
}

SysError EpollBackend::PeerPid(Handle& base, uint32_t* pid) {
  PosixHandle& handle = AsPosix(base);
  if (!handle.fd.Valid() || handle.listener) return BadHandle();
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  if (::getsockopt(handle.fd.Get(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return LastErrnoError();
  *pid = static_cast<uint32_t>(credentials.pid);
  return {};
}

SysError EpollBackend::PendingError(Handle& base) {
  PosixHandle& handle = AsPosix(base);
  if (!handle.fd.Valid() || handle.listener || !handle.socket) return {};
  int error = 0;
  socklen_t length = sizeof(error);
  if (::getsockopt(handle.fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) return LastErrnoError();
  return error == 0 ? SysError{} : ErrnoError(error);
}

void EpollBackend::RetryWaiting(PosixHandle& handle, std::deque<Operation*>& queue, std::vector<Completion>* batch) {
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
  std::shared_ptr<PosixHandle> handle = it->second.lock();
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
