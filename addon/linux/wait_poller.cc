#include "linux/wait_poller.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "linux/linux_types.h"
#include "unix/errors.h"

namespace proactor {

namespace {

constexpr uint64_t kWakeKey = 0;  // tokens are operation ids, which start at 1
constexpr int kMaxEvents = 128;

}  // namespace

SysError WaitPoller::Start() {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.Valid()) return LastErrnoError();
  wake_ = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_.Valid()) return LastErrnoError();
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeKey;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, wake_.Get(), &event) != 0) return LastErrnoError();
  thread_ = std::thread([this] { Run(); });
  return {};
}

SysError WaitPoller::Arm(LinuxOperation& op, uintptr_t token) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!thread_.joinable()) {
    if (stopping_) return ErrnoError(EBADF);
    SysError error = Start();
    if (error.failed()) return error;
  }
  epoll_event event{};
  event.events = EPOLLIN | EPOLLONESHOT;
  event.data.u64 = token;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, op.waitFd.Get(), &event) != 0) return LastErrnoError();
  armed_.emplace(token, &op);
  return {};
}

bool WaitPoller::Disarm(LinuxOperation& op, uintptr_t token) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = armed_.find(token);
    if (it == armed_.end()) return false;
    ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, op.waitFd.Get(), nullptr);
    armed_.erase(it);
  }
  std::vector<Completion> batch(1);
  batch[0].token = token;
  batch[0].error = ErrnoError(ECANCELED);
  sink_->Post(std::move(batch));
  return true;
}

void WaitPoller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  while (::write(wake_.Get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  thread_.join();
}

void WaitPoller::Run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    const int n = ::epoll_wait(epoll_.Get(), events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::vector<Completion> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      for (int i = 0; i < n; i++) {
        const uintptr_t token = static_cast<uintptr_t>(events[i].data.u64);
        auto it = armed_.find(token);
        if (it == armed_.end()) continue;  // the wake-up, or cancelled since epoll_wait returned
        ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, it->second->waitFd.Get(), nullptr);
        armed_.erase(it);
        Completion signalled;
        signalled.token = token;
        signalled.bytes = 1;
        batch.push_back(std::move(signalled));
      }
    }
    if (!batch.empty()) sink_->Post(std::move(batch));
  }
}

}  // namespace proactor
