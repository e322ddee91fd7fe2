// Linux's platform services (core/platform.h): eventfd events, and counts read from /proc.
#include "core/platform.h"

#include <dirent.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "unix/errors.h"

namespace proactor {

SysError BadHandle() noexcept { return ErrnoError(EBADF); }
SysError OutOfMemory() noexcept { return ErrnoError(ENOMEM); }
bool RunningUnderWine() noexcept { return false; }

SysError CreateEventObject(uint64_t* out) noexcept {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return LastErrnoError();
  *out = static_cast<uint64_t>(fd);
  return {};
}

SysError SetEventObject(uint64_t event) noexcept {
  // The counter stays non-zero, so the fd stays readable, until a reset: a manual-reset event.
  const uint64_t one = 1;
  if (::write(static_cast<int>(event), &one, sizeof(one)) < 0 && errno != EAGAIN) return LastErrnoError();
  return {};
}

SysError ResetEventObject(uint64_t event) noexcept {
  uint64_t count = 0;
  if (::read(static_cast<int>(event), &count, sizeof(count)) < 0 && errno != EAGAIN) return LastErrnoError();
  return {};
}

SysError CloseEventObject(uint64_t event) noexcept {
  if (::close(static_cast<int>(event)) != 0) return LastErrnoError();
  return {};
}

double ThreadCount() noexcept {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return -1;
  char line[256];
  double threads = -1;
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    if (std::strncmp(line, "Threads:", 8) == 0) threads = std::strtod(line + 8, nullptr);
  }
  std::fclose(status);
  return threads;
}

double OpenHandleCount() noexcept {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  double count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') count++;
  }
  ::closedir(dir);
  return count - 1;  // the directory's own descriptor
}

}  // namespace proactor
