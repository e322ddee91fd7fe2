#include "linux/loop_poll.h"

#include <cerrno>
#include <cstddef>

#include "unix/errors.h"

// The few libuv functions used here, declared rather than included: Node-API ships no libuv
// headers, and these belong to libuv's stable v1 ABI, which every Node (and Electron) exports.
// The handle's size comes from libuv at run time, so no struct layout is compiled in.
extern "C" {
struct uv_handle_s;
struct uv_poll_s;
using uv_poll_cb = void (*)(uv_poll_s* handle, int status, int events);
using uv_close_cb = void (*)(uv_handle_s* handle);
size_t uv_handle_size(int type);
int uv_poll_init(uv_loop_s* loop, uv_poll_s* handle, int fd);
int uv_poll_start(uv_poll_s* handle, int events, uv_poll_cb cb);
int uv_poll_stop(uv_poll_s* handle);
void uv_close(uv_handle_s* handle, uv_close_cb cb);
void uv_unref(uv_handle_s* handle);
void uv_handle_set_data(uv_handle_s* handle, void* data);
void* uv_handle_get_data(const uv_handle_s* handle);
}

namespace proactor {

namespace {

constexpr int kUvPoll = 8;      // UV_POLL in uv_handle_type
constexpr int kUvReadable = 1;  // UV_READABLE in uv_poll_event

uv_handle_s* AsHandle(unsigned char* storage) { return reinterpret_cast<uv_handle_s*>(storage); }
uv_poll_s* AsPoll(unsigned char* storage) { return reinterpret_cast<uv_poll_s*>(storage); }

// libuv's errors on Unix are negated errno values.
SysError UvError(int code) { return ErrnoError(-code); }

}  // namespace

LoopPoll::LoopPoll() = default;
LoopPoll::~LoopPoll() = default;

SysError LoopPoll::Start(uv_loop_s* loop, int fd, Ready ready, std::unique_ptr<LoopPoll>* out) {
  const size_t size = uv_handle_size(kUvPoll);
  if (loop == nullptr || size == 0) return ErrnoError(EINVAL);
  std::unique_ptr<LoopPoll> poll(new LoopPoll());
  poll->handle_.reset(new unsigned char[size]());
  poll->ready_ = std::move(ready);
  int result = uv_poll_init(loop, AsPoll(poll->handle_.get()), fd);
  if (result != 0) return UvError(result);  // not registered with the loop: freed here
  uv_handle_set_data(AsHandle(poll->handle_.get()), poll.get());
  uv_unref(AsHandle(poll->handle_.get()));
  result = uv_poll_start(AsPoll(poll->handle_.get()), kUvReadable,
                         [](uv_poll_s* handle, int status, int events) { OnReadable(handle, status, events); });
  if (result != 0) {
    Close(std::move(poll), nullptr);  // registered: only libuv's close callback may free it
    return UvError(result);
  }
  *out = std::move(poll);
  return {};
}

void LoopPoll::OnReadable(void* handle, int, int) {
  // A status error (the descriptor went bad) is reported as readable too: the backend's
  // non-blocking epoll_wait finds out, and nothing here could do better.
  auto* poll = static_cast<LoopPoll*>(uv_handle_get_data(static_cast<uv_handle_s*>(handle)));
  if (poll == nullptr || !poll->ready_) return;
  try {
    poll->ready_();
  } catch (...) {
    // No exception may unwind into libuv. What could throw here is an allocation; the events
    // stay in epoll's ready list and are retried on the next readiness.
  }
}

void LoopPoll::Close(std::unique_ptr<LoopPoll> poll, std::function<void()> closed) {
  if (!poll) {
    if (closed) closed();
    return;
  }
  poll->closed_ = std::move(closed);
  // ready_ stays: Close may run from inside it (JS closing its proactor in a completion
  // callback), and a stopped handle is never called again.
  uv_handle_s* handle = AsHandle(poll->handle_.get());
  uv_poll_stop(AsPoll(poll->handle_.get()));
  // From here until OnClosed, the memory is libuv's.
  (void)poll.release();
  uv_close(handle, [](uv_handle_s* closing) { OnClosed(closing); });
}

void LoopPoll::OnClosed(void* handle) {
  std::unique_ptr<LoopPoll> poll(static_cast<LoopPoll*>(uv_handle_get_data(static_cast<uv_handle_s*>(handle))));
  std::function<void()> closed = std::move(poll->closed_);
  poll.reset();
  if (closed) closed();
}

}  // namespace proactor
