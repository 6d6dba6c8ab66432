#pragma once
// The schema of one captured table as events need it: Connect field schemas per column, which
// columns form the Kafka key, and the topic. Immutable once built; a schema change builds a new
// one with a new id, so caches keyed by id never serve a stale schema.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "schema/connect_schema.h"

namespace siphon::schema {

struct ColumnSchema {
  FieldSchema field;      // name, Connect type, logical type, optional
  bool key = false;       // part of the Kafka key
  std::string type_name;  // database type name, for messages
};

struct TableSchema {
  uint64_t id = 0;           // unique per built schema in this process
  std::string catalog_name;  // PostgreSQL schema or MySQL database
  std::string table_name;
  std::string topic;
  std::vector<ColumnSchema> columns;
  std::vector<size_t> key_columns;  // indexes into columns, in key order

  bool has_key() const { return !key_columns.empty(); }
  std::string qualified_name() const { return catalog_name + "." + table_name; }
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

uint64_t next_schema_id();

}  // namespace siphon::schema
