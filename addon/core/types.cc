#include "core/types.h"

namespace proactor {

const char* OpKindName(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kAccept:
      return "acceptPipe";
    case OpKind::kRecv:
      return "recv";
    case OpKind::kSend:
      return "send";
    case OpKind::kWaitHandle:
      return "waitForHandle";
    case OpKind::kWaitProcess:
      return "waitForProcess";
    case OpKind::kFlush:
      return "flush";
  }
  return "unknown";
}

}  // namespace proactor
