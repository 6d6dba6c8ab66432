#pragma once
// The acknowledgement watermark. Records get increasing sequence numbers as they enter the
// pipeline; sinks may acknowledge them in any order; the delivered position is that of the
// highest record below which everything is acknowledged. Nothing beyond it may be stored or
// confirmed (DESIGN.md rule 1).
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "offset/source_position.h"

namespace siphon::offset {

class OffsetTracker {
 public:
  // Called by the producer, in source order.
  uint64_t track(const SourcePosition& position);
  // Called by the sink once the record is durable.
  void acknowledge(uint64_t sequence);

  // Position of the contiguous acknowledged prefix, if any record was acknowledged.
  std::optional<SourcePosition> delivered() const;
  // The same, with the number of records that prefix holds (all records ever acknowledged in
  // order), read atomically together.
  std::pair<std::optional<SourcePosition>, uint64_t> delivered_with_count() const;
  // Number of records ever tracked.
  uint64_t tracked() const;
  // True when every tracked record has been acknowledged.
  bool drained() const;
  uint64_t pending() const;

 private:
  struct Pending {
    SourcePosition position;
    bool acked = false;
  };
  mutable std::mutex mu_;
  std::deque<Pending> pending_;
  uint64_t first_sequence_ = 0;  // sequence number of pending_.front()
  std::optional<SourcePosition> delivered_;
};

}  // namespace siphon::offset
