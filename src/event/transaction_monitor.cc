#include "event/transaction_monitor.h"

namespace siphon::event {

using schema::ConnectType;
using schema::FieldSchema;

const FieldSchema& TransactionMonitor::key_schema() {
  static const FieldSchema s = [] {
    FieldSchema k = schema::field("", ConnectType::kStruct, false);
    k.with_logical("io.debezium.connector.common.TransactionMetadataKey", 1);
    k.fields.push_back(schema::field("id", ConnectType::kString, false));
    return k;
  }();
  return s;
}

const FieldSchema& TransactionMonitor::value_schema() {
  static const FieldSchema s = [] {
    FieldSchema collection = schema::field("", ConnectType::kStruct, false);
    collection.with_logical("event.collection", 1);
    collection.fields.push_back(schema::field("data_collection", ConnectType::kString, false));
    collection.fields.push_back(schema::field("event_count", ConnectType::kInt64, false));
    FieldSchema collections = schema::field("data_collections", ConnectType::kArray, true);
    collections.fields.push_back(std::move(collection));

    FieldSchema v = schema::field("", ConnectType::kStruct, false);
    v.with_logical("io.debezium.connector.common.TransactionMetadataValue", 1);
    v.fields.push_back(schema::field("status", ConnectType::kString, false));
    v.fields.push_back(schema::field("id", ConnectType::kString, false));
    v.fields.push_back(schema::field("event_count", ConnectType::kInt64, true));
    v.fields.push_back(std::move(collections));
    v.fields.push_back(schema::field("ts_ms", ConnectType::kInt64, false));
    return v;
  }();
  return s;
}

TransactionMonitor::MetadataRecord TransactionMonitor::begin(const std::string& id, int64_t ts_ms) {
  total_ = 0;
  per_collection_.clear();
  return MetadataRecord{topic_, Value::structure({Value::string(id)}),
                        Value::structure({Value::string("BEGIN"), Value::string(id), Value::null(),
                                          Value::null(), Value::integer(ts_ms)})};
}

TransactionBlock TransactionMonitor::on_event(const std::string& id,
                                              const std::string& data_collection) {
  count_skipped(data_collection);
  int64_t collection_order = 0;
  for (auto& [name, count] : per_collection_) {
    if (name == data_collection) collection_order = count;
  }
  return TransactionBlock{id, total_, collection_order};
}

void TransactionMonitor::count_skipped(const std::string& data_collection) {
  ++total_;
  for (auto& [name, count] : per_collection_) {
    if (name == data_collection) {
      ++count;
      return;
    }
  }
  per_collection_.emplace_back(data_collection, 1);
}

TransactionMonitor::MetadataRecord TransactionMonitor::end(const std::string& id, int64_t ts_ms) {
  std::vector<Value> collections;
  for (const auto& [name, count] : per_collection_) {
    collections.push_back(Value::structure({Value::string(name), Value::integer(count)}));
  }
  return MetadataRecord{
      topic_, Value::structure({Value::string(id)}),
      Value::structure({Value::string("END"), Value::string(id), Value::integer(total_),
                        Value::array(std::move(collections)), Value::integer(ts_ms)})};
}

}  // namespace siphon::event
