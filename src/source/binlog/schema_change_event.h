#pragma once
// Debezium's schema-change records of the MySQL-family connectors (include.schema.changes,
// spec/debezium-compat.md §3): on the topic named by topic.prefix, key
// io.debezium.connector.<connector>.SchemaChangeKey {databaseName}, value
// io.debezium.connector.<connector>.SchemaChangeValue {source, ts_ms, databaseName, schemaName,
// ddl, tableChanges}, each table change {type, id, table{defaultCharsetName,
// primaryKeyColumnNames, columns[...], comment}}.
#include <string>
#include <vector>

#include "core/value.h"
#include "event/change_event.h"
#include "schema/connect_schema.h"
#include "source/binlog/table_definition.h"

namespace siphon::source::binlog {

struct SchemaChangeRecord {
  const schema::FieldSchema* key_schema = nullptr;
  const schema::FieldSchema* value_schema = nullptr;
  Value key;
  Value value;
};

// `source_schema` is the connector's source block schema; `source` its values for the event.
SchemaChangeRecord schema_change_record(const std::string& connector_name,
                                        const schema::FieldSchema& source_schema,
                                        const std::vector<Value>& source, int64_t ts_ms,
                                        const std::string& database, const std::string& ddl,
                                        const std::vector<TableChange>& changes);

}  // namespace siphon::source::binlog
