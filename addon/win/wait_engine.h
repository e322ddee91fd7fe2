// How a wait (waitForHandle, waitForProcess) reaches the port: the one interface of Windows' two
// wait engines, ThreadPoolWaits (thread_pool_waits.h) and WaitPackets (wait_packets.h). Whatever
// the engine, an armed wait yields exactly one completion for &op.Overlapped() (a packet on op.port,
// or, from the thread pool, a post to op.sink): signalled
// (Internal = STATUS_SUCCESS) or cancelled (STATUS_CANCELLED), never both, and never once the
// operation's record may be freed (DESIGN L8).
#pragma once

#include "core/types.h"
#include "win/win_types.h"

namespace proactor {

class WaitEngine {
 public:
  virtual ~WaitEngine() = default;

  // What setWaitEngine() calls it: "threadpool" or "packet".
  virtual const char* Name() const noexcept = 0;
  // Starts waiting for op.waitObject. On success op.waitEngine names this engine, which then
  // owns the wait until its completion is consumed.
  virtual SysError Arm(WinOperation& op) = 0;
  // JS thread. A request (L5): a no-op when the wait has fired, as its completion is on its way.
  virtual void Cancel(WinOperation& op) = 0;
  // JS thread, when a signalled wait's completion is consumed: gives back what the wait held.
  virtual void ReleaseFired(WinOperation& op) = 0;
  // JS thread. After it, nothing of this engine's posts to a port.
  virtual void Stop() = 0;
};

}  // namespace proactor
