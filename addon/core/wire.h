// The layouts of the Float64Arrays the addon and JS share, by name. lib/engine/wire.ts is this
// file's twin (SCRATCH_VALUE, COMPLETION_STRIDE, STATS_PENDING, ...): a change here is the same
// change there, slot for slot, or JS reads the wrong numbers.
#pragma once

#include <cstddef>

namespace proactor {
namespace wire {

// `scratch` (one per engine, made once): what a call that does not return a pending operation
// leaves for JS to read, so the hot path allocates no JS objects. A start that finished at once
// returns 0 and fills all three; a handle call that failed returns -1 and fills the errors.
constexpr size_t kScratchValue = 0;     // the result: bytes, a handle id, an exit code...
constexpr size_t kScratchUvError = 1;   // libuv-style negative errno; 0 for success
constexpr size_t kScratchSysError = 2;  // the raw code: Win32 error / errno
constexpr size_t kScratchLength = 4;    // one slot spare

// A batch of completions (the argument of onBatch): one record per operation, back to back.
constexpr size_t kCompletionId = 0;        // the operation's id
constexpr size_t kCompletionValue = 1;     // as kScratchValue; 0 when the operation failed
constexpr size_t kCompletionUvError = 2;   // as kScratchUvError
constexpr size_t kCompletionSysError = 3;  // as kScratchSysError
constexpr size_t kCompletionStride = 4;

// stats()
constexpr size_t kStatsPending = 0;
constexpr size_t kStatsCompleted = 1;
constexpr size_t kStatsCancelled = 2;
constexpr size_t kStatsUnexpected = 3;
constexpr size_t kStatsBatches = 4;
constexpr size_t kStatsLength = 5;

}  // namespace wire
}  // namespace proactor
