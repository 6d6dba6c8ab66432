#pragma once
// Pure decoder of ROWS event images (spec/binlog.md §4-5): with the table's TABLE_MAP, the raw
// bytes of a WRITE/UPDATE/DELETE_ROWS event become rows of raw typed column values. Raw means
// as the server stored them: integers sign-extended from their width (the converter applies
// UNSIGNED), dates and times as fields (zero and invalid dates kept as written), strings and
// blobs as bytes in their column charset (BINARY(n) as stored, without its trailing zero bytes:
// the converter re-pads it once it knows the column is binary), MySQL JSON as binary JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "source/binlog/binlog_event.h"
#include "source/binlog/event_decoder.h"
#include "source/binlog/table_map.h"

namespace siphon::source::binlog {

struct Temporal {
  bool negative = false;  // TIME only
  int32_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint32_t hour = 0;  // TIME: up to 838
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t micros = 0;
  bool operator==(const Temporal&) const = default;
};

struct ColumnValue {
  enum class Kind : uint8_t {
    kAbsent,  // not in this image (the column bitmap leaves it out)
    kNull,
    kInt,         // TINY..LONGLONG, sign-extended from `width` bytes
    kFloat,       // FLOAT
    kDouble,      // DOUBLE
    kDecimal,     // NEWDECIMAL as plain text "-123.45" with exactly `scale` fraction digits
    kYear,        // `integer` = the year (0 for 0000)
    kDate,        // `temporal` y/m/d
    kTime,        // `temporal` sign, h/m/s/µs
    kDateTime,    // `temporal`
    kTimestamp,   // `integer` = seconds since the epoch (UTC), `temporal.micros`
    kBytes,       // strings, blobs, binary, MariaDB JSON text, geometry (SRID + WKB)
    kJsonBinary,  // MySQL binary JSON document (empty = JSON null)
    kJsonDiff,    // PARTIAL_UPDATE_ROWS: a MySQL JSON diff vector, not a document
    kEnum,        // `integer` = 1-based index, 0 = ''
    kSet,         // `integer` = bitmask
    kBit,         // `integer` = the bits (BIT(n), n <= 64)
  };
  Kind kind = Kind::kAbsent;
  uint8_t width = 0;  // kInt: bytes
  int64_t integer = 0;
  double real = 0;
  Temporal temporal;
  std::string bytes;  // kBytes, kJsonBinary, kDecimal (text)

  bool operator==(const ColumnValue&) const = default;
};

// One image: a value per table column, kAbsent for columns the image leaves out.
using RowImageValues = std::vector<ColumnValue>;

struct RowChange {
  std::optional<RowImageValues> before;  // UPDATE, DELETE
  std::optional<RowImageValues> after;   // WRITE, UPDATE
};

// Decodes every row of `rows`. `table` must be the TABLE_MAP with the event's table id; a
// width mismatch, a truncated value or bytes left after the last row are errors naming the
// event's place and the offset inside its row data.
Result<std::vector<RowChange>> decode_rows(const RowsEvent& rows, const TableMap& table,
                                           const EventLocation& where);

// One value of a column from the start of `data`; `consumed` gets its size. Exposed for tests
// and the fuzzer. Error text says why (the caller adds the place).
Result<ColumnValue> decode_column_value(const ColumnDescriptor& column, std::string_view data,
                                        size_t& consumed);

// Plain decimal text of a binary NEWDECIMAL (spec/binlog.md §5.1), or nullopt if `data` is not
// exactly its size.
std::optional<std::string> decode_decimal(std::string_view data, int precision, int scale);
// Size in bytes of a binary NEWDECIMAL(precision, scale).
size_t decimal_binary_size(int precision, int scale);

}  // namespace siphon::source::binlog
