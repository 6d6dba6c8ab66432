#include "offset/offset_tracker.h"

#include <cassert>

namespace siphon::offset {

uint64_t OffsetTracker::track(const SourcePosition& position) {
  std::lock_guard lock(mu_);
  pending_.push_back(Pending{position, false});
  return first_sequence_ + pending_.size() - 1;
}

void OffsetTracker::acknowledge(uint64_t sequence) {
  std::lock_guard lock(mu_);
  assert(sequence >= first_sequence_ && sequence < first_sequence_ + pending_.size());
  if (sequence < first_sequence_) return;  // already retired: a duplicate acknowledgement
  pending_[sequence - first_sequence_].acked = true;
  while (!pending_.empty() && pending_.front().acked) {
    delivered_ = pending_.front().position;
    pending_.pop_front();
    ++first_sequence_;
  }
}

std::optional<SourcePosition> OffsetTracker::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

std::pair<std::optional<SourcePosition>, uint64_t> OffsetTracker::delivered_with_count() const {
  std::lock_guard lock(mu_);
  return {delivered_, first_sequence_};
}

uint64_t OffsetTracker::tracked() const {
  std::lock_guard lock(mu_);
  return first_sequence_ + pending_.size();
}

bool OffsetTracker::drained() const {
  std::lock_guard lock(mu_);
  return pending_.empty();
}

uint64_t OffsetTracker::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace siphon::offset
