// One overlapped operation, from its start until JS has been given its result.
#pragma once

#include <napi.h>

#include "core/types.h"

namespace proactor {

// The backend allocates operations (so Windows can embed its OVERLAPPED in its own subclass);
// the core's OperationTable owns them. L1: the record, its OVERLAPPED and the pinned JS buffer
// live until the completion for it has been consumed, whatever JS did meanwhile.
struct Operation {
  virtual ~Operation() = default;

  OpId id = 0;
  OpKind kind = OpKind::kRecv;
  std::shared_ptr<Handle> handle;  // kept alive with the operation, even after closeHandle

  // The bytes the OS reads into / writes from: a region of `pin`, the JS buffer.
  uint8_t* data = nullptr;
  size_t length = 0;
  size_t transferred = 0;  // Linux writes: how much has gone so far

  // JS-thread state.
  Napi::Reference<Napi::Value> pin;
  bool cancelRequested = false;
  bool counted = false;  // counted in the engine's live references (keeps the loop alive)
};

}  // namespace proactor
