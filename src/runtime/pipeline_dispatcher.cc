#include "runtime/pipeline_dispatcher.h"

namespace siphon::runtime {

void PipelineDispatcher::begin_transaction(uint32_t already_delivered) {
  records_in_tx_ = 0;
  events_in_tx_ = 0;
  skip_in_tx_ = already_delivered;
}

Status PipelineDispatcher::push(format::SerializedRecord record,
                                const offset::SourcePosition& position, bool change_event) {
  ++records_in_tx_;
  if (change_event) ++events_in_tx_;
  // Records a previous run delivered are regenerated identically by the replayed transaction;
  // dropping them here keeps the sink free of duplicates below the stored offset.
  if (records_in_tx_ <= skip_in_tx_) return ok();
  offset::SourcePosition p = position;
  p.records_done = records_in_tx_;
  p.events_done = events_in_tx_;
  p.tx_complete = false;
  size_t bytes = record.byte_size();
  sink::SinkRecord item{std::move(record), tracker_.track(p)};
  while (!queue_.push_for(item, bytes, std::chrono::milliseconds(100))) {
    if (queue_.closed()) {
      return make_error(ErrorKind::kRetryable, "the pipeline stopped while a record waited");
    }
    if (wait_hook_) wait_hook_();
  }
  ++dispatched_;
  return ok();
}

Status PipelineDispatcher::dispatch_change(const event::ChangeEvent& event,
                                           const offset::SourcePosition& position) {
  if (auto s = push(serializer_.serialize_change(event), position, true); !s) return s;
  if (event.op == event::Op::kDelete && tombstones_ && event.table->has_key()) {
    return push(serializer_.serialize_tombstone(event), position, false);
  }
  return ok();
}

Status PipelineDispatcher::dispatch_struct(const std::string& topic,
                                           const schema::FieldSchema* key_schema, const Value* key,
                                           const schema::FieldSchema* value_schema,
                                           const Value* value,
                                           const offset::SourcePosition& position) {
  return push(serializer_.serialize_struct(topic, key_schema, key, value_schema, value), position,
              false);
}

void PipelineDispatcher::commit_transaction(const offset::SourcePosition& position) {
  // The commit is a position, not a record: it is acknowledged at once and becomes the
  // delivered position as soon as every record before it is acknowledged.
  offset::SourcePosition p = position;
  p.records_done = records_in_tx_;
  p.events_done = events_in_tx_;
  p.tx_complete = true;
  tracker_.acknowledge(tracker_.track(p));
  records_in_tx_ = 0;
  events_in_tx_ = 0;
  skip_in_tx_ = 0;
}

}  // namespace siphon::runtime
