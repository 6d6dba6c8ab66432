#include "source/postgres/pg_value_converter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "format/debezium_json_serializer.h"
#include "source/postgres/pg_temporal.h"

namespace siphon {

// Readable failure messages for Value comparisons.
void PrintTo(const Value& v, std::ostream* os) {
  switch (v.kind) {
    case Value::Kind::kNull:
      *os << "null";
      return;
    case Value::Kind::kBool:
      *os << (v.i ? "true" : "false");
      return;
    case Value::Kind::kInt:
      *os << "int " << v.i;
      return;
    case Value::Kind::kFloat32:
      *os << "float32 " << v.f;
      return;
    case Value::Kind::kFloat64:
      *os << "float64 " << v.f;
      return;
    case Value::Kind::kString:
      *os << "string \"" << v.s << '"';
      return;
    case Value::Kind::kBytes:
      *os << "bytes 0x";
      for (unsigned char c : v.s) *os << fmt::format("{:02X}", c);
      return;
    case Value::Kind::kStruct:
    case Value::Kind::kArray:
    case Value::Kind::kMap:
      *os << (v.kind == Value::Kind::kStruct  ? "struct{"
              : v.kind == Value::Kind::kArray ? "array["
                                              : "map[");
      for (size_t i = 0; i < v.fields.size(); ++i) {
        if (i) *os << ", ";
        PrintTo(v.fields[i], os);
      }
      *os << (v.kind == Value::Kind::kStruct ? "}" : "]");
      return;
  }
}

}  // namespace siphon

namespace siphon::source::postgres {
namespace {

using schema::ConnectType;

constexpr int32_t numeric_typmod(int precision, int scale) {
  return ((precision << 16) | scale) + 4;
}

std::string bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

class Converter {
 public:
  explicit Converter(PgConverterOptions options = {}) : conv_(std::move(options)) {}

  PgValueConverter::Column column(uint32_t oid, int32_t typmod = -1, bool optional = true) const {
    auto c = conv_.column("c", oid, typmod, optional);
    EXPECT_TRUE(c.has_value()) << "OID " << oid << " is not mapped";
    return c.value_or(PgValueConverter::Column{});
  }

  // The converted value; a conversion error fails the test and gives a marker string.
  Value value(uint32_t oid, int32_t typmod, std::string_view text) const {
    auto c = conv_.column("c", oid, typmod, true);
    if (!c) {
      ADD_FAILURE() << "OID " << oid << " is not mapped";
      return Value::string("<unmapped>");
    }
    auto v = conv_.convert(*c, text);
    if (!v) {
      ADD_FAILURE() << "converting '" << text << "': " << v.error().message;
      return Value::string("<error>");
    }
    return *v;
  }
  Value value(uint32_t oid, std::string_view text) const { return value(oid, -1, text); }

  Result<Value> result(uint32_t oid, int32_t typmod, std::string_view text) const {
    auto c = conv_.column("c", oid, typmod, true);
    if (!c) return make_error(ErrorKind::kFatal, "unmapped");
    return conv_.convert(*c, text);
  }

  const PgValueConverter& get() const { return conv_; }

 private:
  PgValueConverter conv_;
};

PgConverterOptions with_decimal(DecimalHandling d) {
  PgConverterOptions o;
  o.decimal = d;
  return o;
}
PgConverterOptions with_time(TimePrecision t) {
  PgConverterOptions o;
  o.time = t;
  return o;
}
PgConverterOptions with_binary(BinaryHandling b) {
  PgConverterOptions o;
  o.binary = b;
  return o;
}

using Parameters = std::vector<std::pair<std::string, std::string>>;

void expect_field(const schema::FieldSchema& f, ConnectType type, const std::string& logical,
                  int version, const Parameters& parameters = {}) {
  EXPECT_EQ(schema::connect_type_name(f.type), std::string(schema::connect_type_name(type)));
  EXPECT_EQ(f.logical_name, logical);
  EXPECT_EQ(f.version, version);
  EXPECT_EQ(f.parameters, parameters);
  EXPECT_FALSE(f.default_value.has_value());
}

// ---- field schemas -----------------------------------------------------------------------------

TEST(PgValueConverterSchema, PlainTypes) {
  Converter c;
  struct Case {
    uint32_t oid;
    ConnectType type;
  };
  const Case cases[] = {
      {oid::kBool, ConnectType::kBoolean},   {oid::kInt2, ConnectType::kInt16},
      {oid::kInt4, ConnectType::kInt32},     {oid::kInt8, ConnectType::kInt64},
      {oid::kOid, ConnectType::kInt64},      {oid::kFloat4, ConnectType::kFloat32},
      {oid::kFloat8, ConnectType::kFloat64}, {oid::kText, ConnectType::kString},
      {oid::kVarchar, ConnectType::kString}, {oid::kBpchar, ConnectType::kString},
      {oid::kChar, ConnectType::kString},    {oid::kName, ConnectType::kString},
      {oid::kBytea, ConnectType::kBytes},
  };
  for (const auto& cs : cases) {
    SCOPED_TRACE(cs.oid);
    auto col = c.column(cs.oid);
    expect_field(col.field, cs.type, "", 0);
    EXPECT_EQ(col.field.name, "c");
    EXPECT_TRUE(col.field.fields.empty());
  }
  EXPECT_TRUE(c.column(oid::kVarchar, 14).field.logical_name.empty());  // varchar(10)
}

TEST(PgValueConverterSchema, OptionalFollowsTheColumn) {
  PgValueConverter conv{PgConverterOptions{}};
  auto nullable = conv.column("a", oid::kInt4, -1, true);
  auto required = conv.column("b", oid::kInt4, -1, false);
  ASSERT_TRUE(nullable && required);
  EXPECT_TRUE(nullable->field.optional);
  EXPECT_FALSE(required->field.optional);
  EXPECT_EQ(nullable->field.name, "a");
  EXPECT_EQ(required->field.name, "b");
  EXPECT_EQ(required->type_name, "int4");
}

TEST(PgValueConverterSchema, SemanticStringTypes) {
  Converter c;
  expect_field(c.column(oid::kUuid).field, ConnectType::kString, "io.debezium.data.Uuid", 1);
  expect_field(c.column(oid::kJson).field, ConnectType::kString, "io.debezium.data.Json", 1);
  expect_field(c.column(oid::kJsonb).field, ConnectType::kString, "io.debezium.data.Json", 1);
  expect_field(c.column(oid::kXml).field, ConnectType::kString, "io.debezium.data.Xml", 1);
  expect_field(c.column(oid::kTimestamptz).field, ConnectType::kString,
               "io.debezium.time.ZonedTimestamp", 1);
}

TEST(PgValueConverterSchema, ConstrainedNumericIsAConnectDecimal) {
  Converter c;
  auto col = c.column(oid::kNumeric, numeric_typmod(10, 2));
  expect_field(col.field, ConnectType::kBytes, "org.apache.kafka.connect.data.Decimal", 1,
               {{"scale", "2"}, {"connect.decimal.precision", "10"}});
  EXPECT_EQ(col.scale, 2);
  EXPECT_EQ(col.type_name, "numeric");

  auto integral = c.column(oid::kNumeric, numeric_typmod(38, 0));
  expect_field(integral.field, ConnectType::kBytes, "org.apache.kafka.connect.data.Decimal", 1,
               {{"scale", "0"}, {"connect.decimal.precision", "38"}});
  auto wide = c.column(oid::kNumeric, numeric_typmod(1000, 500));
  EXPECT_EQ(wide.field.parameters,
            (Parameters{{"scale", "500"}, {"connect.decimal.precision", "1000"}}));
}

TEST(PgValueConverterSchema, UnconstrainedNumericIsAVariableScaleDecimal) {
  Converter c;
  auto col = c.column(oid::kNumeric, -1);
  expect_field(col.field, ConnectType::kStruct, "io.debezium.data.VariableScaleDecimal", 1);
  EXPECT_EQ(col.field.doc, "Variable scaled decimal");
  ASSERT_EQ(col.field.fields.size(), 2u);
  EXPECT_EQ(col.field.fields[0].name, "scale");
  EXPECT_EQ(col.field.fields[0].type, ConnectType::kInt32);
  EXPECT_FALSE(col.field.fields[0].optional);
  EXPECT_EQ(col.field.fields[1].name, "value");
  EXPECT_EQ(col.field.fields[1].type, ConnectType::kBytes);
  EXPECT_FALSE(col.field.fields[1].optional);
}

TEST(PgValueConverterSchema, DecimalHandlingDoubleAndString) {
  for (int32_t typmod : {numeric_typmod(10, 2), -1}) {
    Converter dbl(with_decimal(DecimalHandling::kDouble));
    expect_field(dbl.column(oid::kNumeric, typmod).field, ConnectType::kFloat64, "", 0);
    Converter str(with_decimal(DecimalHandling::kString));
    expect_field(str.column(oid::kNumeric, typmod).field, ConnectType::kString, "", 0);
  }
}

TEST(PgValueConverterSchema, BinaryHandlingModes) {
  expect_field(Converter(with_binary(BinaryHandling::kBytes)).column(oid::kBytea).field,
               ConnectType::kBytes, "", 0);
  for (auto mode :
       {BinaryHandling::kBase64, BinaryHandling::kBase64UrlSafe, BinaryHandling::kHex}) {
    expect_field(Converter(with_binary(mode)).column(oid::kBytea).field, ConnectType::kString, "",
                 0);
  }
}

TEST(PgValueConverterSchema, DateUnderEveryTimePrecisionMode) {
  for (auto mode : {TimePrecision::kAdaptive, TimePrecision::kAdaptiveTimeMicroseconds,
                    TimePrecision::kMicroseconds}) {
    expect_field(Converter(with_time(mode)).column(oid::kDate).field, ConnectType::kInt32,
                 "io.debezium.time.Date", 1);
  }
  expect_field(Converter(with_time(TimePrecision::kConnect)).column(oid::kDate).field,
               ConnectType::kInt32, "org.apache.kafka.connect.data.Date", 1);
}

TEST(PgValueConverterSchema, TimeByPrecisionAndMode) {
  struct Case {
    TimePrecision mode;
    int32_t typmod;  // time(p): typmod p; -1 = unspecified (6)
    ConnectType type;
    const char* logical;
  };
  const Case cases[] = {
      {TimePrecision::kAdaptive, 0, ConnectType::kInt32, "io.debezium.time.Time"},
      {TimePrecision::kAdaptive, 3, ConnectType::kInt32, "io.debezium.time.Time"},
      {TimePrecision::kAdaptive, 4, ConnectType::kInt64, "io.debezium.time.MicroTime"},
      {TimePrecision::kAdaptive, 6, ConnectType::kInt64, "io.debezium.time.MicroTime"},
      {TimePrecision::kAdaptive, -1, ConnectType::kInt64, "io.debezium.time.MicroTime"},
      {TimePrecision::kAdaptiveTimeMicroseconds, 3, ConnectType::kInt64,
       "io.debezium.time.MicroTime"},
      {TimePrecision::kAdaptiveTimeMicroseconds, 6, ConnectType::kInt64,
       "io.debezium.time.MicroTime"},
      {TimePrecision::kConnect, 3, ConnectType::kInt32, "org.apache.kafka.connect.data.Time"},
      {TimePrecision::kConnect, 6, ConnectType::kInt32, "org.apache.kafka.connect.data.Time"},
      {TimePrecision::kMicroseconds, 3, ConnectType::kInt64, "io.debezium.time.MicroTime"},
      {TimePrecision::kMicroseconds, 6, ConnectType::kInt64, "io.debezium.time.MicroTime"},
  };
  for (const auto& cs : cases) {
    SCOPED_TRACE(fmt::format("mode {} typmod {}", static_cast<int>(cs.mode), cs.typmod));
    expect_field(Converter(with_time(cs.mode)).column(oid::kTime, cs.typmod).field, cs.type,
                 cs.logical, 1);
  }
}

TEST(PgValueConverterSchema, TimestampByPrecisionAndMode) {
  struct Case {
    TimePrecision mode;
    int32_t typmod;
    const char* logical;
  };
  const Case cases[] = {
      {TimePrecision::kAdaptive, 0, "io.debezium.time.Timestamp"},
      {TimePrecision::kAdaptive, 3, "io.debezium.time.Timestamp"},
      {TimePrecision::kAdaptive, 4, "io.debezium.time.MicroTimestamp"},
      {TimePrecision::kAdaptive, -1, "io.debezium.time.MicroTimestamp"},
      {TimePrecision::kAdaptiveTimeMicroseconds, 3, "io.debezium.time.Timestamp"},
      {TimePrecision::kAdaptiveTimeMicroseconds, 6, "io.debezium.time.MicroTimestamp"},
      {TimePrecision::kConnect, 3, "org.apache.kafka.connect.data.Timestamp"},
      {TimePrecision::kConnect, -1, "org.apache.kafka.connect.data.Timestamp"},
      {TimePrecision::kMicroseconds, 3, "io.debezium.time.MicroTimestamp"},
      {TimePrecision::kMicroseconds, -1, "io.debezium.time.MicroTimestamp"},
  };
  for (const auto& cs : cases) {
    SCOPED_TRACE(fmt::format("mode {} typmod {}", static_cast<int>(cs.mode), cs.typmod));
    expect_field(Converter(with_time(cs.mode)).column(oid::kTimestamp, cs.typmod).field,
                 ConnectType::kInt64, cs.logical, 1);
  }
}

TEST(PgValueConverterSchema, UnmappedTypesAreDropped) {
  PgValueConverter conv{PgConverterOptions{}};
  // box, circle, tsquery, a user type the catalog does not describe, and OID 0.
  for (uint32_t type : {603u, 718u, 3615u, 16385u, 0u}) {
    EXPECT_FALSE(conv.column("c", type, -1, true).has_value()) << "OID " << type;
  }
  // Arrays Debezium has no schema for: money[], name[], interval[], varbit[], xml[], point[].
  for (uint32_t type : {791u, 1003u, 1187u, 1563u, 143u, 1017u}) {
    EXPECT_FALSE(conv.column("c", type, -1, true).has_value()) << "OID " << type;
  }
}

// ---- values: numbers ---------------------------------------------------------------------------

TEST(PgValueConverterValues, BooleansAndIntegers) {
  Converter c;
  EXPECT_EQ(c.value(oid::kBool, "t"), Value::boolean(true));
  EXPECT_EQ(c.value(oid::kBool, "f"), Value::boolean(false));
  EXPECT_EQ(c.value(oid::kInt2, "-32768"), Value::integer(-32768));
  EXPECT_EQ(c.value(oid::kInt4, "2147483647"), Value::integer(2147483647));
  EXPECT_EQ(c.value(oid::kInt8, "9223372036854775807"),
            Value::integer(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(c.value(oid::kInt8, "-9223372036854775808"),
            Value::integer(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(c.value(oid::kOid, "4294967295"), Value::integer(4294967295LL));
}

TEST(PgValueConverterValues, Floats) {
  Converter c;
  Value f = c.value(oid::kFloat4, "0.1");
  EXPECT_EQ(f.kind, Value::Kind::kFloat32);
  EXPECT_EQ(static_cast<float>(f.f), 0.1f);
  EXPECT_EQ(c.value(oid::kFloat4, "3.4028235e+38"), Value::float32(3.4028235e38f));
  EXPECT_EQ(c.value(oid::kFloat4, "-Infinity"),
            Value::float32(-std::numeric_limits<float>::infinity()));
  Value fnan = c.value(oid::kFloat4, "NaN");
  EXPECT_EQ(fnan.kind, Value::Kind::kFloat32);
  EXPECT_TRUE(std::isnan(fnan.f));

  EXPECT_EQ(c.value(oid::kFloat8, "123456789.12345679"), Value::float64(123456789.12345679));
  EXPECT_EQ(c.value(oid::kFloat8, "1e+300"), Value::float64(1e300));
  EXPECT_EQ(c.value(oid::kFloat8, "-0"), Value::float64(-0.0));
  EXPECT_TRUE(std::signbit(c.value(oid::kFloat8, "-0").f));
  EXPECT_EQ(c.value(oid::kFloat8, "Infinity"),
            Value::float64(std::numeric_limits<double>::infinity()));
  Value dnan = c.value(oid::kFloat8, "NaN");
  EXPECT_EQ(dnan.kind, Value::Kind::kFloat64);
  EXPECT_TRUE(std::isnan(dnan.f));
}

TEST(PgValueConverterValues, DecimalIsTheUnscaledTwosComplement) {
  Converter c;
  const int32_t n10_2 = numeric_typmod(10, 2);
  EXPECT_EQ(c.value(oid::kNumeric, n10_2, "3.14"), Value::bytes(bytes({0x01, 0x3A})));  // 314
  EXPECT_EQ(c.value(oid::kNumeric, n10_2, "123.45"), Value::bytes(bytes({0x30, 0x39})));
  EXPECT_EQ(c.value(oid::kNumeric, n10_2, "-0.50"), Value::bytes(bytes({0xCE})));  // -50
  EXPECT_EQ(c.value(oid::kNumeric, n10_2, "0.00"), Value::bytes(bytes({0x00})));
  // A value with fewer digits than the scale is rescaled: 3.1 -> 310.
  EXPECT_EQ(c.value(oid::kNumeric, n10_2, "3.1"), Value::bytes(bytes({0x01, 0x36})));

  const int32_t n10_0 = numeric_typmod(10, 0);
  struct Case {
    const char* text;
    std::string expected;
  };
  const Case cases[] = {
      {"0", bytes({0x00})},
      {"1", bytes({0x01})},
      {"-1", bytes({0xFF})},
      {"127", bytes({0x7F})},
      {"128", bytes({0x00, 0x80})},
      {"-128", bytes({0x80})},
      {"-129", bytes({0xFF, 0x7F})},
      {"255", bytes({0x00, 0xFF})},
      {"256", bytes({0x01, 0x00})},
      {"-256", bytes({0xFF, 0x00})},
      {"-32768", bytes({0x80, 0x00})},
      {"-32769", bytes({0xFF, 0x7F, 0xFF})},
      {"9999999999", bytes({0x02, 0x54, 0x0B, 0xE3, 0xFF})},
  };
  for (const auto& cs : cases) {
    EXPECT_EQ(c.value(oid::kNumeric, n10_0, cs.text), Value::bytes(cs.expected)) << cs.text;
  }
}

// Debezium's SpecialValueDecimal.fromLogical throws a ConnectException for NaN/Infinity in
// precise mode, which stops the connector; Siphon fails with a message that names the column
// and says which mode can carry the value.
TEST(PgValueConverterValues, DecimalNaNAndInfinityFailInPreciseMode) {
  Converter c;
  for (const char* special : {"NaN", "Infinity", "-Infinity"}) {
    for (int32_t typmod : {numeric_typmod(10, 2), -1}) {
      auto r = c.result(oid::kNumeric, typmod, special);
      ASSERT_FALSE(r.has_value()) << special;
      EXPECT_NE(r.error().message.find("column 'c'"), std::string::npos) << r.error().message;
      EXPECT_NE(r.error().message.find("decimal.handling.mode"), std::string::npos);
      EXPECT_FALSE(r.error().retryable());
    }
  }
}

TEST(PgValueConverterValues, VariableScaleDecimalStruct) {
  Converter c;
  EXPECT_EQ(c.value(oid::kNumeric, -1, "-12.5"),
            Value::structure({Value::integer(1), Value::bytes(bytes({0x83}))}));  // -125
  EXPECT_EQ(c.value(oid::kNumeric, -1, "100"),
            Value::structure({Value::integer(0), Value::bytes(bytes({0x64}))}));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "0.00000000000000000000000000012"),
            Value::structure({Value::integer(29), Value::bytes(bytes({0x0C}))}));
}

// Debezium strips trailing zeros of an unconstrained numeric before building the struct
// (PostgresValueConverter.convertDecimal: newDecimal.stripTrailingZeros(), then setScale(0)
// if the scale went negative), so 12345.678900 is {scale 4, value 123456789}.
TEST(PgValueConverterValues, VariableScaleDecimalStripsTrailingZerosLikeDebezium) {
  Converter c;
  EXPECT_EQ(c.value(oid::kNumeric, -1, "12345.678900"),
            Value::structure({Value::integer(4), Value::bytes(bytes({0x07, 0x5B, 0xCD, 0x15}))}));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "1.50"),
            Value::structure({Value::integer(1), Value::bytes(bytes({0x0F}))}));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "0.000"),
            Value::structure({Value::integer(0), Value::bytes(bytes({0x00}))}));
}

TEST(PgValueConverterValues, DecimalAsDouble) {
  Converter c(with_decimal(DecimalHandling::kDouble));
  EXPECT_EQ(c.value(oid::kNumeric, numeric_typmod(10, 2), "3.14"), Value::float64(3.14));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "12345.678900"), Value::float64(12345.6789));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "-Infinity"),
            Value::float64(-std::numeric_limits<double>::infinity()));
  Value nan = c.value(oid::kNumeric, -1, "NaN");
  EXPECT_EQ(nan.kind, Value::Kind::kFloat64);
  EXPECT_TRUE(std::isnan(nan.f));
}

TEST(PgValueConverterValues, DecimalAsString) {
  Converter c(with_decimal(DecimalHandling::kString));
  EXPECT_EQ(c.value(oid::kNumeric, numeric_typmod(10, 2), "3.14"), Value::string("3.14"));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "12345.678900"), Value::string("12345.678900"));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "-0.5"), Value::string("-0.5"));
}

// spec/debezium-compat.md §2.7: "NaN only in double/string (`NaN` / `"NAN"`)". Debezium's string
// mode prints SpecialValueDecimal's enum name: NAN, POSITIVE_INFINITY, NEGATIVE_INFINITY.
TEST(PgValueConverterValues, DecimalAsStringSpecialValuesLikeDebezium) {
  Converter c(with_decimal(DecimalHandling::kString));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "NaN"), Value::string("NAN"));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "Infinity"), Value::string("POSITIVE_INFINITY"));
  EXPECT_EQ(c.value(oid::kNumeric, -1, "-Infinity"), Value::string("NEGATIVE_INFINITY"));
}

// ---- values: strings and bytes -----------------------------------------------------------------

TEST(PgValueConverterValues, StringsPassThrough) {
  Converter c;
  const std::string text = "quote \" backslash \\ newline\n unicode \xc3\xa9 \xf0\x9f\x98\x80";
  EXPECT_EQ(c.value(oid::kText, text), Value::string(text));
  EXPECT_EQ(c.value(oid::kVarchar, 14, ""), Value::string(""));
  EXPECT_EQ(c.value(oid::kBpchar, 9, "ab   "), Value::string("ab   "));  // padding kept
  EXPECT_EQ(c.value(oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            Value::string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  EXPECT_EQ(c.value(oid::kJson, "{\"b\": 1,  \"a\": [1,2]}"),
            Value::string("{\"b\": 1,  \"a\": [1,2]}"));
  EXPECT_EQ(c.value(oid::kJsonb, "{\"a\": 3, \"b\": 1}"), Value::string("{\"a\": 3, \"b\": 1}"));
}

TEST(PgValueConverterValues, ByteaHexToBytes) {
  Converter c;
  EXPECT_EQ(c.value(oid::kBytea, "\\x00ff10"), Value::bytes(bytes({0x00, 0xFF, 0x10})));
  EXPECT_EQ(c.value(oid::kBytea, "\\xDEADbeef"), Value::bytes(bytes({0xDE, 0xAD, 0xBE, 0xEF})));
  EXPECT_EQ(c.value(oid::kBytea, "\\x"), Value::bytes(""));
}

TEST(PgValueConverterValues, ByteaBinaryHandlingModes) {
  EXPECT_EQ(Converter(with_binary(BinaryHandling::kBase64)).value(oid::kBytea, "\\x00ff10"),
            Value::string("AP8Q"));
  EXPECT_EQ(Converter(with_binary(BinaryHandling::kBase64)).value(oid::kBytea, "\\xfbff"),
            Value::string("+/8="));
  EXPECT_EQ(Converter(with_binary(BinaryHandling::kBase64UrlSafe)).value(oid::kBytea, "\\xfbff"),
            Value::string("-_8="));
  EXPECT_EQ(Converter(with_binary(BinaryHandling::kHex)).value(oid::kBytea, "\\x00FF10"),
            Value::string("00ff10"));
  EXPECT_EQ(Converter(with_binary(BinaryHandling::kHex)).value(oid::kBytea, "\\x"),
            Value::string(""));
}

TEST(PgValueConverterValues, UnavailableToastPlaceholder) {
  Converter c;
  const PgValueConverter& conv = c.get();
  EXPECT_EQ(conv.unavailable(c.column(oid::kText)), Value::string("__debezium_unavailable_value"));
  EXPECT_EQ(conv.unavailable(c.column(oid::kJsonb)), Value::string("__debezium_unavailable_value"));
  EXPECT_EQ(conv.unavailable(c.column(oid::kBytea)), Value::bytes("__debezium_unavailable_value"));
  EXPECT_EQ(conv.unavailable(c.column(oid::kInt4)), Value::null());
  // Arrays (spec §2.9): text[] holds the placeholder, int[] / bigint[] its bytes.
  EXPECT_EQ(conv.unavailable(c.column(1009)),
            Value::array({Value::string("__debezium_unavailable_value")}));
  Value ints = conv.unavailable(c.column(1016));
  ASSERT_EQ(ints.fields.size(), std::string("__debezium_unavailable_value").size());
  EXPECT_EQ(ints.fields[0], Value::integer('_'));
  EXPECT_EQ(ints.fields[2], Value::integer('d'));

  PgConverterOptions custom = with_binary(BinaryHandling::kBase64);
  custom.unavailable_placeholder = "~toast~";
  Converter b64(custom);
  // bytea in a string mode gets the placeholder text itself, as Debezium does.
  EXPECT_EQ(b64.get().unavailable(b64.column(oid::kBytea)), Value::string("~toast~"));
  EXPECT_EQ(b64.get().unavailable(b64.column(oid::kVarchar)), Value::string("~toast~"));
}

// ---- values: dates and times -------------------------------------------------------------------

TEST(PgValueConverterValues, Dates) {
  Converter c;
  EXPECT_EQ(c.value(oid::kDate, "2024-02-29"), Value::integer(19782));
  EXPECT_EQ(c.value(oid::kDate, "1970-01-01"), Value::integer(0));
  EXPECT_EQ(c.value(oid::kDate, "1969-12-31"), Value::integer(-1));
  EXPECT_EQ(c.value(oid::kDate, "1900-01-01"), Value::integer(-25567));
  EXPECT_EQ(Converter(with_time(TimePrecision::kConnect)).value(oid::kDate, "2024-02-29"),
            Value::integer(19782));
}

TEST(PgValueConverterValues, DatesBeforeChrist) {
  Converter c;
  // Year n BC is the proleptic Gregorian year 1 - n.
  EXPECT_EQ(c.value(oid::kDate, "0001-01-01 BC"), Value::integer(-719528));
  EXPECT_EQ(c.value(oid::kDate, "0044-03-15 BC"), Value::integer(-735160));
  EXPECT_EQ(c.value(oid::kDate, "4714-11-24 BC"), Value::integer(-2440588));  // Julian day 0
}

// 5 BC and 1 BC are leap years (proleptic years -4 and 0): PostgreSQL accepts and prints
// '0005-02-29 BC'. Parsing the printed year 5 (not a leap year) first turns Feb 29 into Mar 1.
TEST(PgValueConverterValues, LeapDayBeforeChrist) {
  Converter c;
  EXPECT_EQ(c.value(oid::kDate, "0005-02-29 BC"), Value::integer(-720930));
  EXPECT_EQ(c.value(oid::kDate, "0001-02-29 BC"), Value::integer(-719469));
  EXPECT_EQ(c.value(oid::kTimestamp, "0001-02-29 00:00:00 BC"),
            Value::integer(-719469LL * 86'400'000'000LL));
}

TEST(PgValueConverterValues, TimeUnderEachMode) {
  struct Case {
    TimePrecision mode;
    int32_t typmod;
    const char* text;
    int64_t expected;
  };
  const Case cases[] = {
      {TimePrecision::kAdaptive, 3, "13:45:06.123", 49'506'123},
      {TimePrecision::kAdaptive, 6, "13:45:06.123456", 49'506'123'456},
      {TimePrecision::kAdaptive, -1, "13:45:06", 49'506'000'000},
      {TimePrecision::kAdaptive, -1, "00:00:00", 0},
      {TimePrecision::kAdaptive, -1, "24:00:00", 86'400'000'000},
      {TimePrecision::kAdaptiveTimeMicroseconds, 3, "13:45:06.123", 49'506'123'000},
      {TimePrecision::kConnect, 3, "13:45:06.123", 49'506'123},
      {TimePrecision::kConnect, 6, "13:45:06.123456", 49'506'123},  // truncated to ms
      {TimePrecision::kMicroseconds, 3, "13:45:06.123", 49'506'123'000},
      {TimePrecision::kMicroseconds, 6, "13:45:06.123456", 49'506'123'456},
      {TimePrecision::kMicroseconds, -1, "23:59:59.999999", 86'399'999'999},
  };
  for (const auto& cs : cases) {
    SCOPED_TRACE(
        fmt::format("mode {} typmod {} {}", static_cast<int>(cs.mode), cs.typmod, cs.text));
    EXPECT_EQ(Converter(with_time(cs.mode)).value(oid::kTime, cs.typmod, cs.text),
              Value::integer(cs.expected));
  }
}

TEST(PgValueConverterValues, TimestampMillisAndMicros) {
  Converter adaptive;
  const int64_t micros = 1'709'214'306'500'000;  // 2024-02-29 13:45:06.5
  EXPECT_EQ(adaptive.value(oid::kTimestamp, -1, "2024-02-29 13:45:06.5"), Value::integer(micros));
  EXPECT_EQ(adaptive.value(oid::kTimestamp, 3, "2024-02-29 13:45:06.5"),
            Value::integer(micros / 1000));
  EXPECT_EQ(adaptive.value(oid::kTimestamp, -1, "1970-01-01 00:00:00"), Value::integer(0));
  EXPECT_EQ(Converter(with_time(TimePrecision::kConnect))
                .value(oid::kTimestamp, -1, "2024-02-29 13:45:06.123456"),
            Value::integer(1'709'214'306'123));
  EXPECT_EQ(Converter(with_time(TimePrecision::kMicroseconds))
                .value(oid::kTimestamp, 3, "2024-02-29 13:45:06.123"),
            Value::integer(1'709'214'306'123'000));
}

TEST(PgValueConverterValues, TimestampBefore1970RoundsDown) {
  Converter c;
  EXPECT_EQ(c.value(oid::kTimestamp, -1, "1969-12-31 23:59:59.9995"), Value::integer(-500));
  EXPECT_EQ(c.value(oid::kTimestamp, 3, "1969-12-31 23:59:59.9995"), Value::integer(-1));
  EXPECT_EQ(c.value(oid::kTimestamp, 3, "1969-12-31 23:59:59.999"), Value::integer(-1));
  EXPECT_EQ(c.value(oid::kTimestamp, 3, "1969-12-31 23:59:59"), Value::integer(-1000));
  EXPECT_EQ(c.value(oid::kTimestamp, 3, "1969-12-31 23:59:58.0001"), Value::integer(-2000));
  EXPECT_EQ(c.value(oid::kTimestamp, 3, "1900-01-01 00:00:00.5"),
            Value::integer(-25567LL * 86'400'000 + 500));
  EXPECT_EQ(c.value(oid::kTimestamp, -1, "0044-03-15 12:00:00 BC"),
            Value::integer(-735160LL * 86'400'000'000 + 43'200'000'000));
}

// Debezium reads timestamp 'infinity' / '-infinity' as pgjdbc's sentinel instants and writes
// them in the column's unit: microseconds for MicroTimestamp, milliseconds for Timestamp.
TEST(PgValueConverterValues, TimestampInfinitySentinels) {
  struct Case {
    TimePrecision mode;
    int32_t typmod;
    int64_t positive, negative;
  };
  for (const Case& cs : {
           Case{TimePrecision::kAdaptive, -1, 9223372036825200000LL, -9223372036832400000LL},
           Case{TimePrecision::kAdaptive, 6, 9223372036825200000LL, -9223372036832400000LL},
           Case{TimePrecision::kAdaptive, 3, 9223372036825200LL, -9223372036832400LL},
           Case{TimePrecision::kAdaptiveTimeMicroseconds, 3, 9223372036825200LL,
                -9223372036832400LL},
           Case{TimePrecision::kConnect, -1, 9223372036825200LL, -9223372036832400LL},
           Case{TimePrecision::kConnect, 3, 9223372036825200LL, -9223372036832400LL},
           Case{TimePrecision::kMicroseconds, -1, 9223372036825200000LL, -9223372036832400000LL},
           Case{TimePrecision::kMicroseconds, 3, 9223372036825200000LL, -9223372036832400000LL},
       }) {
    Converter c(with_time(cs.mode));
    SCOPED_TRACE(fmt::format("mode {} typmod {}", static_cast<int>(cs.mode), cs.typmod));
    EXPECT_EQ(c.value(oid::kTimestamp, cs.typmod, "infinity"), Value::integer(cs.positive));
    EXPECT_EQ(c.value(oid::kTimestamp, cs.typmod, "-infinity"), Value::integer(cs.negative));
  }
}

// Debezium maps date 'infinity' to the date -5877611-06-21 and '-infinity' to -5877611-06-22
// (PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE) and emits their epoch days, in
// every time.precision.mode that writes a Date.
TEST(PgValueConverterValues, DateInfinityIsDebeziumsFixedDates) {
  for (auto mode : {TimePrecision::kAdaptive, TimePrecision::kAdaptiveTimeMicroseconds,
                    TimePrecision::kConnect, TimePrecision::kMicroseconds}) {
    Converter c(with_time(mode));
    SCOPED_TRACE(static_cast<int>(mode));
    EXPECT_EQ(c.value(oid::kDate, "infinity"), Value::integer(-2147472693));
    EXPECT_EQ(c.value(oid::kDate, "-infinity"), Value::integer(-2147472692));
  }
}

// timestamptz keeps the words: io.debezium.time.ZonedTimestamp "infinity" / "-infinity".
TEST(PgValueConverterValues, ZonedTimestampInfinityIsText) {
  Converter c;
  EXPECT_EQ(c.value(oid::kTimestamptz, "infinity"), Value::string("infinity"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "-infinity"), Value::string("-infinity"));
}

TEST(PgValueConverterValues, ZonedTimestampIsUtcWithSixFractionDigits) {
  Converter c;
  EXPECT_EQ(c.value(oid::kTimestamptz, "2024-02-29 13:45:06.123456+05:30"),
            Value::string("2024-02-29T08:15:06.123456Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "2024-02-29 22:45:06-03"),
            Value::string("2024-03-01T01:45:06.000000Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "2024-02-29 08:15:06.5+00"),
            Value::string("2024-02-29T08:15:06.500000Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "1970-01-01 00:30:00+00:53:28"),
            Value::string("1969-12-31T23:36:32.000000Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "1969-12-31 23:59:59.999999+00"),
            Value::string("1969-12-31T23:59:59.999999Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "infinity"), Value::string("infinity"));
  EXPECT_EQ(c.value(oid::kTimestamptz, "-infinity"), Value::string("-infinity"));
}

TEST(PgValueConverterValues, FormatZonedTimestamp) {
  EXPECT_EQ(format_zoned_timestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_zoned_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_zoned_timestamp(1'709'214'306'500'000), "2024-02-29T13:45:06.500000Z");
  EXPECT_EQ(format_zoned_timestamp(-62'135'596'800'000'000), "0001-01-01T00:00:00.000000Z");
}

// spec/debezium-compat.md §2.6: ZonedTimestamp has as many fraction digits as the column's
// precision when it is known (Debezium >= 2.2 passes the column scale, e.g. 3 for
// timestamptz(3), to ZonedTimestamp.toIsoString).
// Debezium's PostgreSQL connector prints timestamptz with six fraction digits whatever the
// column's precision (observed on real Debezium output; shared/README.md "Traps already found").
TEST(PgValueConverterValues, ZonedTimestampAlwaysHasSixFractionDigitsForPostgres) {
  Converter c;
  EXPECT_EQ(c.value(oid::kTimestamptz, 3, "2024-02-29 13:45:06.123+05:30"),
            Value::string("2024-02-29T08:15:06.123000Z"));
  EXPECT_EQ(c.value(oid::kTimestamptz, 0, "2024-02-29 13:45:06+00"),
            Value::string("2024-02-29T13:45:06.000000Z"));
}

// PostgreSQL's timestamps reach 294276-12-31, about 9.2234e18 microseconds after 2000-01-01;
// counted from 1970 the last 29 years of that range do not fit in int64. The conversion must give
// an error (or a correct value), never overflow: signed overflow is undefined behaviour, and a
// wrapped result is a negative timestamp. Run in a child process, so a sanitizer abort fails only
// this test.
TEST(PgValueConverterValuesDeathTest, TimestampNearPostgresMaximumDoesNotOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (const char* text : {"294276-12-31 23:59:59", "294250-01-01 00:00:00"}) {
    EXPECT_EXIT(
        {
          Converter c;
          auto ts = c.result(oid::kTimestamp, -1, text);
          auto tz = c.result(oid::kTimestamptz, -1, std::string(text) + "+00");
          if (ts && ts->i < 0) std::_Exit(2);
          if (tz && tz->s.rfind("2942", 0) != 0) std::_Exit(3);
          std::_Exit(0);
        },
        ::testing::ExitedWithCode(0), "")
        << text;
  }
}

// ---- malformed text ----------------------------------------------------------------------------

TEST(PgValueConverterValues, MalformedTextIsAnError) {
  Converter c;
  struct Case {
    uint32_t oid;
    int32_t typmod;
    const char* text;
  };
  const Case cases[] = {
      {oid::kBool, -1, "true"},
      {oid::kBool, -1, ""},
      {oid::kInt4, -1, "12a"},
      {oid::kInt4, -1, ""},
      {oid::kInt4, -1, "1.5"},
      {oid::kInt8, -1, "99999999999999999999"},
      {oid::kFloat8, -1, "abc"},
      {oid::kFloat8, -1, "1.5x"},
      {oid::kNumeric, numeric_typmod(10, 2), "1.2.3"},
      {oid::kNumeric, numeric_typmod(10, 2), "abc"},
      {oid::kNumeric, -1, ""},
      {oid::kNumeric, -1, "1e"},
      {oid::kBytea, -1, "00ff"},
      {oid::kBytea, -1, "\\x0"},
      {oid::kBytea, -1, "\\x0g"},
      {oid::kBytea, -1, "\\000"},
      {oid::kDate, -1, "2024-13-01"},
      {oid::kDate, -1, "2024/02/29"},
      {oid::kDate, -1, "29/02/2024"},
      {oid::kDate, -1, "2024-02-29 AD"},
      {oid::kTime, -1, "25:00:00"},
      {oid::kTime, -1, "13:45"},
      {oid::kTime, -1, "13:60:00"},
      {oid::kTime, 3, "13:45:06+02"},
      {oid::kTimestamp, -1, "2024-02-29T13:45:06"},
      {oid::kTimestamp, -1, "2024-02-29"},
      {oid::kTimestamp, -1, "2024-02-29 13:45:06+00"},  // a zone on a timestamp without one
      {oid::kTimestamptz, -1, "2024-02-29 13:45:06 UTC"},
      {oid::kTimestamptz, -1, "2024-02-29 13:45:06+5"},
      {oid::kTimestamptz, -1, "Thu 29 Feb 13:45:06.5 2024"},
  };
  for (const auto& cs : cases) {
    auto r = c.result(cs.oid, cs.typmod, cs.text);
    ASSERT_FALSE(r) << "OID " << cs.oid << " '" << cs.text << "' converted";
    EXPECT_EQ(r.error().kind, ErrorKind::kFatal);
    EXPECT_NE(r.error().message.find("column 'c'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("cannot convert"), std::string::npos) << r.error().message;
  }
}

// strtod consumes nothing of an empty string, and the end-of-input check then passes: the empty
// text becomes 0.0 instead of an error.
TEST(PgValueConverterValues, EmptyFloatTextIsAnError) {
  Converter c;
  EXPECT_FALSE(c.result(oid::kFloat4, -1, "")) << "float4 '' converted";
  EXPECT_FALSE(c.result(oid::kFloat8, -1, "")) << "float8 '' converted";
  Converter dbl(with_decimal(DecimalHandling::kDouble));
  EXPECT_FALSE(dbl.result(oid::kNumeric, -1, "")) << "numeric '' converted in double mode";
}

TEST(PgValueConverterValues, ErrorQuotesAtMost64CharactersOfTheValue) {
  Converter c;
  auto r = c.result(oid::kInt4, -1, std::string(1000, '9') + "x");
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message.size(), 200u) << r.error().message;
}

// ---- the temporal parsers directly -------------------------------------------------------------

TEST(PgTemporal, ParsesDatesTimesAndTimestamps) {
  auto d = parse_pg_date("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->days, 19782);
  EXPECT_EQ(d->infinity, 0);
  EXPECT_EQ(parse_pg_date("infinity")->infinity, 1);
  EXPECT_EQ(parse_pg_date("-infinity")->infinity, -1);
  EXPECT_EQ(parse_pg_date("5874897-12-31")->days, 2'145'042'905);  // PostgreSQL's last date
  EXPECT_FALSE(parse_pg_date(""));

  EXPECT_EQ(parse_pg_time("13:45:06.1234567"), 49'506'123'456)
      << "digits beyond microseconds are dropped";

  auto ts = parse_pg_timestamp("2024-02-29 13:45:06.5", false);
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->micros, 1'709'214'306'500'000);
  auto tz = parse_pg_timestamp("2024-02-29 13:45:06.5+05:30", true);
  ASSERT_TRUE(tz);
  EXPECT_EQ(tz->micros, 1'709'214'306'500'000 - 19'800'000'000LL);
  EXPECT_EQ(parse_pg_timestamp("infinity", true)->infinity, 1);
}

// ---- types beyond the fixed built-ins (issue 3) --------------------------------------------
// Expectations follow Debezium's PostgresValueConverter (schemaBuilder / converter and the
// convert* methods named per test) and spec/debezium-compat.md §2.6-2.7.

// A catalog as PostgresSource reads it from pg_type / pg_enum.
struct FakeCatalog {
  std::map<uint32_t, PgTypeInfo> types;
  PgTypeLookup lookup() const {
    return [this](uint32_t oid) -> const PgTypeInfo* {
      auto it = types.find(oid);
      return it == types.end() ? nullptr : &it->second;
    };
  }
  void add(PgTypeInfo t) { types[t.oid] = std::move(t); }
};

PgTypeInfo type_info(uint32_t oid, std::string name, char kind, char category = 'U',
                     uint32_t element = 0, uint32_t base = 0,
                     std::vector<std::string> labels = {}) {
  PgTypeInfo t;
  t.oid = oid;
  t.name = std::move(name);
  t.kind = kind;
  t.category = category;
  t.element = element;
  t.base = base;
  t.enum_labels = std::move(labels);
  return t;
}

Value convert_or_fail(const PgValueConverter& conv, const PgValueConverter::Column& c,
                      std::string_view text) {
  auto v = conv.convert(c, text);
  if (!v) {
    ADD_FAILURE() << "converting '" << text << "': " << v.error().message;
    return Value::string("<error>");
  }
  return *v;
}

PgConverterOptions with_interval(IntervalHandling i) {
  PgConverterOptions o;
  o.interval = i;
  return o;
}

// MicroDuration.durationMicros: months count 365.25/12 days (IntervalStyle=iso_8601 text).
TEST(PgValueConverterValues, IntervalAsMicroDuration) {
  Converter c;
  expect_field(c.column(oid::kInterval).field, ConnectType::kInt64,
               "io.debezium.time.MicroDuration", 1);
  EXPECT_EQ(c.value(oid::kInterval, "P1Y2M3DT4H5M6S"), Value::integer(37'091'106'000'000));
  EXPECT_EQ(c.value(oid::kInterval, "PT0S"), Value::integer(0));
  EXPECT_EQ(c.value(oid::kInterval, "PT0.5S"), Value::integer(500'000));
  EXPECT_EQ(c.value(oid::kInterval, "P-1DT-1S"), Value::integer(-86'401'000'000));
  EXPECT_EQ(c.value(oid::kInterval, "P1M"), Value::integer(2'629'800'000'000));  // 30.4375 days
}

// Interval.toIsoString: every component printed, seconds stripped of trailing zeros.
TEST(PgValueConverterValues, IntervalAsIsoString) {
  Converter c(with_interval(IntervalHandling::kString));
  expect_field(c.column(oid::kInterval).field, ConnectType::kString, "io.debezium.time.Interval",
               1);
  EXPECT_EQ(c.value(oid::kInterval, "P1Y2M3DT4H5M6.78S"), Value::string("P1Y2M3DT4H5M6.78S"));
  EXPECT_EQ(c.value(oid::kInterval, "PT0S"), Value::string("P0Y0M0DT0H0M0S"));
  EXPECT_EQ(c.value(oid::kInterval, "P-1DT-1S"), Value::string("P0Y0M-1DT0H0M-1S"));
  EXPECT_EQ(c.value(oid::kInterval, "PT-0.5S"), Value::string("P0Y0M0DT0H0M-0.5S"));
  EXPECT_EQ(c.value(oid::kInterval, "PT1.000001S"), Value::string("P0Y0M0DT0H0M1.000001S"));
}

// convertMoney: pgjdbc's PGmoney reads the text as a double; precise mode makes it a Decimal
// of scale money.fraction.digits (HALF_UP), string mode prints the double as Java does.
TEST(PgValueConverterValues, MoneyInEveryDecimalMode) {
  Converter precise;
  expect_field(precise.column(oid::kMoney).field, ConnectType::kBytes,
               "org.apache.kafka.connect.data.Decimal", 1, {{"scale", "2"}});
  EXPECT_EQ(precise.value(oid::kMoney, "$1,234.56"), Value::bytes(bytes({0x01, 0xE2, 0x40})));
  EXPECT_EQ(precise.value(oid::kMoney, "-$1,234.56"), Value::bytes(bytes({0xFE, 0x1D, 0xC0})));
  PgConverterOptions three;
  three.money_fraction_digits = 3;
  Converter scaled(three);
  expect_field(scaled.column(oid::kMoney).field, ConnectType::kBytes,
               "org.apache.kafka.connect.data.Decimal", 1, {{"scale", "3"}});
  EXPECT_EQ(scaled.value(oid::kMoney, "$1,234.56"), Value::bytes(bytes({0x12, 0xD6, 0x80})));
  Converter dbl(with_decimal(DecimalHandling::kDouble));
  EXPECT_EQ(dbl.value(oid::kMoney, "$1,234.56"), Value::float64(1234.56));
  Converter str(with_decimal(DecimalHandling::kString));
  EXPECT_EQ(str.value(oid::kMoney, "$1,234.56"), Value::string("1234.56"));
  EXPECT_EQ(str.value(oid::kMoney, "$10,000,000.00"), Value::string("1.0E7"));
}

// convertBits: the text's last character is bit 0; little-endian bytes, as few as the highest
// set bit needs. bit(1) is a boolean.
TEST(PgValueConverterValues, BitsAndBit1) {
  Converter c;
  expect_field(c.column(oid::kBit, 1).field, ConnectType::kBoolean, "", 0);
  EXPECT_EQ(c.value(oid::kBit, 1, "1"), Value::boolean(true));
  EXPECT_EQ(c.value(oid::kBit, 1, "0"), Value::boolean(false));
  expect_field(c.column(oid::kBit, 4).field, ConnectType::kBytes, "io.debezium.data.Bits", 1,
               {{"length", "4"}});
  EXPECT_EQ(c.value(oid::kBit, 4, "1010"), Value::bytes(bytes({0x0A})));
  EXPECT_EQ(c.value(oid::kBit, 4, "0000"), Value::bytes(""));
  expect_field(c.column(oid::kVarbit, 16).field, ConnectType::kBytes, "io.debezium.data.Bits", 1,
               {{"length", "16"}});
  EXPECT_EQ(c.value(oid::kVarbit, 16, "100000000"), Value::bytes(bytes({0x00, 0x01})));
}

// Point.createValue: x, y, the OGC WKB of the point, no SRID.
TEST(PgValueConverterValues, PointStruct) {
  Converter c;
  const auto col = c.column(oid::kPoint);
  EXPECT_EQ(col.field.logical_name, "io.debezium.data.geometry.Point");
  EXPECT_EQ(col.field.doc, "Geometry (POINT)");
  ASSERT_EQ(col.field.fields.size(), 4u);
  EXPECT_EQ(col.field.fields[2].name, "wkb");
  EXPECT_TRUE(col.field.fields[2].optional);
  EXPECT_FALSE(col.field.fields[0].optional);
  std::string wkb =
      bytes({0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0});
  EXPECT_EQ(c.value(oid::kPoint, "(1.5,-2)"),
            Value::structure(
                {Value::float64(1.5), Value::float64(-2), Value::bytes(wkb), Value::null()}));
}

// ZonedTime: moved to UTC, ISO_OFFSET_TIME (no fraction when zero, no trailing zeros).
TEST(PgValueConverterValues, TimeWithTimeZone) {
  Converter c;
  expect_field(c.column(oid::kTimetz).field, ConnectType::kString, "io.debezium.time.ZonedTime", 1);
  EXPECT_EQ(c.value(oid::kTimetz, "13:45:06+05:30"), Value::string("08:15:06Z"));
  EXPECT_EQ(c.value(oid::kTimetz, "23:00:00.5-02"), Value::string("01:00:00.5Z"));
  EXPECT_EQ(c.value(oid::kTimetz, "00:30:00.123456+01"), Value::string("23:30:00.123456Z"));
}

TEST(PgValueConverterValues, NetworkAndRangeTypesAreStrings) {
  Converter c;
  for (uint32_t type :
       {oid::kInet, oid::kCidr, oid::kMacaddr, oid::kMacaddr8, oid::kInt4range, oid::kInt8range,
        oid::kNumrange, oid::kTsrange, oid::kTstzrange, oid::kDaterange}) {
    expect_field(c.column(type).field, ConnectType::kString, "", 0);
  }
  EXPECT_EQ(c.value(oid::kInet, "192.168.0.1/24"), Value::string("192.168.0.1/24"));
  EXPECT_EQ(c.value(oid::kInt4range, "[1,10)"), Value::string("[1,10)"));
}

// Enums carry their labels in `allowed`; domains map as their base type; citext is a string,
// ltree an Ltree, hstore (json mode) a Json string in java.util.HashMap order.
TEST(PgValueConverterValues, CatalogTypes) {
  PgValueConverter conv{PgConverterOptions{}};
  FakeCatalog catalog;
  catalog.add(type_info(16400, "mood", 'e', 'E', 0, 0, {"sad", "ok", "happy"}));
  catalog.add(type_info(16401, "_mood", 'b', 'A', 16400));
  catalog.add(type_info(16402, "posint", 'd', 'N', 0, oid::kInt4));
  catalog.add(type_info(16403, "citext", 'b', 'S'));
  catalog.add(type_info(16404, "ltree", 'b', 'U'));
  catalog.add(type_info(16405, "hstore", 'b', 'U'));
  catalog.add(type_info(16406, "_posint", 'b', 'A', 16402));
  PgTypeLookup types = catalog.lookup();

  auto mood = conv.column("m", 16400, -1, true, &types);
  ASSERT_TRUE(mood);
  expect_field(mood->field, ConnectType::kString, "io.debezium.data.Enum", 1,
               {{"allowed", "sad,ok,happy"}});
  EXPECT_EQ(convert_or_fail(conv, *mood, "ok"), Value::string("ok"));

  auto moods = conv.column("ms", 16401, -1, true, &types);
  ASSERT_TRUE(moods);
  ASSERT_EQ(moods->field.type, ConnectType::kArray);
  EXPECT_FALSE(moods->field.fields.at(0).optional) << "Debezium's enum element is required";
  EXPECT_EQ(convert_or_fail(conv, *moods, "{sad,happy}"),
            Value::array({Value::string("sad"), Value::string("happy")}));

  auto posint = conv.column("p", 16402, -1, false, &types);
  ASSERT_TRUE(posint);
  expect_field(posint->field, ConnectType::kInt32, "", 0);
  EXPECT_FALSE(posint->field.optional);
  EXPECT_EQ(convert_or_fail(conv, *posint, "5"), Value::integer(5));
  EXPECT_FALSE(conv.column("ps", 16406, -1, true, &types)) << "arrays of domains are unknown";

  auto citext = conv.column("c", 16403, -1, true, &types);
  ASSERT_TRUE(citext);
  expect_field(citext->field, ConnectType::kString, "", 0);
  auto ltree = conv.column("l", 16404, -1, true, &types);
  ASSERT_TRUE(ltree);
  expect_field(ltree->field, ConnectType::kString, "io.debezium.data.Ltree", 1);
  EXPECT_EQ(convert_or_fail(conv, *ltree, "Top.Science"), Value::string("Top.Science"));

  auto hstore = conv.column("h", 16405, -1, true, &types);
  ASSERT_TRUE(hstore);
  expect_field(hstore->field, ConnectType::kString, "io.debezium.data.Json", 1);
  EXPECT_EQ(convert_or_fail(conv, *hstore, R"("a"=>"1", "b"=>NULL)"),
            Value::string(R"({"a":"1","b":null})"));
  // PostgreSQL prints "b" before "aa" (shorter first); the HashMap puts "aa" in bucket 0.
  EXPECT_EQ(convert_or_fail(conv, *hstore, R"("b"=>"2", "aa"=>"q\"x")"),
            Value::string(R"({"aa":"q\"x","b":"2"})"));
  EXPECT_EQ(convert_or_fail(conv, *hstore, ""), Value::string("{}"));
}

// hstore.handling.mode=map: Debezium's MAP<string, optional string>, entries in the same
// java.util.HashMap order as json mode; Kafka's JsonConverter writes it as a JSON object.
TEST(PgValueConverterValues, HstoreMapMode) {
  PgConverterOptions o;
  o.hstore = HstoreHandling::kMap;
  PgValueConverter conv{o};
  FakeCatalog catalog;
  catalog.add(type_info(16405, "hstore", 'b', 'U'));
  catalog.add(type_info(16407, "_hstore", 'b', 'A', 16405));
  PgTypeLookup types = catalog.lookup();
  auto hstore = conv.column("h", 16405, -1, true, &types);
  ASSERT_TRUE(hstore);
  EXPECT_EQ(hstore->field.type, ConnectType::kMap);
  EXPECT_EQ(convert_or_fail(conv, *hstore, R"("b"=>"2", "aa"=>"q\"x", "n"=>NULL)"),
            Value::map({Value::string("aa"), Value::string("q\"x"), Value::string("b"),
                        Value::string("2"), Value::string("n"), Value::null()}));
  EXPECT_EQ(convert_or_fail(conv, *hstore, ""), Value::map({}));
  EXPECT_EQ(conv.unavailable(*hstore), Value::map({Value::string("__debezium_unavailable_value"),
                                                   Value::string("__debezium_unavailable_value")}));

  format::DebeziumJsonSerializer json(format::JsonFormatOptions{});
  std::string schema;
  format::DebeziumJsonSerializer::append_schema(schema, hstore->field, true);
  EXPECT_EQ(schema, R"({"type":"map","keys":{"type":"string","optional":false},)"
                    R"("values":{"type":"string","optional":true},"optional":true,"field":"h"})");
  std::string value;
  json.append_value(value, hstore->field,
                    convert_or_fail(conv, *hstore, R"("b"=>"2", "aa"=>"q\"x", "n"=>NULL)"));
  EXPECT_EQ(value, R"({"aa":"q\"x","b":"2","n":null})");

  auto array = conv.column("hs", 16407, -1, true, &types);
  ASSERT_TRUE(array);
  std::string array_schema;
  format::DebeziumJsonSerializer::append_schema(array_schema, array->field, true);
  EXPECT_EQ(array_schema,
            R"({"type":"array","items":{"type":"map","keys":{"type":"string","optional":false},)"
            R"("values":{"type":"string","optional":true},"optional":true},"optional":true,)"
            R"("field":"hs"})");
  std::string array_value;
  json.append_value(array_value, array->field,
                    convert_or_fail(conv, *array, R"({"\"a\"=>\"1\"",NULL})"));
  EXPECT_EQ(array_value, R"([{"a":"1"},null])");
}

// Unchanged TOASTed hstore values: Debezium's placeholder map, as JSON text in json mode.
TEST(PgValueConverterValues, HstoreJsonPlaceholder) {
  PgValueConverter conv{PgConverterOptions{}};
  FakeCatalog catalog;
  catalog.add(type_info(16405, "hstore", 'b', 'U'));
  PgTypeLookup types = catalog.lookup();
  auto hstore = conv.column("h", 16405, -1, true, &types);
  ASSERT_TRUE(hstore);
  EXPECT_EQ(conv.unavailable(*hstore),
            Value::string(R"({"__debezium_unavailable_value":"__debezium_unavailable_value"})"));
}

// include.unknown.datatypes: unknown types become the text's bytes in binary.handling.mode.
TEST(PgValueConverterValues, UnknownTypesWhenIncluded) {
  PgConverterOptions o;
  o.include_unknown_datatypes = true;
  Converter c(o);
  expect_field(c.column(603).field, ConnectType::kBytes, "", 0);
  EXPECT_EQ(c.value(603, "(1,1),(0,0)"), Value::bytes("(1,1),(0,0)"));
  o.binary = BinaryHandling::kHex;
  Converter hex(o);
  expect_field(hex.column(603).field, ConnectType::kString, "", 0);
  EXPECT_EQ(hex.value(603, "ab"), Value::string("6162"));
}

// Arrays: the element type's schema, optional; NULL elements kept.
TEST(PgValueConverterValues, Arrays) {
  Converter c;
  auto ints = c.column(1007);
  ASSERT_EQ(ints.field.type, ConnectType::kArray);
  expect_field(ints.field.fields.at(0), ConnectType::kInt32, "", 0);
  EXPECT_TRUE(ints.field.fields.at(0).optional);
  EXPECT_EQ(c.value(1007, "{1,NULL,3}"),
            Value::array({Value::integer(1), Value::null(), Value::integer(3)}));
  EXPECT_EQ(c.value(1007, "{}"), Value::array({}));
  EXPECT_EQ(c.value(1007, "[0:1]={7,8}"), Value::array({Value::integer(7), Value::integer(8)}));
  EXPECT_EQ(
      c.value(1009, R"({"a b","c,d","",NULL,"NULL","q\"x","back\\slash"})"),
      Value::array({Value::string("a b"), Value::string("c,d"), Value::string(""), Value::null(),
                    Value::string("NULL"), Value::string("q\"x"), Value::string("back\\slash")}));
  auto decimals = c.column(1231, numeric_typmod(10, 2));
  expect_field(decimals.field.fields.at(0), ConnectType::kBytes,
               "org.apache.kafka.connect.data.Decimal", 1,
               {{"scale", "2"}, {"connect.decimal.precision", "10"}});
  EXPECT_EQ(c.value(1231, numeric_typmod(10, 2), "{1.5}"),
            Value::array({Value::bytes(bytes({0x00, 0x96}))}));
  auto dates = c.column(1182);
  expect_field(dates.field.fields.at(0), ConnectType::kInt32, "io.debezium.time.Date", 1);
  EXPECT_EQ(c.value(1182, "{1970-01-02}"), Value::array({Value::integer(1)}));
}

// SpecialValueDecimal.toString prints BigDecimal.toString(): scientific below 1E-6.
TEST(PgValueConverterValues, DecimalStringModePrintsAsBigDecimal) {
  Converter c(with_decimal(DecimalHandling::kString));
  EXPECT_EQ(c.value(oid::kNumeric, "1.50"), Value::string("1.50"));
  EXPECT_EQ(c.value(oid::kNumeric, "-12345678.91"), Value::string("-12345678.91"));
  EXPECT_EQ(c.value(oid::kNumeric, "0.000001"), Value::string("0.000001"));
  EXPECT_EQ(c.value(oid::kNumeric, "0.0000001"), Value::string("1E-7"));
  EXPECT_EQ(c.value(oid::kNumeric, "0.00000000000000000000000000012"), Value::string("1.2E-28"));
  EXPECT_EQ(c.value(oid::kNumeric, "-0.000000123"), Value::string("-1.23E-7"));
  EXPECT_EQ(c.value(oid::kNumeric, "0.00000000"), Value::string("0E-8"));
  EXPECT_EQ(c.value(oid::kNumeric, "0.00"), Value::string("0.00"));
  EXPECT_EQ(c.value(oid::kNumeric, "100"), Value::string("100"));
  EXPECT_FALSE(c.result(oid::kNumeric, -1, "12x").has_value());
}

// PostgresDefaultValueConverter: literals converted like values, generated values (function
// calls, CURRENT_DATE ...) as the type's placeholder, no default for NULL, unsupported types,
// VariableScaleDecimal (a Struct) or domains.
TEST(PgValueConverterValues, ColumnDefaults) {
  Converter c;
  const PgValueConverter& conv = c.get();
  auto def = [&](uint32_t type, int32_t typmod, std::string_view expr) {
    return conv.default_value(c.column(type, typmod), expr);
  };
  EXPECT_EQ(def(oid::kInt4, -1, "42"), Value::integer(42));
  EXPECT_EQ(def(oid::kInt4, -1, "'-1'::integer"), Value::integer(-1));
  EXPECT_EQ(def(oid::kInt4, -1, "nextval('t_id_seq'::regclass)"), Value::integer(0));
  EXPECT_EQ(def(oid::kInt8, -1, "'9223372036854775807'::bigint"),
            Value::integer(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(def(oid::kInt2, -1, "NULL::smallint"), std::nullopt);
  EXPECT_EQ(def(oid::kNumeric, numeric_typmod(5, 1), "2.5"), Value::bytes(bytes({0x19})));
  EXPECT_EQ(def(oid::kNumeric, -1, "2.5"), std::nullopt);
  EXPECT_EQ(def(oid::kBool, -1, "true"), Value::boolean(true));
  EXPECT_EQ(def(oid::kBool, -1, "false"), Value::boolean(false));
  EXPECT_EQ(def(oid::kText, -1, "'x y'::text"), Value::string("x y"));
  EXPECT_EQ(def(oid::kVarchar, 9, "'abc'::character varying"), Value::string("abc"));
  EXPECT_EQ(def(oid::kText, -1, "upper('a'::text)"), Value::string(""));
  EXPECT_EQ(def(oid::kJsonb, -1, "'{}'::jsonb"), Value::string("{}"));
  EXPECT_EQ(def(oid::kUuid, -1, "gen_random_uuid()"),
            Value::string("00000000-0000-0000-0000-000000000000"));
  EXPECT_EQ(def(oid::kDate, -1, "CURRENT_DATE"), Value::integer(0));
  EXPECT_EQ(def(oid::kDate, -1, "'2024-02-29'::date"), Value::integer(19782));
  EXPECT_EQ(def(oid::kInt4, -1, "'x'::integer"), std::nullopt) << "unparsable: no default";
  EXPECT_EQ(def(oid::kMoney, -1, "'1.00'::money"), std::nullopt) << "no mapper for money";
  // Generated temporal values are the epoch (timestampUtils of the "1970-01-01" placeholder).
  EXPECT_EQ(def(oid::kTimestamptz, -1, "now()"), Value::string("1970-01-01T00:00:00.000000Z"));
  EXPECT_EQ(def(oid::kTimestamptz, -1, "CURRENT_TIMESTAMP"),
            Value::string("1970-01-01T00:00:00.000000Z"));
  EXPECT_EQ(def(oid::kTimestamptz, -1, "'2024-02-29 13:45:06+00'::timestamp with time zone"),
            Value::string("2024-02-29T13:45:06.000000Z"));
  EXPECT_EQ(def(oid::kTimestamp, -1, "now()"), Value::integer(0));
  EXPECT_EQ(def(oid::kTimestamp, 3, "'1970-01-01 00:00:01'::timestamp without time zone"),
            Value::integer(1000));
  EXPECT_EQ(def(oid::kTime, -1, "LOCALTIME"), Value::integer(0));
  EXPECT_EQ(def(oid::kTime, -1, "'00:00:01'::time without time zone"), Value::integer(1'000'000));
  EXPECT_EQ(def(oid::kInterval, -1, "'P1D'::interval"), Value::integer(86'400'000'000));
  EXPECT_EQ(def(oid::kInterval, -1, "make_interval(1)"), std::nullopt);
  EXPECT_EQ(def(oid::kTimetz, -1, "'13:45:06+00'::time with time zone"), std::nullopt)
      << "no mapper for timetz";

  FakeCatalog catalog;
  catalog.add(type_info(16400, "mood", 'e', 'E', 0, 0, {"sad", "ok"}));
  catalog.add(type_info(16402, "posint", 'd', 'N', 0, oid::kInt4));
  PgTypeLookup types = catalog.lookup();
  auto mood = conv.column("m", 16400, -1, true, &types);
  ASSERT_TRUE(mood);
  EXPECT_EQ(conv.default_value(*mood, "'ok'::mood"), Value::string("ok"));
  EXPECT_EQ(conv.default_value(*mood, "'ok'::other"), std::nullopt);
  auto posint = conv.column("p", 16402, -1, true, &types);
  ASSERT_TRUE(posint);
  EXPECT_EQ(conv.default_value(*posint, "5"), std::nullopt);
}

TEST(PgValueConverterValues, MalformedTextIsAnErrorNamingTheColumn) {
  Converter c;
  PgConverterOptions s;
  s.interval = IntervalHandling::kString;
  Converter strings(s);
  const std::vector<std::pair<uint32_t, std::string>> cases = {{oid::kInterval, "1 day"},
                                                               {oid::kInterval, "P"},
                                                               {oid::kInterval, "PT1.5H"},
                                                               {oid::kInterval, "P1X"},
                                                               {oid::kMoney, "abc"},
                                                               {oid::kMoney, ""},
                                                               {oid::kPoint, "(1,2"},
                                                               {oid::kPoint, "(a,b)"},
                                                               {oid::kTimetz, "13:45:06"},
                                                               {oid::kTimetz, "13:45+x"},
                                                               {1007, "{1,2"},
                                                               {1007, "{{1,2},{3,4}}"},
                                                               {1007, "{1,x}"},
                                                               {1009, R"({"unterminated)"},
                                                               {1007, "{,}"}};
  for (const auto& [type, text] : cases) {
    auto r = c.result(type, -1, text);
    EXPECT_FALSE(r.has_value()) << type << " '" << text << "'";
    if (!r) {
      EXPECT_NE(r.error().message.find("column 'c'"), std::string::npos) << r.error().message;
    }
  }
  EXPECT_FALSE(strings.result(oid::kInterval, -1, "garbage").has_value());
  for (const char* bits : {"102", "", "x"}) {
    EXPECT_FALSE(c.result(oid::kBit, 1, bits).has_value()) << bits;
  }
  EXPECT_FALSE(c.result(oid::kVarbit, 8, "10a").has_value());
  EXPECT_FALSE(parse_pg_hstore(R"("a"=>)").has_value());
  EXPECT_FALSE(parse_pg_hstore(R"("a" "b")").has_value());
  EXPECT_FALSE(parse_pg_hstore(R"(a=>"b")").has_value());
}

}  // namespace
}  // namespace siphon::source::postgres
