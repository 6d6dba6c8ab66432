#include "source/binlog/binlog_source_block.h"

#include <fmt/format.h>

#include "event/source_block_schema.h"

namespace siphon::source::binlog {

using schema::ConnectType;
using schema::FieldSchema;

namespace {

FieldSchema source_schema(const std::string& connector) {
  FieldSchema src =
      event::common_source_schema(fmt::format("io.debezium.connector.{}.Source", connector));
  auto add = [&](const char* name, ConnectType t, bool optional) {
    src.fields.push_back(schema::field(name, t, optional));
  };
  add("table", ConnectType::kString, true);
  add("server_id", ConnectType::kInt64, false);
  add("gtid", ConnectType::kString, true);
  add("file", ConnectType::kString, false);
  add("pos", ConnectType::kInt64, false);
  add("row", ConnectType::kInt32, false);
  add("thread", ConnectType::kInt64, true);
  add("query", ConnectType::kString, true);
  return src;
}

Value optional_string(const std::optional<std::string>& s) {
  return s ? Value::string(*s) : Value::null();
}

}  // namespace

BinlogSourceBlock::BinlogSourceBlock(std::string version, std::string connector, std::string name)
    : version_(std::move(version)),
      connector_(std::move(connector)),
      name_(std::move(name)),
      schema_(std::make_shared<const FieldSchema>(source_schema(connector_))) {}

std::vector<Value> BinlogSourceBlock::values(const BinlogSourceFields& f) const {
  return {Value::string(version_),
          Value::string(connector_),
          Value::string(name_),
          Value::integer(f.ts_ms),
          Value::string(f.snapshot),
          Value::string(f.db),
          Value::null(),  // sequence: the binlog connectors have none
          Value::integer(f.ts_ms * 1000),
          Value::integer(f.ts_ms * 1000000),
          optional_string(f.table),
          Value::integer(f.server_id),
          optional_string(f.gtid),
          Value::string(f.file),
          Value::integer(static_cast<int64_t>(f.pos)),
          Value::integer(f.row),
          f.thread ? Value::integer(*f.thread) : Value::null(),
          Value::null()};  // query: include.query is not supported
}

}  // namespace siphon::source::binlog
