#pragma once
// Raw binlog column values to Debezium's Kafka Connect schema and value
// (spec/debezium-compat.md §2.6 and §2.8, spec/binlog.md §5-6), with the connector options that
// change them. Inputs are explicit: the column descriptor (type, metadata, UNSIGNED, collation,
// ENUM/SET labels, extended MariaDB type) may come from the TABLE_MAP's optional metadata or,
// when the server logs none, from the schema; the converter never guesses a missing one.
#include <string>

#include "core/error.h"
#include "core/value.h"
#include "schema/connect_schema.h"
#include "source/binlog/charset.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/table_map.h"

namespace siphon::source::binlog {

enum class DecimalHandling : uint8_t { kPrecise, kDouble, kString };
// Debezium's MySQL default is adaptive_time_microseconds.
enum class TimePrecision : uint8_t { kAdaptiveTimeMicroseconds, kAdaptive, kConnect };
enum class BinaryHandling : uint8_t { kBytes, kBase64, kBase64UrlSafe, kHex };
enum class BigintUnsignedHandling : uint8_t { kLong, kPrecise };

struct ConverterOptions {
  DecimalHandling decimal = DecimalHandling::kPrecise;
  TimePrecision time = TimePrecision::kAdaptiveTimeMicroseconds;
  BinaryHandling binary = BinaryHandling::kBytes;
  BigintUnsignedHandling bigint_unsigned = BigintUnsignedHandling::kLong;
  // Bytes invalid in their column's charset stop the connector unless replacement is chosen.
  InvalidTextHandling invalid_text = InvalidTextHandling::kFail;
  // An impossible DATE/DATETIME (2021-02-31, kept by ALLOW_INVALID_DATES) stops the connector,
  // as Debezium's default event.processing.failure.handling.mode=fail does; with warn/skip
  // Debezium emits the epoch instead, which this option reproduces.
  bool invalid_dates_as_epoch = false;
};

class BinlogValueConverter {
 public:
  explicit BinlogValueConverter(ConverterOptions options = {}) : options_(options) {}

  // The field schema Debezium declares for the column (`optional` from its nullability).
  // Fails for a column whose type needs information the descriptor lacks (the charset of a
  // text column, UNSIGNED of an integer) or that Siphon cannot convert.
  Result<schema::FieldSchema> schema_for(const ColumnDescriptor& column) const;

  // The value, typed as schema_for declares it. A NULL (or a zero date in a nullable column)
  // is Value::null(). Errors say which column and why; the caller adds the binlog position.
  Result<Value> convert(const ColumnDescriptor& column, const ColumnValue& value) const;

 private:
  ConverterOptions options_;
};

// Encodings of binary.handling.mode, exposed for tests.
std::string base64_encode(std::string_view bytes, bool url_safe);
std::string hex_encode(std::string_view bytes);

}  // namespace siphon::source::binlog
