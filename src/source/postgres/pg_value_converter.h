#pragma once
// The ValueConverter of PostgreSQL: a column's type (OID, type modifier) to its Debezium field
// schema, and its text value (the type's output function under Siphon's fixed session settings)
// to the Value Debezium emits (spec/debezium-compat.md §2.6-2.7).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/value.h"
#include "schema/connect_schema.h"

namespace siphon::source::postgres {

enum class DecimalHandling { kPrecise, kDouble, kString };
enum class TimePrecision { kAdaptive, kAdaptiveTimeMicroseconds, kConnect, kMicroseconds };
enum class BinaryHandling { kBytes, kBase64, kBase64UrlSafe, kHex };
enum class IntervalHandling { kNumeric, kString };
enum class HstoreHandling { kJson, kMap };

// Raw bytes in Debezium's binary.handling.mode representation: bytes, or base64/hex text.
Value binary_value(BinaryHandling mode, std::string raw);

struct PgConverterOptions {
  DecimalHandling decimal = DecimalHandling::kPrecise;
  TimePrecision time = TimePrecision::kAdaptive;
  BinaryHandling binary = BinaryHandling::kBytes;
  IntervalHandling interval = IntervalHandling::kNumeric;
  HstoreHandling hstore = HstoreHandling::kJson;
  int money_fraction_digits = 2;
  bool include_unknown_datatypes = false;
  std::string unavailable_placeholder = "__debezium_unavailable_value";
};

// What pg_type (and pg_enum) say about a type that is not a fixed built-in: enums, domains,
// arrays, extension types (hstore, ltree, citext). Read from the catalog by the source.
struct PgTypeInfo {
  uint32_t oid = 0;
  std::string name;      // typname
  char kind = 'b';       // typtype: b base, c composite, d domain, e enum, p pseudo, r range
  char category = 'U';   // typcategory: 'A' for arrays
  uint32_t element = 0;  // typelem of an array type
  uint32_t base = 0;     // typbasetype of a domain
  int32_t base_typmod = -1;
  std::vector<std::string> enum_labels;  // in enumsortorder
};
// Finds a type by OID; nullptr when unknown.
using PgTypeLookup = std::function<const PgTypeInfo*(uint32_t oid)>;

// Well-known built-in type OIDs (pg_type.dat).
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700,
                          kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                          kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700,
                          kUuid = 2950, kJsonb = 3802, kPoint = 600, kCidr = 650, kMacaddr8 = 774,
                          kMoney = 790, kMacaddr = 829, kInet = 869, kTimetz = 1266, kBit = 1560,
                          kVarbit = 1562, kInterval = 1186, kInt4range = 3904, kNumrange = 3906,
                          kTsrange = 3908, kTstzrange = 3910, kDaterange = 3912, kInt8range = 3926;
}  // namespace oid

// The element type of a built-in array type (pg_type.dat), 0 for any other type.
uint32_t builtin_array_element(uint32_t array_oid);

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
    kZonedTime,
    kBit,  // bit(1): boolean
    kBits,
    kIntervalMicros,
    kIntervalString,
    kMoney,
    kMoneyAsDouble,
    kMoneyAsString,
    kPoint,
    kHstoreJson,
    kHstoreMap,
    kEnum,
    kArray,
    kUnknown,  // include.unknown.datatypes: the text's bytes
  };

  struct Column {
    schema::FieldSchema field;
    Conversion conversion = Conversion::kString;
    int32_t scale = 0;  // kDecimal: the declared scale
    std::string type_name;
    // kEnum: the labels the schema allows (a value outside them means the type changed).
    std::vector<std::string> enum_labels;
    std::shared_ptr<const Column> element;  // kArray: the element column
    bool domain = false;  // declared with a domain type (Debezium has no default for those)
  };

  explicit PgValueConverter(PgConverterOptions options) : options_(std::move(options)) {}

  // nullopt: a type Siphon does not map yet; Debezium drops such columns
  // (include.unknown.datatypes=false), and so does Siphon.
  // `types` resolves OIDs outside the fixed built-ins (enums, domains, arrays, extension
  // types); without it those columns are unknown.
  std::optional<Column> column(std::string name, uint32_t type_oid, int32_t type_modifier,
                               bool optional, const PgTypeLookup* types = nullptr) const;

  Result<Value> convert(const Column& column, std::string_view text) const;

  // The field default Debezium derives from a column's DEFAULT expression (pg_get_expr text),
  // as PostgresDefaultValueConverter does: a literal is converted like a value, a function
  // call (nextval, now(), ...) gives the type's placeholder (0, "", false, epoch ...); nullopt
  // when Debezium has no default (NULL, unsupported types, unparsable expressions).
  std::optional<Value> default_value(const Column& column, std::string_view expression) const;

  // The value of an unchanged TOASTed column (unavailable.value.placeholder).
  Value unavailable(const Column& column) const;

  const PgConverterOptions& options() const { return options_; }

 private:
  PgConverterOptions options_;
};

// "2024-05-01T10:00:00.123456Z": Debezium's ZonedTimestamp for PostgreSQL (6 fraction digits).
std::string format_zoned_timestamp(int64_t micros_since_epoch);

// An interval as PostgreSQL prints it under IntervalStyle=iso_8601 ("P1Y2M3DT4H5M6.7S",
// "P-1DT-1S", "PT0S"), in the fields PGInterval keeps.
struct PgInterval {
  int32_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  int64_t whole_seconds = 0;
  int32_t micros = 0;  // same sign as whole_seconds
};
std::optional<PgInterval> parse_pg_interval(std::string_view text);

// The elements of a one-dimensional array literal ("{1,NULL,\"a b\"}"); nullopt elements are
// NULLs. An error for malformed text and for multi-dimensional arrays.
Result<std::vector<std::optional<std::string>>> parse_pg_array(std::string_view text);

// The pairs of an hstore literal ("\"a\"=>\"1\", \"b\"=>NULL"), in text order.
Result<std::vector<std::pair<std::string, std::optional<std::string>>>> parse_pg_hstore(
    std::string_view text);

}  // namespace siphon::source::postgres
