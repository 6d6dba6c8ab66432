#include "event/source_block_schema.h"

namespace siphon::event {

using schema::ConnectType;

schema::FieldSchema common_source_schema(std::string name) {
  schema::FieldSchema src = schema::field("source", ConnectType::kStruct, false);
  src.with_logical(std::move(name), 1);
  auto add = [&](const char* field, ConnectType t, bool optional) {
    src.fields.push_back(schema::field(field, t, optional));
    return &src.fields.back();
  };
  add("version", ConnectType::kString, false);
  add("connector", ConnectType::kString, false);
  add("name", ConnectType::kString, false);
  add("ts_ms", ConnectType::kInt64, false);
  schema::FieldSchema* snapshot = add("snapshot", ConnectType::kString, true);
  snapshot->with_logical("io.debezium.data.Enum", 1);
  snapshot->with_parameter("allowed",
                           "true,first,first_in_data_collection,last_in_data_collection,last,"
                           "false,incremental");
  snapshot->default_value = Value::string("false");
  add("db", ConnectType::kString, false);
  add("sequence", ConnectType::kString, true);
  add("ts_us", ConnectType::kInt64, true);
  add("ts_ns", ConnectType::kInt64, true);
  return src;
}

}  // namespace siphon::event
