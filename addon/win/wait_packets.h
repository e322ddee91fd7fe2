// Waits as wait completion packets (NtCreateWaitCompletionPacket and friends, Windows 8+): the
// kernel itself queues the wait's packet to our port when the object is signalled. No thread per
// 63 waits, and a cancel that answers at once. These ntdll functions are undocumented and Wine
// lacks them (see DESIGN.md, Wine facts), so the engine is looked up at run time and chosen only
// on request (PROACTOR_WAIT_ENGINE=packet) until it has been proven on real Windows.
#pragma once

#include "core/types.h"
#include "win/wait_engine.h"
#include "win/win_types.h"

namespace proactor {

class WaitPackets final : public WaitEngine {
 public:
  // Whether this system's ntdll has the three functions.
  static bool Available() noexcept;

  const char* Name() const noexcept override { return "packet"; }
  // Associates a new wait packet for `op.waitObject` with `op.port`.
  SysError Arm(WinOperation& op) override;
  // JS thread. The three answers of NtCancelWaitCompletionPacket(RemoveSignaledPacket = TRUE):
  // success — no packet was or will be queued, so we post the "cancelled" one ourselves;
  // cancelled — the packet was already dequeued (its result is on the way to JS);
  // pending — the packet is being queued: it will come, and carries the result (L5).
  void Cancel(WinOperation& op) override;
  // Nothing to give back: the packet object is op.packet, freed with the operation's record.
  void ReleaseFired(WinOperation&) override {}
  // Nothing to stop: no thread of ours takes part in a packet wait.
  void Stop() override {}
};

}  // namespace proactor
