// A process pinned by the OS object that names it (Windows: a process HANDLE from OpenProcess;
// Linux: a pidfd from pidfd_open), so whatever happens to its pid later — the process exits, the
// pid is reused — every call here still means that one process, or says it is gone. The waits
// (waitForProcess) open theirs the same way; openProcess hands one to JS.
// core/pinned_process.cc holds what is the same everywhere; addon/win/pinned_process.cc and
// addon/linux/pinned_process.cc the OS calls.
#pragma once

#include <cstdint>
#include <memory>

#include "core/types.h"

namespace proactor {

class PinnedProcess {
 public:
  // Opens pid `pid`. Windows: with the right to terminate where the caller has it (kill is then
  // EPERM, not the open). Errors: ESRCH no such process; EPERM not allowed (Windows); EINVAL on
  // Linux for a pid that names no running process although the number is still in use (a
  // process caught exiting, a group leader whose group lives on, a thread): the caller reads
  // that as "exited" (L14).
  static SysError Open(uint32_t pid, std::unique_ptr<PinnedProcess>* out) noexcept;
  ~PinnedProcess();  // closes the OS object
  PinnedProcess(const PinnedProcess&) = delete;
  PinnedProcess& operator=(const PinnedProcess&) = delete;

  uint32_t Pid() const noexcept { return pid_; }
  // The OS object, for a wait (which duplicates it).
  uint64_t Raw() const noexcept { return raw_; }
  // When the process started, in ms since the Unix epoch. Windows: GetProcessTimes' creation
  // time. Linux: /proc/<pid>/stat's start time (clock ticks since boot) plus /proc/stat's boot
  // time, read between pidfd_open and a pidfd_send_signal(0) that proves the pid still named the
  // pinned process (alive or not yet reaped) while it was read. ESRCH when it no longer did.
  SysError StartTime(double* ms) const noexcept;
  // Sends signal `signal` (a Linux/Node signal number). Linux: pidfd_send_signal. Windows:
  // SIGTERM, SIGKILL, SIGINT and SIGQUIT end the process (TerminateProcess, exit code 1, as
  // libuv's kill); 0 asks whether it still runs; any other signal is ENOSYS. ESRCH once the
  // process has exited.
  SysError Signal(int signal) const noexcept;
  // How it ended: the exit code, or minus the signal, or NaN when the OS will not say (Linux:
  // not our child, or reaped already). Call it once the process has exited.
  double ExitStatus() const noexcept;
  // Closes the OS object now (the destructor does otherwise); later calls report EBADF.
  void Close() noexcept;

 private:
  PinnedProcess(uint32_t pid, uint64_t raw) noexcept : pid_(pid), raw_(raw) {}
  uint32_t pid_;
  uint64_t raw_;
  bool open_ = true;
};

// A process's exit status as ExitStatus reports it, for the OS object `raw` (the waits hold
// their own).
double ProcessExitStatus(uint64_t raw) noexcept;
// Opens pid `pid` as PinnedProcess::Open does, as a raw OS object the caller owns.
SysError OpenProcessObject(uint32_t pid, bool withTerminate, uint64_t* raw) noexcept;
// Closes what OpenProcessObject opened.
void CloseProcessObject(uint64_t raw) noexcept;

// For tests of what the OS answers rarely (Linux kernels before 6.15 answer pidfd_open with EINVAL
// for a process caught exiting; Windows may refuse even to wait, EPERM): the next process open on
// this thread fails with `error` instead of asking the OS.
void FailNextProcessOpen(SysError error) noexcept;
// OpenProcessObject's first step: true, with the error, when a failure was asked for.
bool TakeProcessOpenFailure(SysError* error) noexcept;

}  // namespace proactor
