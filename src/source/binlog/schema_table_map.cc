#include "source/binlog/schema_table_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace siphon::source::binlog {
namespace {

constexpr uint32_t kBinaryCollation = 63;

uint8_t geometry_code(const std::string& type) {
  static const std::map<std::string, uint8_t> codes = {
      {"geometry", 0},   {"point", 1},           {"linestring", 2},   {"polygon", 3},
      {"multipoint", 4}, {"multilinestring", 5}, {"multipolygon", 6}, {"geometrycollection", 7}};
  auto it = codes.find(type);
  return it == codes.end() ? 0xff : it->second;
}

// TINYTEXT/TINYBLOB .. LONGTEXT/LONGBLOB: the size of their length prefix in the row image.
uint8_t blob_length_bytes(const std::string& type) {
  if (type.starts_with("tiny")) return 1;
  if (type.starts_with("medium")) return 3;
  if (type.starts_with("long")) return 4;
  return 2;
}

}  // namespace

std::vector<std::string> enum_labels(const std::string& column_type) {
  std::vector<std::string> out;
  size_t i = column_type.find('(');
  if (i == std::string::npos) return out;
  ++i;
  while (i < column_type.size() && column_type[i] == '\'') {
    std::string label;
    ++i;
    while (i < column_type.size()) {
      if (column_type[i] == '\'') {
        if (i + 1 < column_type.size() && column_type[i + 1] == '\'') {  // '' is a quote
          label.push_back('\'');
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      label.push_back(column_type[i++]);
    }
    out.push_back(std::move(label));
    if (i < column_type.size() && column_type[i] == ',') ++i;
  }
  return out;
}

Result<TableMap> table_map_from_schema(const std::string& database, const std::string& table,
                                       const std::vector<SchemaColumn>& columns,
                                       const std::vector<std::string>& primary_key) {
  TableMap map;
  map.database = database;
  map.table = table;
  map.has_signedness = map.has_charsets = map.has_names = map.has_enum_set_values = true;
  for (const SchemaColumn& s : columns) {
    ColumnDescriptor c;
    c.name = s.name;
    c.nullable = s.nullable;
    const std::string& t = s.data_type;
    const bool is_unsigned = s.column_type.find("unsigned") != std::string::npos;
    auto text_collation = [&] { return s.collation_id.value_or(kBinaryCollation); };
    if (t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "integer" ||
        t == "bigint") {
      c.type = t == "tinyint"     ? kTypeTiny
               : t == "smallint"  ? kTypeShort
               : t == "mediumint" ? kTypeInt24
               : t == "bigint"    ? kTypeLongLong
                                  : kTypeLong;
      c.is_unsigned = is_unsigned;
    } else if (t == "decimal" || t == "numeric") {
      c.type = kTypeNewDecimal;
      c.precision = static_cast<uint8_t>(s.numeric_precision.value_or(10));
      c.scale = static_cast<uint8_t>(s.numeric_scale.value_or(0));
      c.meta = static_cast<uint16_t>(c.precision << 8 | c.scale);
      c.is_unsigned = is_unsigned;
    } else if (t == "float" || t == "double" || t == "real") {
      c.type = t == "float" ? kTypeFloat : kTypeDouble;
      c.float_bytes = t == "float" ? 4 : 8;
      c.meta = c.float_bytes;
      c.is_unsigned = is_unsigned;
    } else if (t == "bit") {
      c.type = kTypeBit;
      c.bits = static_cast<uint16_t>(s.numeric_precision.value_or(1));
      c.meta = static_cast<uint16_t>((c.bits / 8) << 8 | (c.bits % 8));
    } else if (t == "year") {
      c.type = kTypeYear;
    } else if (t == "date") {
      c.type = kTypeDate;
    } else if (t == "time" || t == "datetime" || t == "timestamp") {
      c.type = t == "time" ? kTypeTime2 : t == "datetime" ? kTypeDateTime2 : kTypeTimestamp2;
      c.fsp = static_cast<uint8_t>(s.datetime_precision.value_or(0));
      c.meta = c.fsp;
    } else if (t == "char" || t == "binary") {
      c.type = kTypeString;
      c.max_length = static_cast<uint32_t>(s.octet_length.value_or(0));
      c.collation = t == "binary" ? kBinaryCollation : text_collation();
    } else if (t == "varchar" || t == "varbinary") {
      c.type = kTypeVarchar;
      c.max_length = static_cast<uint32_t>(s.octet_length.value_or(0));
      c.meta = static_cast<uint16_t>(std::min<uint32_t>(c.max_length, 0xffff));
      c.collation = t == "varbinary" ? kBinaryCollation : text_collation();
    } else if (t.ends_with("text") || t.ends_with("blob")) {
      c.type = kTypeBlob;
      c.length_bytes = blob_length_bytes(t);
      c.meta = c.length_bytes;
      c.collation = t.ends_with("blob") ? kBinaryCollation : text_collation();
    } else if (t == "json") {  // MySQL's binary JSON (MariaDB reports its JSON as longtext)
      c.type = kTypeJson;
      c.length_bytes = 4;
      c.meta = 4;
    } else if (t == "enum" || t == "set") {
      c.type = kTypeString;
      c.collation = text_collation();
      if (t == "enum") {
        c.enum_values = enum_labels(s.column_type);
        c.max_length = c.enum_values.size() > 255 ? 2 : 1;
      } else {
        c.set_values = enum_labels(s.column_type);
        c.max_length = static_cast<uint32_t>((c.set_values.size() + 7) / 8);
      }
      c.real_type = t == "enum" ? kTypeEnum : kTypeSet;
    } else if (t == "uuid" || t == "inet6" || t == "inet4") {
      // Written to the binlog as BINARY(16) / BINARY(4); the extended type is read apart.
      c.type = kTypeString;
      c.max_length = t == "inet4" ? 4 : 16;
      c.collation = kBinaryCollation;
    } else if (geometry_code(t) != 0xff) {
      c.type = kTypeGeometry;
      c.length_bytes = 4;
      c.meta = 4;
      c.geometry_type = geometry_code(t);
    } else {
      return make_error(ErrorKind::kFatal,
                        "column {}.{}.{} has type '{}', which Siphon cannot read", database, table,
                        s.name, s.column_type);
    }
    if (c.real_type == 0) c.real_type = c.type;
    map.columns.push_back(std::move(c));
  }
  for (const std::string& key : primary_key) {
    auto it = std::find_if(map.columns.begin(), map.columns.end(),
                           [&](const ColumnDescriptor& c) { return c.name == key; });
    if (it == map.columns.end()) {
      return make_error(ErrorKind::kFatal,
                        "primary key column {} of {}.{} is not among its columns", key, database,
                        table);
    }
    it->primary_key = true;
    map.primary_key.push_back(static_cast<uint32_t>(it - map.columns.begin()));
  }
  return map;
}

}  // namespace siphon::source::binlog
