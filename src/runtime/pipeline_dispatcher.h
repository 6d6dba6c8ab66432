#pragma once
// The Dispatcher the runtime hands to a source: serializes on the source's thread, tracks each
// record for offsets, and pushes it into the byte-bounded queue to the sink thread. A full queue
// blocks here, which stops the source from reading: back-pressure reaches the database.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "format/serializer.h"
#include "io/bounded_queue.h"
#include "offset/offset_tracker.h"
#include "sink/sink.h"
#include "source/dispatcher.h"

namespace siphon::runtime {

using RecordQueue = io::BoundedQueue<sink::SinkRecord>;

class PipelineDispatcher : public source::Dispatcher {
 public:
  PipelineDispatcher(format::Serializer& serializer, RecordQueue& queue,
                     offset::OffsetTracker& tracker, bool tombstones_on_delete)
      : serializer_(serializer),
        queue_(queue),
        tracker_(tracker),
        tombstones_(tombstones_on_delete) {}

  void begin_transaction(uint32_t already_delivered) override;
  Status dispatch_change(const event::ChangeEvent& event,
                         const offset::SourcePosition& position) override;
  Status dispatch_struct(const std::string& topic, const schema::FieldSchema* key_schema,
                         const Value* key, const schema::FieldSchema* value_schema,
                         const Value* value, const offset::SourcePosition& position) override;
  void commit_transaction(const offset::SourcePosition& position) override;
  void set_wait_hook(std::function<void()> hook) override { wait_hook_ = std::move(hook); }

  uint64_t records_dispatched() const { return dispatched_; }

 private:
  Status push(format::SerializedRecord record, const offset::SourcePosition& position,
              bool change_event);

  format::Serializer& serializer_;
  RecordQueue& queue_;
  offset::OffsetTracker& tracker_;
  bool tombstones_;
  std::function<void()> wait_hook_;
  uint32_t records_in_tx_ = 0;
  uint32_t events_in_tx_ = 0;
  uint32_t skip_in_tx_ = 0;
  uint64_t dispatched_ = 0;
};

}  // namespace siphon::runtime
