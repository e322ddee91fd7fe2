// Linux's pinned processes (core/pinned_process.h): a pidfd (Linux 5.3), signalled through it
// and read through /proc.
#include "core/pinned_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "linux/process_waits.h"
#include "unix/errors.h"

namespace proactor {

namespace {

// "btime" of /proc/stat: the boot time, in seconds since the epoch. -1 if unreadable.
double BootTimeSeconds() noexcept {
  FILE* stat = std::fopen("/proc/stat", "re");
  if (stat == nullptr) return -1;
  char line[256];
  double seconds = -1;
  while (std::fgets(line, sizeof(line), stat) != nullptr) {
    if (std::strncmp(line, "btime ", 6) == 0) seconds = std::strtod(line + 6, nullptr);
  }
  std::fclose(stat);
  return seconds;
}

// Field 22 of /proc/<pid>/stat (proc(5)): the start time in clock ticks after boot. The command
// name (field 2) is in parentheses and may itself hold spaces and ')', so fields are counted
// from the last ')'.
SysError StartTicks(uint32_t pid, double* ticks) noexcept {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%u/stat", pid);
  FILE* file = std::fopen(path, "re");
  if (file == nullptr) return errno == ENOENT ? ErrnoError(ESRCH) : LastErrnoError();
  char buffer[1024];
  const size_t length = std::fread(buffer, 1, sizeof(buffer) - 1, file);
  std::fclose(file);
  buffer[length] = '\0';
  const char* field = std::strrchr(buffer, ')');
  if (field == nullptr) return ErrnoError(EIO);
  field++;  // " S ppid ...": field 3 follows
  for (int index = 3; index < 22; index++) {
    while (*field == ' ') field++;
    while (*field != ' ' && *field != '\0') field++;
  }
  char* end = nullptr;
  *ticks = std::strtod(field, &end);
  return end == field ? ErrnoError(EIO) : SysError{};
}

// True when /proc/<id>/status shows a live thread of another process (its Tgid differs).
bool IsOtherThread(uint32_t id) noexcept {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%u/status", id);
  FILE* status = std::fopen(path, "re");
  if (status == nullptr) return false;
  char line[256];
  long tgid = -1;
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    if (std::strncmp(line, "Tgid:", 5) == 0) tgid = std::strtol(line + 5, nullptr, 10);
  }
  std::fclose(status);
  return tgid > 0 && static_cast<uint32_t>(tgid) != id;
}

int PidfdSendSignal(int pidfd, int signal) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace

SysError OpenProcessObject(uint32_t pid, bool, uint64_t* raw) noexcept {
  SysError injected;
  if (TakeProcessOpenFailure(&injected)) return injected;
  // pidfd_open(2) sets close-on-exec itself.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (pidfd < 0) {
    const int error = errno;
    // A thread's id, which names no process: Linux 6.15 and later answer ENOENT, earlier ones
    // EINVAL (which otherwise means exited). Either way there is no such process.
    if (error == ENOENT || (error == EINVAL && IsOtherThread(pid))) return ErrnoError(ESRCH);
    return ErrnoError(error);
  }
  *raw = static_cast<uint64_t>(pidfd);
  return {};
}

void CloseProcessObject(uint64_t raw) noexcept { ::close(static_cast<int>(raw)); }

double ProcessExitStatus(uint64_t raw) noexcept {
  const auto byPidfd = static_cast<idtype_t>(3);  // P_PIDFD, Linux 5.4
  return WaitStatus(byPidfd, static_cast<id_t>(raw));
}

double WaitStatus(idtype_t type, id_t id) noexcept {
  // The exit status without reaping (WNOWAIT): Node's own child watch still gets it. Only a
  // child of ours has one to read; for any other process it is unknown (NaN -> null).
  siginfo_t info{};
  if (::waitid(type, id, &info, WEXITED | WNOWAIT | WNOHANG) == 0 && info.si_pid != 0) {
    if (info.si_code == CLD_EXITED) return static_cast<double>(info.si_status);
    if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) return -static_cast<double>(info.si_status);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

SysError PinnedProcess::StartTime(double* ms) const noexcept {
  if (!open_) return ErrnoError(EBADF);
  double ticks = 0;
  SysError error = StartTicks(pid_, &ticks);
  if (error.failed()) return error;
  // Read after the pidfd was opened: if the pid still names the pinned process now (signal 0
  // reaches a running or unreaped one), it did while /proc was read, and no reuse came between.
  if (PidfdSendSignal(static_cast<int>(raw_), 0) != 0 && errno == ESRCH) return ErrnoError(ESRCH);
  const double boot = BootTimeSeconds();
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (boot < 0 || hz <= 0) return ErrnoError(EIO);
  *ms = boot * 1000 + ticks * 1000 / static_cast<double>(hz);
  return {};
}

SysError PinnedProcess::Signal(int signal) const noexcept {
  if (!open_) return ErrnoError(EBADF);
  // A pidfd is readable once its process has exited. A zombie would still take the signal (to
  // no effect): report it as gone, as a reaped one is.
  pollfd exited{static_cast<int>(raw_), POLLIN, 0};
  if (::poll(&exited, 1, 0) > 0) return ErrnoError(ESRCH);
  if (PidfdSendSignal(static_cast<int>(raw_), signal) != 0) return LastErrnoError();
  return {};
}

}  // namespace proactor
