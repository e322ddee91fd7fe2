#include "win/waits.h"

#include "core/pinned_process.h"
#include "win/errors.h"

namespace proactor {

const char* Waits::Choose(const std::string& name) {
  engine_ = name == "packet" && WaitPackets::Available() ? static_cast<WaitEngine*>(&packets_) : &threadPool_;
  return engine_->Name();
}

StartResult Waits::Start(WinOperation& op, uint64_t target, HANDLE port, CompletionSink* sink) {
  HANDLE self = ::GetCurrentProcess();
  if (op.kind == OpKind::kWaitProcess) {
    uint64_t process = 0;
    SysError error = OpenProcessObject(static_cast<uint32_t>(target), false, &process);
    if (error.failed()) return StartResult::Done({0, error, nullptr});
    op.waitObject = UniqueHandle(reinterpret_cast<HANDLE>(static_cast<uintptr_t>(process)));
  } else {
    HANDLE duplicate = nullptr;
    if (!::DuplicateHandle(self, reinterpret_cast<HANDLE>(static_cast<uintptr_t>(target)), self, &duplicate,
                           SYNCHRONIZE, FALSE, 0)) {
      return StartResult::Done({0, LastWin32Error(), nullptr});
    }
    op.waitObject = UniqueHandle(duplicate);
  }
  op.port = port;
  op.sink = sink;
  SysError error = engine_->Arm(op);
  if (error.failed()) return StartResult::Done({0, error, nullptr});
  return StartResult::Pending();
}

void Waits::Cancel(WinOperation& op) {
  // The engine that armed it, which need not be today's choice.
  if (op.waitEngine != nullptr) op.waitEngine->Cancel(op);
}

Outcome Waits::ResultOf(WinOperation& op) {
  if (OverlappedError(op.Overlapped()) != ERROR_SUCCESS) return Outcome{0, Win32Error(ERROR_OPERATION_ABORTED), nullptr};
  if (op.waitEngine != nullptr) op.waitEngine->ReleaseFired(op);
  if (op.kind == OpKind::kWaitHandle) return Outcome{1, {}, nullptr};
  return Outcome{ProcessExitStatus(reinterpret_cast<uintptr_t>(op.waitObject.Get())), {}, nullptr};
}

void Waits::Stop() {
  threadPool_.Stop();
  packets_.Stop();
}

}  // namespace proactor
