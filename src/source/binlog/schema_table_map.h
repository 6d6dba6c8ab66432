#pragma once
// A TABLE_MAP built from information_schema instead of the binlog: what a snapshot needs to type
// the rows it reads with the same schema and the same value converter as the stream. The
// columns are described as the server's TABLE_MAP with binlog_row_metadata=FULL would describe
// them (spec/binlog.md §3), so a snapshot row and a streamed row of the same values are equal.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "source/binlog/table_map.h"

namespace siphon::source::binlog {

// One row of information_schema.COLUMNS (with the collation's id from COLLATIONS).
struct SchemaColumn {
  std::string name;
  std::string data_type;    // DATA_TYPE, lower case: "int", "varchar", "enum", "uuid"...
  std::string column_type;  // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')"...
  bool nullable = true;
  std::optional<uint64_t> numeric_precision;
  std::optional<uint64_t> numeric_scale;
  std::optional<uint64_t> datetime_precision;
  std::optional<uint64_t> octet_length;  // CHARACTER_OCTET_LENGTH
  std::optional<uint32_t> collation_id;  // none for binary strings and non-character types
};

// The TABLE_MAP of db.table from its columns in ordinal order and its primary key's column
// names in key order. An unknown type is an error naming the column.
Result<TableMap> table_map_from_schema(const std::string& database, const std::string& table,
                                       const std::vector<SchemaColumn>& columns,
                                       const std::vector<std::string>& primary_key);

// The labels of "enum('a','it''s')" or "set(...)", unquoted.
std::vector<std::string> enum_labels(const std::string& column_type);

}  // namespace siphon::source::binlog
