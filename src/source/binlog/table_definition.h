#pragma once
// A table's definition as Debezium's schema-change events and schema history carry it (the
// `table` of a `tableChanges` item, spec/debezium-compat.md §3 and §7.1), read from
// information_schema: Siphon does not parse DDL, so a definition is what the server reports
// once the DDL has run. Definitions of one database are read together; the difference between
// two readings is the table changes a DDL made (CREATE, ALTER, DROP).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "source/binlog/binlog_table_cache.h"
#include "source/binlog/mariadb_sql.h"
#include "source/binlog/schema_table_map.h"

namespace siphon::source::binlog {

struct ColumnDefinition {
  std::string name;
  int jdbc_type = 0;            // java.sql.Types, as Debezium's MySQL type resolver assigns
  std::string type_name;        // "VARCHAR", "INT UNSIGNED"
  std::string type_expression;  // COLUMN_TYPE: "varchar(20)", "enum('a','b')"
  std::optional<std::string> charset;
  std::optional<int64_t> length;
  std::optional<int64_t> scale;
  int position = 0;  // 1-based
  bool optional = true;
  bool auto_incremented = false;
  bool generated = false;
  std::optional<std::string> comment;
  std::optional<std::string> default_expression;
  std::vector<std::string> enum_values;

  bool operator==(const ColumnDefinition&) const = default;
};

struct TableDefinition {
  std::string database;
  std::string table;
  std::optional<std::string> default_charset;
  std::vector<std::string> primary_key;
  std::vector<ColumnDefinition> columns;
  std::optional<std::string> comment;

  // Debezium's id: "\"db\".\"table\"".
  std::string id() const;
  // The `table` object of a tableChanges item, and back (a schema history record); `id` gives
  // the database and table names.
  nlohmann::json to_json() const;
  static Result<TableDefinition> from_json(const std::string& id, const nlohmann::json& table);

  bool operator==(const TableDefinition&) const = default;
};

// Table name -> definition, for one database.
using DatabaseDefinitions = std::map<std::string, TableDefinition>;

// (database, table) -> its information_schema.COLUMNS rows in ordinal order, what
// table_map_from_schema takes.
using SchemaColumnsByTable =
    std::map<std::pair<std::string, std::string>, std::vector<SchemaColumn>>;

// Reads the base tables of every database `wanted` admits (information_schema), by database.
// With `columns`, also fills in their columns as table_map_from_schema needs them: a snapshot
// gets its TABLE_MAPs and its definitions from one reading while it holds the global read lock.
Result<std::map<std::string, DatabaseDefinitions>> read_table_definitions(
    MariaDbSql& sql, const std::function<bool(const std::string& database)>& wanted,
    SchemaColumnsByTable* columns = nullptr);

struct TableChange {
  std::string type;  // CREATE, ALTER, DROP
  TableDefinition table;
  nlohmann::json to_json() const;  // {"type":..,"id":..,"table":..}
};

// What the table cache needs of a definition (extended types, defaults, type names).
SchemaColumns schema_columns_of(const TableDefinition& table);

// What turned `before` into `after`: created, altered and dropped tables, by name.
std::vector<TableChange> table_changes(const DatabaseDefinitions& before,
                                       const DatabaseDefinitions& after);

}  // namespace siphon::source::binlog
