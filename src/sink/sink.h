#pragma once
// The Sink seam. A sink receives batches of serialized records and acknowledges each record
// exactly once, through `ack`, only when the record is durable at its destination. The offset
// tracker turns acknowledgements into a delivered position; nothing else does.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/error.h"
#include "format/serialized_record.h"

namespace siphon::sink {

struct SinkRecord {
  format::SerializedRecord record;
  uint64_t sequence = 0;  // from the offset tracker
};

using AckFn = std::function<void(uint64_t sequence)>;

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status open() = 0;
  // Delivers the batch. On success every record of it has been acknowledged. On error the
  // records not acknowledged are not delivered as far as offsets are concerned.
  virtual Status write(std::vector<SinkRecord>& batch, const AckFn& ack) = 0;
  virtual void close() = 0;
  // Callable from any thread: a write() blocked on an unreachable destination returns
  // ErrorKind::kRetryable without acknowledging what it could not deliver. Shutdown uses it
  // when the destination does not come back within the grace period. Sinks whose writes never
  // block indefinitely need not override it.
  virtual void interrupt() {}
};

}  // namespace siphon::sink
