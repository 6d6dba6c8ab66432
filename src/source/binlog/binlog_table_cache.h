#pragma once
// The tables the binlog stream talks about, by TABLE_MAP table id: the latest map, whether the
// table is captured, and the schema of its events. With binlog_row_metadata=FULL the map names
// every column and gives signedness, charsets, ENUM/SET labels and the primary key; what it
// cannot say (MariaDB's JSON alias of LONGTEXT, UUID/INET4/INET6 written as binary strings)
// comes from the schema through `ColumnTypeLookup`, read once per table and again after DDL.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "schema/table_schema.h"
#include "source/binlog/event_decoder.h"
#include "source/binlog/table_map.h"
#include "source/binlog/value_converter.h"
#include "source/table_filter.h"

namespace siphon::source::binlog {

// What the schema (information_schema.COLUMNS) says of a column beyond its TABLE_MAP.
struct SchemaColumnInfo {
  ExtendedType extended = ExtendedType::kNone;
  std::optional<std::string> default_expression;  // COLUMN_DEFAULT; nullopt = no default
  std::string type_name;                          // "VARCHAR", "INT UNSIGNED", "DECIMAL"...
  std::optional<int64_t> length;                  // COLUMN_TYPE's "(length[,scale])"
  std::optional<int64_t> scale;
};
// Column name -> what the schema says of it.
using SchemaColumns = std::map<std::string, SchemaColumnInfo>;
// Reads the columns of db.table (information_schema).
using ColumnTypeLookup =
    std::function<Result<SchemaColumns>(const std::string& db, const std::string& table)>;

struct CapturedTable {
  TableMap map;
  std::vector<ColumnDescriptor> columns;  // the map's, completed with extended types
  schema::TableSchemaPtr schema;          // null when the table is not captured
  // Per map column, its index in the schema, -1 when column.include/exclude.list drop it.
  std::vector<int> column_index;
  std::string data_collection;  // "db.table"
};

class BinlogTableCache {
 public:
  BinlogTableCache(const BinlogValueConverter& converter, const TableFilter& filter,
                   std::string topic_prefix, std::string delimiter, ColumnTypeLookup lookup)
      : converter_(converter),
        filter_(filter),
        prefix_(std::move(topic_prefix)),
        delimiter_(std::move(delimiter)),
        lookup_(std::move(lookup)) {}

  // A TABLE_MAP: kept under its table id. A captured table gets a schema; a map identical to
  // the one already kept reuses it. Errors (a column Siphon cannot type) name the table, the
  // column and the event's place.
  Result<const CapturedTable*> on_table_map(const TableMap& map, const EventLocation& where);
  // nullptr when no TABLE_MAP with this id has been seen.
  const CapturedTable* find(uint64_t table_id) const;
  // A DDL ran: the schema's extended types are read again at the next TABLE_MAP.
  void on_ddl() { extended_.clear(); }
  // column.propagate.source.type / datatype.propagate.source.type: matching columns' schemas
  // get Debezium's __debezium.source.column.* parameters. Matched against "db.table.column"
  // and "db.table.TYPE".
  void propagate_source_types(std::optional<NameFilter> columns,
                              std::optional<NameFilter> datatypes) {
    propagate_columns_ = std::move(columns);
    propagate_datatypes_ = std::move(datatypes);
  }

 private:
  const BinlogValueConverter& converter_;
  const TableFilter& filter_;
  std::string prefix_;
  std::string delimiter_;
  ColumnTypeLookup lookup_;
  std::unordered_map<uint64_t, CapturedTable> tables_;
  std::map<std::string, SchemaColumns> extended_;  // by "db.table"
  std::optional<NameFilter> propagate_columns_, propagate_datatypes_;
};

}  // namespace siphon::source::binlog
