#include "linux/process_waits.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <limits>

#include "core/platform.h"
#include "unix/errors.h"

namespace proactor {

SysError OpenWaitFd(LinuxOperation& op, uint64_t target) {
  if (op.kind == OpKind::kWaitProcess) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(target), 0));
    if (pidfd < 0) return LastErrnoError();
    ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    op.waitFd = UniqueFd(pidfd);
    return {};
  }
  if (target > static_cast<uint64_t>(INT32_MAX)) return BadHandle();
  const int fd = ::fcntl(static_cast<int>(target), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return LastErrnoError();
  op.waitFd = UniqueFd(fd);
  return {};
}

Outcome ExitOutcome(const LinuxOperation& op) {
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

}  // namespace proactor
