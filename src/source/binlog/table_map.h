#pragma once
// A TABLE_MAP event (spec/binlog.md §3) decoded into column descriptors: everything the row
// decoder needs to split a row image and the value converter needs to type a value. The optional
// metadata (binlog_row_metadata=MINIMAL/FULL) fills signedness, charsets, names and ENUM/SET
// labels; without it those stay unknown and the later source fills them from
// information_schema before converting.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace siphon::source::binlog {

// Column type codes as the binlog writes them (MySQL enum_field_types).
enum ColumnType : uint8_t {
  kTypeDecimal = 0,
  kTypeTiny = 1,
  kTypeShort = 2,
  kTypeLong = 3,
  kTypeFloat = 4,
  kTypeDouble = 5,
  kTypeNull = 6,
  kTypeTimestamp = 7,
  kTypeLongLong = 8,
  kTypeInt24 = 9,
  kTypeDate = 10,
  kTypeTime = 11,
  kTypeDateTime = 12,
  kTypeYear = 13,
  kTypeNewDate = 14,
  kTypeVarchar = 15,
  kTypeBit = 16,
  kTypeTimestamp2 = 17,
  kTypeDateTime2 = 18,
  kTypeTime2 = 19,
  kTypeVector = 242,
  kTypeJson = 245,
  kTypeNewDecimal = 246,
  kTypeEnum = 247,
  kTypeSet = 248,
  kTypeTinyBlob = 249,
  kTypeMediumBlob = 250,
  kTypeLongBlob = 251,
  kTypeBlob = 252,
  kTypeVarString = 253,
  kTypeString = 254,
  kTypeGeometry = 255,
};

// What the table map cannot say but the schema (DDL, information_schema) can: MariaDB writes
// JSON as LONGTEXT and UUID/INET4/INET6 as fixed binary strings.
enum class ExtendedType : uint8_t { kNone, kJson, kUuid, kInet4, kInet6 };

struct ColumnDescriptor {
  uint8_t type = 0;       // as in the table map (kTypeString for CHAR/BINARY/ENUM/SET)
  uint8_t real_type = 0;  // kTypeString resolved to kTypeEnum/kTypeSet when its metadata says so
  uint16_t meta = 0;      // raw metadata
  bool nullable = true;

  // From the metadata, by type (0 when not applicable).
  uint32_t max_length = 0;   // CHAR/BINARY/VARCHAR: bytes; ENUM/SET: pack length
  uint8_t length_bytes = 0;  // BLOB/TEXT/JSON/GEOMETRY: size of the length prefix
  uint8_t precision = 0;     // NEWDECIMAL
  uint8_t scale = 0;         // NEWDECIMAL
  uint8_t fsp = 0;           // TIME2/DATETIME2/TIMESTAMP2
  uint16_t bits = 0;         // BIT
  uint8_t float_bytes = 0;   // FLOAT/DOUBLE pack length

  // From the optional metadata (or the schema).
  std::optional<bool> is_unsigned;
  std::optional<uint32_t> collation;  // character, ENUM and SET columns; 63 = binary
  std::string name;
  std::vector<std::string> enum_values;
  std::vector<std::string> set_values;
  std::optional<uint32_t> geometry_type;  // 0 GEOMETRY, 1 POINT, ...
  bool primary_key = false;
  bool visible = true;
  ExtendedType extended = ExtendedType::kNone;
};

struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<ColumnDescriptor> columns;
  bool has_signedness = false;  // the optional metadata carried each kind
  bool has_charsets = false;
  bool has_names = false;
  bool has_enum_set_values = false;
  std::vector<uint32_t> primary_key;  // column indexes
};

}  // namespace siphon::source::binlog
