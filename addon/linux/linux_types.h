// The Linux backend's handle and operation records.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <deque>
#include <string>

#include "core/operation.h"
#include "unix/unique_fd.h"

namespace proactor {

struct LinuxHandle final : Handle {
  ~LinuxHandle() override {
    if (!unlinkOnClose.empty() && fd.Valid()) ::unlink(unlinkOnClose.c_str());
  }
  UniqueFd fd;
  bool listener = false;
  bool socket = true;  // false for an adopted FIFO/pipe: written with write(), not send()
  bool adopted = false;  // the caller's fd: others may hold a dup of it
  std::string unlinkOnClose;  // a listening socket's file, removed when it closes (as libuv does)
  // Edge-triggered readiness, as we last saw it: true after a system call answered EAGAIN and
  // before epoll reported the direction ready again. While true, a new operation waits for the
  // edge instead of making a system call sure to fail; otherwise it is tried at once (L2).
  bool readBlocked = false;
  bool writeBlocked = false;
  // Registered with epoll only once an operation first waits: a socket whose operations all
  // finish at once (a connection made and closed, say) never costs an epoll_ctl.
  bool registered = false;
  // The directions epoll watches once registered. EPOLLOUT always: arming it per blocked write
  // costs more than the spare wake-ups it saves. EPOLLIN while someone reads: armed when a read
  // first waits, disarmed when data finds nobody waiting. (bench/decisions.md, "which directions
  // epoll watches", has the figures.)
  uint32_t armed = 0;
  // Operations waiting for readiness, in start order.
  std::deque<Operation*> readers;  // recv, or accept on a listener
  std::deque<Operation*> writers;   // send
  std::deque<Operation*> flushers;  // flush: retried on EPOLLOUT, after the writers
};

// Waits carry their own descriptor: a dup of the caller's fd (epoll keys registrations by
// descriptor, so two waits on one fd need two) or a pidfd that pins the process.
struct LinuxOperation final : Operation {
  UniqueFd waitFd;
};

}  // namespace proactor
