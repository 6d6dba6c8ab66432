#pragma once
// Prints each record as one JSON line with its topic: {"topic":T,"key":K,"value":V}.
// Acknowledged once flushed to standard output.
#include "sink/sink.h"

namespace siphon::sink {

class StdoutSink : public Sink {
 public:
  Status open() override { return ok(); }
  Status write(std::vector<SinkRecord>& batch, const AckFn& ack) override;
  void close() override {}
};

}  // namespace siphon::sink
