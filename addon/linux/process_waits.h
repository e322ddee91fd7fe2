// The two ends of a wait that are not the wait poller's (wait_poller.h): the descriptor it
// watches, opened when the wait starts, and the exit status a process wait reports, read when
// its completion is consumed.
#pragma once

#include <sys/wait.h>

#include <cstdint>

#include "core/types.h"
#include "linux/linux_types.h"

namespace proactor {

// Sets op.waitFd. kWaitProcess: a pidfd for pid `target`, opened now, so it pins this process
// whatever happens to the pid later (L14). kWaitHandle: a dup of fd `target`, so the caller may
// close theirs while we wait.
SysError OpenWaitFd(LinuxOperation& op, uint64_t target);
// What a fired process wait reports: the exit code, -signal, or NaN when unknown.
Outcome ExitOutcome(const LinuxOperation& op);
// The same for a pid that pidfd_open refused with EINVAL, which names no running process (L14):
// a child's status while Node has not reaped it, else NaN.
double ExitStatusByPid(uint64_t pid);
// What waitid(type, id, WEXITED | WNOWAIT | WNOHANG) says of an exit: the code, minus the signal,
// or NaN (not our child, reaped already, or not exited).
double WaitStatus(idtype_t type, id_t id) noexcept;

}  // namespace proactor
