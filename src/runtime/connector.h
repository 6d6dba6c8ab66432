#pragma once
// Runs one connector: the source on the calling thread, the sink on its own thread, a bounded
// queue between them, and the offset commit after delivery. Retries retryable failures with
// back-off from the last stored offset; stops on fatal ones with the reason.
//
// Commit order, the whole at-least-once guarantee: sink write -> sink acknowledgement ->
// offset store -> source confirmation. Each arrow is a failpoint for the crash tests
// (sink.before_ack, offset.before_store, source.before_confirm).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "format/serializer.h"
#include "offset/offset_store.h"
#include "sink/sink.h"
#include "source/source.h"

namespace siphon::runtime {

struct ConnectorOptions {
  size_t queue_max_bytes = 16 << 20;
  size_t queue_max_records = 8192;
  size_t max_batch_size = 2048;
  std::chrono::milliseconds offset_flush_interval{0};
  int64_t max_retries = -1;  // -1 = unlimited
  std::chrono::milliseconds retry_wait{10000};
  bool tombstones_on_delete = true;
  // After stop(), how long the sink may go on trying to deliver what was read before it is
  // interrupted; what it could not deliver stays after the stored offset.
  std::chrono::milliseconds shutdown_timeout{10000};
};

using SourceFactory = std::function<std::unique_ptr<source::Source>()>;

class Connector {
 public:
  Connector(ConnectorOptions options, SourceFactory source_factory,
            std::unique_ptr<format::Serializer> serializer, std::unique_ptr<sink::Sink> sink,
            std::unique_ptr<offset::OffsetStore> offsets);

  // Runs until stop() (returns ok once everything read is delivered and confirmed) or a
  // failure that retries cannot cure.
  Status run();
  // Asks run() to finish; callable from any thread.
  void stop() { stop_requested_ = true; }

 private:
  Status run_once(std::optional<nlohmann::json>& stored, bool& finished);

  ConnectorOptions options_;
  SourceFactory source_factory_;
  std::unique_ptr<format::Serializer> serializer_;
  std::unique_ptr<sink::Sink> sink_;
  std::unique_ptr<offset::OffsetStore> offsets_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace siphon::runtime
