#include "linux/process_waits.h"

#include <fcntl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <limits>

#include "core/pinned_process.h"
#include "core/platform.h"
#include "unix/errors.h"

namespace proactor {

SysError OpenWaitFd(LinuxOperation& op, uint64_t target) {
  if (op.kind == OpKind::kWaitProcess) {
    uint64_t pidfd = 0;
    SysError error = OpenProcessObject(static_cast<uint32_t>(target), false, &pidfd);
    if (error.failed()) return error;
    op.waitFd = UniqueFd(static_cast<int>(pidfd));
    return {};
  }
  if (target > static_cast<uint64_t>(INT32_MAX)) return BadHandle();
  const int fd = ::fcntl(static_cast<int>(target), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return LastErrnoError();
  op.waitFd = UniqueFd(fd);
  return {};
}

double ExitStatusByPid(uint64_t pid) { return WaitStatus(P_PID, static_cast<id_t>(pid)); }

Outcome ExitOutcome(const LinuxOperation& op) {
  return Outcome{ProcessExitStatus(static_cast<uint64_t>(op.waitFd.Get())), {}, nullptr};
}

}  // namespace proactor
