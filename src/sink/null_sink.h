#pragma once
// Discards records and acknowledges them at once: for benchmarks that measure everything but
// the destination, and for tests of back-pressure (with the "sink.write" delay point).
#include "core/failpoint.h"
#include "sink/sink.h"

namespace siphon::sink {

class NullSink : public Sink {
 public:
  Status open() override { return ok(); }
  Status write(std::vector<SinkRecord>& batch, const AckFn& ack) override {
    delaypoint("sink.write");
    for (const auto& rec : batch) ack(rec.sequence);
    return ok();
  }
  void close() override {}
};

}  // namespace siphon::sink
