// The Node event loop watching one descriptor for us (a libuv poll handle): how the Linux
// backend gets completions onto the JS thread with a single thread wake-up, as libuv's own
// sockets do, instead of a poller thread followed by a threadsafe-function hop.
#pragma once

#include <functional>
#include <memory>

#include "core/types.h"

struct uv_loop_s;

namespace proactor {

class LoopPoll {
 public:
  using Ready = std::function<void()>;

  // Starts watching `fd` for readability on `loop`; `ready` runs on the loop thread each time
  // it is readable. The handle never keeps the loop alive by itself (the core's ref count does).
  static SysError Start(uv_loop_s* loop, int fd, Ready ready, std::unique_ptr<LoopPoll>* out);

  // Stops watching and gives the handle back to libuv, which frees it (and this object) in its
  // close callback; `closed` runs there. libuv owns the memory until then.
  static void Close(std::unique_ptr<LoopPoll> poll, std::function<void()> closed);

  ~LoopPoll();
  LoopPoll(const LoopPoll&) = delete;
  LoopPoll& operator=(const LoopPoll&) = delete;

 private:
  LoopPoll();
  static void OnReadable(void* handle, int status, int events);
  static void OnClosed(void* handle);

  std::unique_ptr<unsigned char[]> handle_;  // a uv_poll_t, sized by libuv at run time
  Ready ready_;
  std::function<void()> closed_;
};

}  // namespace proactor
