#pragma once
// The `source` block of the binlog connectors' events (spec/debezium-compat.md §1.6): its schema
// and the one place its values are put in field order, for streamed rows, snapshot rows and
// schema-change records alike.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "event/change_event.h"
#include "schema/connect_schema.h"

namespace siphon::source::binlog {

// What differs from one event to the next; the connector's version, class and name are fixed.
struct BinlogSourceFields {
  int64_t ts_ms = 0;               // the event's (or the snapshot's) time
  std::string snapshot = "false";  // "false", or a snapshot marker: "first", "true", "last"...
  std::string db = "";
  std::optional<std::string> table = std::nullopt;  // none for a schema change of several tables
  int64_t server_id = 0;                            // of the event; 0 for snapshot rows
  std::optional<std::string> gtid = std::nullopt;   // the transaction's GTID, when it has one
  std::string file = "";
  uint64_t pos = 0;  // the event's position (the snapshot's, for snapshot rows)
  int32_t row = 0;   // the row's index in its rows event
  std::optional<int64_t> thread =
      std::nullopt;  // the thread id the server logged with the transaction
};

class BinlogSourceBlock {
 public:
  // `connector` is "mariadb" or "mysql" (the schema's name and the `connector` value).
  BinlogSourceBlock(std::string version, std::string connector, std::string name);

  const std::shared_ptr<const schema::FieldSchema>& schema() const { return schema_; }
  // The block's values in the schema's field order.
  std::vector<Value> values(const BinlogSourceFields& fields) const;
  event::SourceBlock block(const BinlogSourceFields& fields) const {
    return event::SourceBlock{schema_, values(fields)};
  }

 private:
  std::string version_, connector_, name_;
  std::shared_ptr<const schema::FieldSchema> schema_;
};

}  // namespace siphon::source::binlog
