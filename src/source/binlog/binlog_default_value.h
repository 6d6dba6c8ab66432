#pragma once
// A MariaDB/MySQL column's default (information_schema.COLUMNS.COLUMN_DEFAULT, as MariaDB
// 10.2+ prints it: literals quoted, numbers bare, NULL as the word NULL, functions as calls) to
// the field schema's default value, converted like a value of the column
// (spec/debezium-compat.md §2.8; Debezium's MySqlDefaultValueConverter):
//   - no default, DEFAULT NULL, and generated values (uuid(), nextval(...)): none;
//   - CURRENT_TIMESTAMP / NOW() on a DATETIME or TIMESTAMP column: the epoch, as Debezium;
//   - a literal that does not convert (an invalid date...): none, rather than a wrong one.
#include <optional>
#include <string>

#include "core/value.h"
#include "source/binlog/table_map.h"
#include "source/binlog/value_converter.h"

namespace siphon::source::binlog {

std::optional<Value> binlog_default_value(const BinlogValueConverter& converter,
                                          const ColumnDescriptor& column,
                                          const std::string& expression);

}  // namespace siphon::source::binlog
