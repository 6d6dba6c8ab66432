#include "runtime/connector.h"

#include <thread>

#include "core/failpoint.h"
#include "core/log.h"
#include "runtime/pipeline_dispatcher.h"

namespace siphon::runtime {
namespace {

bool same_position(const offset::SourcePosition& a, const offset::SourcePosition& b) {
  return a.completed_lsn == b.completed_lsn && a.tx_final_lsn == b.tx_final_lsn &&
         a.records_done == b.records_done && a.tx_complete == b.tx_complete;
}

// State of one streaming attempt, shared by the source and sink threads.
struct Attempt {
  Attempt(size_t max_bytes, size_t max_records) : queue(max_bytes, max_records) {}
  RecordQueue queue;
  offset::OffsetTracker tracker;
  std::atomic<bool> halt{false};
  std::atomic<uint64_t> stored_through{0};  // records covered by the stored offset
  std::optional<offset::SourcePosition> last_stored;
};

}  // namespace

Connector::Connector(ConnectorOptions options, SourceFactory source_factory,
                     std::unique_ptr<format::Serializer> serializer,
                     std::unique_ptr<sink::Sink> sink, std::unique_ptr<offset::OffsetStore> offsets)
    : options_(options),
      source_factory_(std::move(source_factory)),
      serializer_(std::move(serializer)),
      sink_(std::move(sink)),
      offsets_(std::move(offsets)) {}

Status Connector::run() {
  if (auto s = sink_->open(); !s) return s;
  auto loaded = offsets_->load();
  if (!loaded) return tl::unexpected(loaded.error());
  std::optional<nlohmann::json> stored = std::move(*loaded);

  int64_t failures = 0;
  bool finished = false;
  auto backoff = std::chrono::milliseconds(std::min<int64_t>(1000, options_.retry_wait.count()));
  while (true) {
    Status s = run_once(stored, finished);
    if (s) {
      if (stop_requested_ || finished) return ok();
      continue;  // the source ended by itself: reconnect
    }
    if (!s.error().retryable() || stop_requested_) {
      if (stop_requested_ && s.error().retryable()) return ok();
      return s;
    }
    ++failures;
    if (options_.max_retries >= 0 && failures > options_.max_retries) {
      return make_error(ErrorKind::kFatal, "giving up after {} retries: {}", failures - 1,
                        s.error().message);
    }
    log::warn("connector failed ({}); retry {} in {} ms", s.error().message, failures,
              backoff.count());
    auto until = std::chrono::steady_clock::now() + backoff;
    while (!stop_requested_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (stop_requested_) return ok();
    backoff = std::min(backoff * 2, options_.retry_wait);
  }
}

Status Connector::run_once(std::optional<nlohmann::json>& stored, bool& finished) {
  Attempt a(options_.queue_max_bytes, options_.queue_max_records);
  std::unique_ptr<source::Source> source = source_factory_();
  source->pipeline_idle = [&a] { return a.tracker.tracked() == a.stored_through.load(); };
  if (auto s = source->start(stored); !s) {
    source->close();
    return s;
  }

  // Stores the offset of the delivered prefix, then lets the source confirm it.
  auto commit_offsets = [&]() -> Status {
    auto [delivered, count] = a.tracker.delivered_with_count();
    if (!delivered) return ok();
    if (a.last_stored && same_position(*a.last_stored, *delivered)) {
      a.stored_through = count;
      return ok();
    }
    nlohmann::json offset = source->offset_for(*delivered);
    failpoint("offset.before_store");
    if (auto s = offsets_->store(offset); !s) return s;
    stored = offset;
    a.last_stored = delivered;
    a.stored_through = count;
    failpoint("source.before_confirm");
    source->confirm(*delivered);
    return ok();
  };

  Status sink_status = ok();
  std::thread sink_thread([&] {
    std::vector<sink::SinkRecord> batch;
    auto last_commit = std::chrono::steady_clock::now();
    auto ack = [&a](uint64_t seq) { a.tracker.acknowledge(seq); };
    while (true) {
      batch.clear();
      bool more = a.queue.pop_batch(batch, options_.max_batch_size, std::chrono::milliseconds(50));
      if (!batch.empty()) {
        if (auto s = sink_->write(batch, ack); !s) {
          sink_status = s;
          break;
        }
      }
      auto now = std::chrono::steady_clock::now();
      if (now - last_commit >= options_.offset_flush_interval || !more) {
        if (auto s = commit_offsets(); !s) {
          sink_status = s;
          break;
        }
        last_commit = now;
      }
      if (!more) break;
    }
    if (!sink_status) {
      a.halt = true;
      a.queue.close();
    }
  });

  // The source stops when asked to, or when the sink cannot go on.
  std::atomic<bool> stop_source{false};
  // After a stop, the sink gets options_.shutdown_timeout to deliver what was read (an outage
  // would otherwise block the shutdown forever); then it is interrupted.
  std::atomic<bool> sink_done{false};
  std::thread watcher([&] {
    while (!stop_requested_ && !a.halt) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop_source = true;
    if (!stop_requested_) return;
    auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    while (!sink_done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!sink_done) {
      log::warn(
          "the sink did not deliver within {} ms of the stop request; stopping without it "
          "(undelivered records stay after the stored offset)",
          options_.shutdown_timeout.count());
      sink_->interrupt();
    }
  });
  PipelineDispatcher dispatcher(*serializer_, a.queue, a.tracker, options_.tombstones_on_delete);
  Status source_status = source->stream(dispatcher, stop_source);
  a.halt = true;
  a.queue.close();
  sink_thread.join();
  sink_done = true;
  watcher.join();
  if (sink_status) {
    if (auto s = commit_offsets(); !s) sink_status = s;
  }
  finished = source->finished();
  source->close();
  if (!sink_status) return sink_status;
  return source_status;
}

}  // namespace siphon::runtime
