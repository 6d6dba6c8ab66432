#pragma once
// Debezium's FileSchemaHistory (schema.history.internal=io.debezium.storage.file.history.
// FileSchemaHistory, schema.history.internal.file.filename): one JSON record per line,
//   {"source":{"server":P},"position":{offset map},"ts_ms":T,"databaseName":D,
//    "schemaName":null,"ddl":"...","tableChanges":[...]}
// (spec/debezium-compat.md §7.1). A record is appended and fsync'd before the change it
// describes is dispatched, so it is durable before any stored offset passes it. A torn last
// line (a crash while appending) is dropped when the file is read.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "source/binlog/schema_history.h"

namespace siphon::source::binlog {

class FileSchemaHistory : public SchemaHistory {
 public:
  explicit FileSchemaHistory(std::string path) : path_(std::move(path)) {}

  // Every complete record, oldest first; none when the file does not exist.
  Result<std::vector<nlohmann::json>> read() override;
  // Appends one record and fsyncs the file.
  Status append(const nlohmann::json& record) override;
  std::string describe() const override { return "file " + path_; }
  // Whether the file exists and holds at least one record.
  bool exists() const;

 private:
  std::string path_;
};

}  // namespace siphon::source::binlog
