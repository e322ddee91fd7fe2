#include "core/types.h"

namespace proactor {

const char* OpKindName(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kAccept:
      return "accept";
    case OpKind::kRecv:
      return "recv";
    case OpKind::kSend:
      return "send";
    case OpKind::kWaitHandle:
      return "wait";
    case OpKind::kWaitProcess:
      return "waitProcess";
    case OpKind::kFlush:
      return "flush";
  }
  return "unknown";
}

}  // namespace proactor
