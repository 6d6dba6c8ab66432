#pragma once
// Debezium's transaction metadata (provide.transaction.metadata): BEGIN and END records on
// <prefix>.transaction, and the per-event `transaction` block with 1-based counters
// (spec/debezium-compat.md §3). Shared by every source; the source decides the id format.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"
#include "event/change_event.h"
#include "schema/connect_schema.h"

namespace siphon::event {

class TransactionMonitor {
 public:
  struct MetadataRecord {
    std::string topic;
    Value key;
    Value value;
  };

  explicit TransactionMonitor(std::string topic) : topic_(std::move(topic)) {}

  static const schema::FieldSchema& key_schema();
  static const schema::FieldSchema& value_schema();

  MetadataRecord begin(const std::string& id, int64_t ts_ms);
  // Counts one data event of the open transaction and returns its `transaction` block.
  TransactionBlock on_event(const std::string& id, const std::string& data_collection);
  MetadataRecord end(const std::string& id, int64_t ts_ms);

  // Resumes counters of a transaction of which `delivered` events were delivered before a
  // restart, so skipped events still count and the END record is right.
  void count_skipped(const std::string& data_collection);

  int64_t event_count() const { return total_; }

 private:
  std::string topic_;
  int64_t total_ = 0;
  std::vector<std::pair<std::string, int64_t>> per_collection_;  // in first-seen order
};

}  // namespace siphon::event
