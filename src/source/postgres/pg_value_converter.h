#pragma once
// The ValueConverter of PostgreSQL: a column's type (OID, type modifier) to its Debezium field
// schema, and its text value (the type's output function under Siphon's fixed session settings)
// to the Value Debezium emits (spec/debezium-compat.md §2.6-2.7).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/value.h"
#include "schema/connect_schema.h"

namespace siphon::source::postgres {

enum class DecimalHandling { kPrecise, kDouble, kString };
enum class TimePrecision { kAdaptive, kAdaptiveTimeMicroseconds, kConnect, kMicroseconds };
enum class BinaryHandling { kBytes, kBase64, kBase64UrlSafe, kHex };

struct PgConverterOptions {
  DecimalHandling decimal = DecimalHandling::kPrecise;
  TimePrecision time = TimePrecision::kAdaptive;
  BinaryHandling binary = BinaryHandling::kBytes;
  std::string unavailable_placeholder = "__debezium_unavailable_value";
};

// Well-known built-in type OIDs (pg_type.dat).
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700,
                          kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                          kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700,
                          kUuid = 2950, kJsonb = 3802;
}  // namespace oid

class PgValueConverter {
 public:
  enum class Conversion : uint8_t {
    kBool,
    kInt,
    kFloat32,
    kFloat64,
    kDecimal,
    kVariableScaleDecimal,
    kDecimalAsDouble,
    kDecimalAsString,
    kString,
    kBytea,
    kDate,
    kTimeMillis,
    kTimeMicros,
    kTimestampMillis,
    kTimestampMicros,
    kZonedTimestamp,
  };

  struct Column {
    schema::FieldSchema field;
    Conversion conversion = Conversion::kString;
    int32_t scale = 0;  // kDecimal: the declared scale
    std::string type_name;
  };

  explicit PgValueConverter(PgConverterOptions options) : options_(std::move(options)) {}

  // nullopt: a type Siphon does not map yet; Debezium drops such columns
  // (include.unknown.datatypes=false), and so does Siphon.
  std::optional<Column> column(std::string name, uint32_t type_oid, int32_t type_modifier,
                               bool optional) const;

  Result<Value> convert(const Column& column, std::string_view text) const;

  // The value of an unchanged TOASTed column (unavailable.value.placeholder).
  Value unavailable(const Column& column) const;

  const PgConverterOptions& options() const { return options_; }

 private:
  PgConverterOptions options_;
};

// "2024-05-01T10:00:00.123456Z": Debezium's ZonedTimestamp for PostgreSQL (6 fraction digits).
std::string format_zoned_timestamp(int64_t micros_since_epoch);

}  // namespace siphon::source::postgres
