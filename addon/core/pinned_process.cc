// What a pinned process is on every platform: the ownership of its OS object. The OS calls are
// the platform's (addon/win/pinned_process.cc, addon/linux/pinned_process.cc).
#include "core/pinned_process.h"

#include <limits>
#include <new>

#include "core/platform.h"

namespace proactor {

namespace {
thread_local SysError injectedOpenFailure;  // one per environment's thread, as the tests run
}  // namespace

void FailNextProcessOpen(SysError error) noexcept { injectedOpenFailure = error; }

bool TakeProcessOpenFailure(SysError* error) noexcept {
  if (!injectedOpenFailure.failed()) return false;
  *error = injectedOpenFailure;
  injectedOpenFailure = SysError{};
  return true;
}

SysError PinnedProcess::Open(uint32_t pid, std::unique_ptr<PinnedProcess>* out) noexcept {
  uint64_t raw = 0;
  SysError error = OpenProcessObject(pid, true, &raw);
  if (error.failed()) return error;
  out->reset(new (std::nothrow) PinnedProcess(pid, raw));
  if (!*out) {
    CloseProcessObject(raw);
    return OutOfMemory();
  }
  return {};
}

PinnedProcess::~PinnedProcess() { Close(); }

void PinnedProcess::Close() noexcept {
  if (open_) CloseProcessObject(raw_);
  open_ = false;
}

double PinnedProcess::ExitStatus() const noexcept {
  return open_ ? ProcessExitStatus(raw_) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace proactor
