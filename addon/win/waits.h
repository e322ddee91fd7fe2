// Waits on Windows (waitForHandle, waitForProcess): what is waited on is opened when the wait
// starts, the chosen engine (wait_engine.h) delivers its one packet, and the result is read
// when that packet is consumed.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>

#include "core/types.h"
#include "win/thread_pool_waits.h"
#include "win/wait_packets.h"
#include "win/win_types.h"

namespace proactor {

class Waits {
 public:
  // Picks the engine for waits started from now on: "packet" when asked for and this system
  // has it, otherwise "threadpool" (the default, and what Wine runs: see DESIGN.md, Wine facts).
  // Returns the name of the one in use.
  const char* Choose(const std::string& name);
  // Opens the target (kWaitHandle: our own duplicate of HANDLE `target`, so the caller may close
  // theirs; kWaitProcess: pid `target`, opened now, so a later reuse of the pid cannot answer for
  // another process, L14) and arms the wait; its completion goes to `port` (wait packets) or
  // straight to `sink` (the thread pool).
  StartResult Start(WinOperation& op, uint64_t target, HANDLE port, CompletionSink* sink);
  void Cancel(WinOperation& op);
  // The result of a wait whose packet has been consumed: 1 for a signalled handle, a process's
  // exit code, or ECANCELED.
  Outcome ResultOf(WinOperation& op);
  // After it, no engine posts a wait's packet.
  void Stop();

 private:
  ThreadPoolWaits threadPool_;
  WaitPackets packets_;
  WaitEngine* engine_ = &threadPool_;
};

}  // namespace proactor
