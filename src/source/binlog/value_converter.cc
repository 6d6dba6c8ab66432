#include "source/binlog/value_converter.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/civil_time.h"
#include "core/decimal.h"
#include "source/binlog/mysql_json.h"

namespace siphon::source::binlog {
namespace {

using schema::ConnectType;
using schema::FieldSchema;

std::string column_label(const ColumnDescriptor& c) {
  return c.name.empty() ? std::string("(unnamed)") : c.name;
}

tl::unexpected<Error> fail(const ColumnDescriptor& c, const std::string& why) {
  return tl::unexpected(Error{ErrorKind::kFatal, "column " + column_label(c) + ": " + why});
}

FieldSchema make(ConnectType type, bool optional) {
  return schema::field("", type, optional);
}

std::string join(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i];
  }
  return out;
}

bool is_binary(const ColumnDescriptor& c) {
  return c.collation && *c.collation == 63;
}

// Debezium's binlog deserializers (RowDeserializers) treat a date with a zero year, month or
// day as MySQL's "zero date": null, which the converter turns into the epoch for a NOT NULL
// column (spec/debezium-compat.md §2.8 "Zero dates"). Any other impossible date fails there.
bool zero_date(const Temporal& t) {
  return t.year == 0 || t.month == 0 || t.day == 0;
}

bool impossible_date(const Temporal& t) {
  if (t.month > 12 || t.day > 31 || t.year > 9999) return true;
  static constexpr uint8_t kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (t.day > kDays[t.month - 1]) return true;
  if (t.month == 2 && t.day == 29) {
    bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
    if (!leap) return true;
  }
  return false;
}

bool impossible_time_of_day(const Temporal& t) {
  return t.hour > 23 || t.minute > 59 || t.second > 59;
}

int64_t epoch_micros(const Temporal& t) {
  int64_t days = days_from_civil(t.year, t.month, t.day);
  return ((days * 24 + t.hour) * 60 + t.minute) * 60 * 1000000 + t.second * int64_t{1000000} +
         t.micros;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// ZonedTimestamp text: ISO-8601 UTC with as many fraction digits as the column declares
// (Debezium 2.2+, spec/debezium-compat.md §2.6).
std::string zoned_timestamp(int64_t seconds, uint32_t micros, uint8_t fsp) {
  int64_t days = floor_div(seconds, 86400);
  int64_t sod = seconds - days * 86400;
  CivilDate d = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(d.year), d.month, d.day, static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out = buf;
  if (fsp > 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, "%06u", micros);
    out += '.';
    out.append(frac, fsp);
  }
  out += 'Z';
  return out;
}

// Kafka Connect Decimal bytes of a plain decimal text.
Result<Value> decimal_value(const ColumnDescriptor& c, const std::string& text, int scale,
                            DecimalHandling mode) {
  switch (mode) {
    case DecimalHandling::kString:
      return Value::string(text);
    case DecimalHandling::kDouble:
      return Value::float64(std::strtod(text.c_str(), nullptr));
    case DecimalHandling::kPrecise: {
      auto parsed = parse_decimal(text);
      if (!parsed) return fail(c, "decimal text '" + text + "' does not parse");
      return Value::bytes(unscaled_bytes(rescale(*parsed, scale)));
    }
  }
  return fail(c, "unknown decimal mode");
}

FieldSchema decimal_schema(int precision, int scale, DecimalHandling mode, bool optional) {
  switch (mode) {
    case DecimalHandling::kString:
      return make(ConnectType::kString, optional);
    case DecimalHandling::kDouble:
      return make(ConnectType::kFloat64, optional);
    case DecimalHandling::kPrecise:
      break;
  }
  FieldSchema f = make(ConnectType::kBytes, optional);
  f.with_logical("org.apache.kafka.connect.data.Decimal")
      .with_parameter("scale", std::to_string(scale))
      .with_parameter("connect.decimal.precision", std::to_string(precision));
  return f;
}

std::string uuid_text(std::string_view b) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[static_cast<uint8_t>(b[i]) >> 4];
    out += hex[static_cast<uint8_t>(b[i]) & 15];
  }
  return out;
}

double le_double(std::string_view b) {
  uint64_t bits = 0;
  for (size_t i = 8; i > 0; --i) bits = (bits << 8) | static_cast<uint8_t>(b[i - 1]);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

std::string base64_encode(std::string_view data, bool url_safe) {
  const char* alphabet = url_safe
                             ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    if (i + 2 < data.size()) n |= static_cast<uint8_t>(data[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    // Java's Base64 encoders, which Debezium uses, pad in both alphabets.
    out += i + 1 < data.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

std::string hex_encode(std::string_view data) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (char ch : data) {
    out += hex[static_cast<uint8_t>(ch) >> 4];
    out += hex[static_cast<uint8_t>(ch) & 15];
  }
  return out;
}

Result<FieldSchema> BinlogValueConverter::schema_for(const ColumnDescriptor& c) const {
  const bool opt = c.nullable;
  auto need_sign = [&]() -> Result<bool> {
    if (!c.is_unsigned) {
      return fail(c, "UNSIGNED is unknown (binlog_row_metadata=FULL or the schema must say)");
    }
    return *c.is_unsigned;
  };
  auto binary_schema = [&]() {
    return make(
        options_.binary == BinaryHandling::kBytes ? ConnectType::kBytes : ConnectType::kString,
        opt);
  };
  switch (c.extended) {
    case ExtendedType::kJson: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.data.Json");
      return f;
    }
    case ExtendedType::kUuid: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.data.Uuid");
      return f;
    }
    case ExtendedType::kInet4:
    case ExtendedType::kInet6:
      return make(ConnectType::kString, opt);
    case ExtendedType::kNone:
      break;
  }
  switch (c.real_type) {
    case kTypeTiny: {
      auto u = need_sign();
      if (!u) return tl::unexpected(u.error());
      // INT16 signed or not: Debezium's MySQL DDL parser types every TINYINT as SMALLINT (so a
      // BOOLEAN, which the server keeps as TINYINT(1), is INT16 too). The sign is still needed
      // for the value.
      return make(ConnectType::kInt16, opt);
    }
    case kTypeShort: {
      auto u = need_sign();
      if (!u) return tl::unexpected(u.error());
      return make(*u ? ConnectType::kInt32 : ConnectType::kInt16, opt);
    }
    case kTypeInt24:
      return make(ConnectType::kInt32, opt);
    case kTypeLong: {
      auto u = need_sign();
      if (!u) return tl::unexpected(u.error());
      return make(*u ? ConnectType::kInt64 : ConnectType::kInt32, opt);
    }
    case kTypeLongLong: {
      auto u = need_sign();
      if (!u) return tl::unexpected(u.error());
      if (*u && options_.bigint_unsigned == BigintUnsignedHandling::kPrecise) {
        return decimal_schema(20, 0, DecimalHandling::kPrecise, opt);
      }
      return make(ConnectType::kInt64, opt);
    }
    case kTypeFloat:
      return make(ConnectType::kFloat32, opt);
    case kTypeDouble:
      return make(ConnectType::kFloat64, opt);
    case kTypeNewDecimal:
      return decimal_schema(c.precision, c.scale, options_.decimal, opt);
    case kTypeYear: {
      FieldSchema f = make(ConnectType::kInt32, opt);
      f.with_logical("io.debezium.time.Year");
      return f;
    }
    case kTypeDate:
    case kTypeNewDate: {
      FieldSchema f = make(ConnectType::kInt32, opt);
      f.with_logical(options_.time == TimePrecision::kConnect ? "org.apache.kafka.connect.data.Date"
                                                              : "io.debezium.time.Date");
      return f;
    }
    case kTypeTime:
    case kTypeTime2: {
      if (options_.time == TimePrecision::kConnect) {
        FieldSchema f = make(ConnectType::kInt32, opt);
        f.with_logical("org.apache.kafka.connect.data.Time");
        return f;
      }
      if (options_.time == TimePrecision::kAdaptive && c.fsp <= 3) {
        FieldSchema f = make(ConnectType::kInt32, opt);
        f.with_logical("io.debezium.time.Time");
        return f;
      }
      FieldSchema f = make(ConnectType::kInt64, opt);
      f.with_logical("io.debezium.time.MicroTime");
      return f;
    }
    case kTypeDateTime:
    case kTypeDateTime2: {
      FieldSchema f = make(ConnectType::kInt64, opt);
      if (options_.time == TimePrecision::kConnect) {
        f.with_logical("org.apache.kafka.connect.data.Timestamp");
      } else {
        f.with_logical(c.fsp <= 3 ? "io.debezium.time.Timestamp"
                                  : "io.debezium.time.MicroTimestamp");
      }
      return f;
    }
    case kTypeTimestamp:
    case kTypeTimestamp2: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.time.ZonedTimestamp");
      return f;
    }
    case kTypeBit: {
      if (c.bits == 1) return make(ConnectType::kBoolean, opt);
      FieldSchema f = make(ConnectType::kBytes, opt);
      f.with_logical("io.debezium.data.Bits").with_parameter("length", std::to_string(c.bits));
      return f;
    }
    case kTypeEnum: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.data.Enum").with_parameter("allowed", join(c.enum_values));
      return f;
    }
    case kTypeSet: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.data.EnumSet").with_parameter("allowed", join(c.set_values));
      return f;
    }
    case kTypeJson: {
      FieldSchema f = make(ConnectType::kString, opt);
      f.with_logical("io.debezium.data.Json");
      return f;
    }
    case kTypeGeometry: {
      FieldSchema f = make(ConnectType::kStruct, opt);
      if (c.geometry_type && *c.geometry_type == 1) {
        f.with_logical("io.debezium.data.geometry.Point");
        f.doc = "Geometry (POINT)";
        f.fields = {schema::field("x", ConnectType::kFloat64, false),
                    schema::field("y", ConnectType::kFloat64, false),
                    schema::field("wkb", ConnectType::kBytes, true),
                    schema::field("srid", ConnectType::kInt32, true)};
      } else {
        f.with_logical("io.debezium.data.geometry.Geometry");
        f.doc = "Geometry";
        f.fields = {schema::field("wkb", ConnectType::kBytes, false),
                    schema::field("srid", ConnectType::kInt32, true)};
      }
      return f;
    }
    case kTypeString:
    case kTypeVarchar:
    case kTypeVarString:
    case kTypeBlob: {
      if (!c.collation) {
        return fail(c, "its charset is unknown (binlog_row_metadata=FULL or the schema must say)");
      }
      if (is_binary(c)) return binary_schema();
      if (!charset_of_collation(*c.collation)) {
        return fail(c, "collation " + std::to_string(*c.collation) +
                           " has a charset Siphon cannot convert");
      }
      return make(ConnectType::kString, opt);
    }
    default:
      return fail(c, "column type " + std::to_string(c.real_type) + " is not supported");
  }
}

Result<Value> BinlogValueConverter::convert(const ColumnDescriptor& c, const ColumnValue& v) const {
  using K = ColumnValue::Kind;
  if (v.kind == K::kNull || v.kind == K::kAbsent) return Value::null();
  auto wrong_kind = [&]() { return fail(c, "raw value does not match the column type"); };
  auto binary_value = [&](std::string bytes) -> Value {
    switch (options_.binary) {
      case BinaryHandling::kBytes:
        return Value::bytes(std::move(bytes));
      case BinaryHandling::kBase64:
        return Value::string(base64_encode(bytes, false));
      case BinaryHandling::kBase64UrlSafe:
        return Value::string(base64_encode(bytes, true));
      case BinaryHandling::kHex:
        return Value::string(hex_encode(bytes));
    }
    return Value::null();
  };
  auto zero_fallback = [&](Value epoch) { return c.nullable ? Value::null() : epoch; };

  if (c.extended != ExtendedType::kNone) {
    if (v.kind != K::kBytes) return wrong_kind();
    switch (c.extended) {
      case ExtendedType::kJson: {
        TextConversion t = to_utf8(v.bytes, Charset::kUtf8mb4, options_.invalid_text);
        if (t.invalid_at) {
          return fail(c, "JSON text is not valid UTF-8 at byte " + std::to_string(*t.invalid_at));
        }
        return Value::string(std::move(t.utf8));
      }
      case ExtendedType::kUuid: {
        std::string b = v.bytes;
        if (b.size() > 16) return fail(c, "UUID value has more than 16 bytes");
        b.resize(16, '\0');  // stored like BINARY(16): trailing zero bytes are cut
        return Value::string(uuid_text(b));
      }
      case ExtendedType::kInet4:
      case ExtendedType::kInet6: {
        const bool v4 = c.extended == ExtendedType::kInet4;
        std::string b = v.bytes;
        if (b.size() > (v4 ? 4u : 16u)) return fail(c, "INET value is too long");
        b.resize(v4 ? 4 : 16, '\0');
        char text[INET6_ADDRSTRLEN];
        if (::inet_ntop(v4 ? AF_INET : AF_INET6, b.data(), text, sizeof text) == nullptr) {
          return fail(c, "INET value does not print");
        }
        return Value::string(text);
      }
      case ExtendedType::kNone:
        break;
    }
  }

  switch (c.real_type) {
    case kTypeTiny:
    case kTypeShort:
    case kTypeInt24:
    case kTypeLong:
    case kTypeLongLong: {
      if (v.kind != K::kInt) return wrong_kind();
      bool is_unsigned = c.is_unsigned.value_or(false);
      if (!is_unsigned) return Value::integer(v.integer);
      uint64_t u = static_cast<uint64_t>(v.integer);
      if (v.width < 8) u &= (uint64_t{1} << (8 * v.width)) - 1;
      if (c.real_type == kTypeLongLong &&
          options_.bigint_unsigned == BigintUnsignedHandling::kPrecise) {
        return decimal_value(c, std::to_string(u), 0, DecimalHandling::kPrecise);
      }
      // long mode: values above 2^63-1 wrap to negative, as Debezium documents.
      return Value::integer(static_cast<int64_t>(u));
    }
    case kTypeFloat:
      if (v.kind != K::kFloat) return wrong_kind();
      return Value::float32(static_cast<float>(v.real));
    case kTypeDouble:
      if (v.kind != K::kDouble) return wrong_kind();
      return Value::float64(v.real);
    case kTypeNewDecimal:
      if (v.kind != K::kDecimal) return wrong_kind();
      return decimal_value(c, v.bytes, c.scale, options_.decimal);
    case kTypeYear:
      if (v.kind != K::kYear) return wrong_kind();
      // Debezium reads the YEAR byte as 1900 + value, so YEAR 0000 (byte 0) becomes 1900.
      return Value::integer(v.integer == 0 ? 1900 : v.integer);
    case kTypeDate:
    case kTypeNewDate: {
      if (v.kind != K::kDate) return wrong_kind();
      if (zero_date(v.temporal)) return zero_fallback(Value::integer(0));
      if (impossible_date(v.temporal)) {
        if (options_.invalid_dates_as_epoch) return Value::integer(0);
        return fail(c, "impossible date " + std::to_string(v.temporal.year) + "-" +
                           std::to_string(v.temporal.month) + "-" + std::to_string(v.temporal.day));
      }
      return Value::integer(days_from_civil(v.temporal.year, v.temporal.month, v.temporal.day));
    }
    case kTypeTime:
    case kTypeTime2: {
      if (v.kind != K::kTime) return wrong_kind();
      const Temporal& t = v.temporal;
      int64_t micros = ((int64_t{t.hour} * 60 + t.minute) * 60 + t.second) * 1000000 + t.micros;
      if (t.negative) micros = -micros;
      if (options_.time == TimePrecision::kConnect ||
          (options_.time == TimePrecision::kAdaptive && c.fsp <= 3)) {
        return Value::integer(micros / 1000);
      }
      return Value::integer(micros);
    }
    case kTypeDateTime:
    case kTypeDateTime2: {
      if (v.kind != K::kDateTime) return wrong_kind();
      if (zero_date(v.temporal)) return zero_fallback(Value::integer(0));
      if (impossible_date(v.temporal) || impossible_time_of_day(v.temporal)) {
        if (options_.invalid_dates_as_epoch) return Value::integer(0);
        return fail(c, "impossible datetime " + std::to_string(v.temporal.year) + "-" +
                           std::to_string(v.temporal.month) + "-" + std::to_string(v.temporal.day));
      }
      int64_t micros = epoch_micros(v.temporal);
      bool millis = options_.time == TimePrecision::kConnect || c.fsp <= 3;
      return Value::integer(millis ? floor_div(micros, 1000) : micros);
    }
    case kTypeTimestamp:
    case kTypeTimestamp2: {
      if (v.kind != K::kTimestamp) return wrong_kind();
      // The zero TIMESTAMP '0000-00-00 00:00:00' is stored as 0 seconds; Debezium's
      // deserializer makes no exception for it and emits the epoch, nullable or not.
      return Value::string(zoned_timestamp(v.integer, v.temporal.micros, c.fsp));
    }
    case kTypeBit: {
      if (v.kind != K::kBit) return wrong_kind();
      uint64_t bits = static_cast<uint64_t>(v.integer);
      if (c.bits == 1) return Value::boolean(bits & 1);
      // io.debezium.data.Bits: little-endian, ceil(n/8) bytes (spec/debezium-compat.md §2.6).
      std::string out((c.bits + 7u) / 8u, '\0');
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
      return Value::bytes(std::move(out));
    }
    case kTypeEnum: {
      if (v.kind != K::kEnum) return wrong_kind();
      if (v.integer == 0) return Value::string("");
      if (static_cast<uint64_t>(v.integer) > c.enum_values.size()) {
        return fail(c, "ENUM index " + std::to_string(v.integer) + " has no label (" +
                           std::to_string(c.enum_values.size()) + " known)");
      }
      return Value::string(c.enum_values[static_cast<size_t>(v.integer - 1)]);
    }
    case kTypeSet: {
      if (v.kind != K::kSet) return wrong_kind();
      uint64_t bits = static_cast<uint64_t>(v.integer);
      std::string out;
      for (size_t i = 0; i < 64 && bits != 0; ++i, bits >>= 1) {
        if (!(bits & 1)) continue;
        if (i >= c.set_values.size()) {
          return fail(c, "SET bit " + std::to_string(i) + " has no label");
        }
        if (!out.empty()) out += ',';
        out += c.set_values[i];
      }
      return Value::string(std::move(out));
    }
    case kTypeJson: {
      if (v.kind == K::kJsonDiff) {
        return fail(c,
                    "a partial JSON update carries a diff, not the document; set "
                    "binlog_row_value_options='' on the server");
      }
      if (v.kind != K::kJsonBinary) return wrong_kind();
      auto text = mysql_json_to_text(v.bytes);
      if (!text) return fail(c, text.error().message);
      return Value::string(std::move(*text));
    }
    case kTypeGeometry: {
      if (v.kind != K::kBytes) return wrong_kind();
      // MySQL's internal geometry: u32 SRID (LE) + WKB.
      if (v.bytes.size() < 4) return fail(c, "geometry value is shorter than its SRID");
      int32_t srid =
          static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint8_t>(v.bytes[0])) |
                               static_cast<uint32_t>(static_cast<uint8_t>(v.bytes[1])) << 8 |
                               static_cast<uint32_t>(static_cast<uint8_t>(v.bytes[2])) << 16 |
                               static_cast<uint32_t>(static_cast<uint8_t>(v.bytes[3])) << 24);
      std::string wkb = v.bytes.substr(4);
      if (c.geometry_type && *c.geometry_type == 1) {
        // WKB point: byte order, u32 type 1, x, y.
        if (wkb.size() != 21 || wkb[0] != 1 || wkb[1] != 1 || wkb[2] != 0 || wkb[3] != 0 ||
            wkb[4] != 0) {
          return fail(c, "POINT value is not a little-endian WKB point");
        }
        double x = le_double(std::string_view(wkb).substr(5, 8));
        double y = le_double(std::string_view(wkb).substr(13, 8));
        return Value::structure(
            {Value::float64(x), Value::float64(y), Value::bytes(wkb), Value::integer(srid)});
      }
      return Value::structure({Value::bytes(std::move(wkb)), Value::integer(srid)});
    }
    case kTypeString:
    case kTypeVarchar:
    case kTypeVarString:
    case kTypeBlob: {
      if (v.kind != K::kBytes) return wrong_kind();
      if (!c.collation) return fail(c, "its charset is unknown");
      if (is_binary(c)) {
        std::string bytes = v.bytes;
        // BINARY(n) loses its trailing zero bytes in the row image (spec/binlog.md §5).
        if (c.real_type == kTypeString && bytes.size() < c.max_length) {
          bytes.resize(c.max_length, '\0');
        }
        return binary_value(std::move(bytes));
      }
      auto charset = charset_of_collation(*c.collation);
      if (!charset) {
        return fail(c, "collation " + std::to_string(*c.collation) +
                           " has a charset Siphon cannot convert");
      }
      TextConversion t = to_utf8(v.bytes, *charset, options_.invalid_text);
      if (t.invalid_at) {
        return fail(c, std::string("bytes invalid in ") + charset_name(*charset) + " at byte " +
                           std::to_string(*t.invalid_at) + " of the value");
      }
      return Value::string(std::move(t.utf8));
    }
    default:
      return fail(c, "column type " + std::to_string(c.real_type) + " is not supported");
  }
}

}  // namespace siphon::source::binlog
