// The hand-off from other threads (Windows' fallback poller and its thread-pool wait callbacks,
// Linux's wait poller) to the JS thread: batches of completions, and one wake-up per batch through the
// engine's single threadsafe function.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "core/backend.h"

namespace proactor {

class CompletionQueue final {
 public:
  // `wake` asks the JS thread to take what is queued; it is called at most once until TakeAll()
  // runs, however many batches arrive meanwhile.
  explicit CompletionQueue(std::function<void()> wake) : wake_(std::move(wake)) {}

  void Post(std::vector<Completion>&& batch) {
    bool call = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (events_.empty()) {
        events_ = std::move(batch);
      } else {
        events_.insert(events_.end(), std::make_move_iterator(batch.begin()),
                       std::make_move_iterator(batch.end()));
      }
      if (!wakeScheduled_ && !events_.empty()) {
        wakeScheduled_ = true;
        call = true;
      }
    }
    if (call) wake_();
  }

  // JS thread: takes everything posted so far.
  std::vector<Completion> TakeAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    wakeScheduled_ = false;
    std::vector<Completion> out;
    out.swap(events_);
    return out;
  }

 private:
  std::function<void()> wake_;
  std::mutex mutex_;
  std::vector<Completion> events_;
  bool wakeScheduled_ = false;
};

}  // namespace proactor
