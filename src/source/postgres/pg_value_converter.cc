#include "source/postgres/pg_value_converter.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/civil_time.h"
#include "core/decimal.h"
#include "format/json_writer.h"
#include "source/postgres/pg_temporal.h"

namespace siphon::source::postgres {

using schema::ConnectType;
using schema::FieldSchema;
using Conversion = PgValueConverter::Conversion;

namespace {

// Debezium's sentinel values for timestamp 'infinity' / '-infinity' (spec §2.7).
constexpr int64_t kPositiveInfinityTimestamp = 9223372036825200000LL;
constexpr int64_t kNegativeInfinityTimestamp = -9223372036832400000LL;

// Fractional-second precision from a time/timestamp type modifier (-1 = unspecified = 6).
int temporal_precision(int32_t typmod) {
  return typmod < 0 ? 6 : typmod;
}

tl::unexpected<Error> bad_value(const PgValueConverter::Column& c, std::string_view text) {
  return make_error(ErrorKind::kFatal, "column '{}' ({}): cannot convert value '{}'", c.field.name,
                    c.type_name, text.substr(0, 64));
}

std::string hex_decode(std::string_view hex) {
  auto nibble = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

std::string format_zoned_timestamp(int64_t micros) {
  int64_t days =
      micros >= 0 ? micros / 86'400'000'000LL : -((-micros + 86'399'999'999LL) / 86'400'000'000LL);
  int64_t in_day = micros - days * 86'400'000'000LL;
  CivilDate d = civil_from_days(days);
  int64_t secs = in_day / 1'000'000, frac = in_day % 1'000'000;
  std::string year;
  if (d.year > 9999) {
    year = fmt::format("+{}", d.year);
  } else if (d.year < 0) {
    year = fmt::format("-{:04}", -d.year);
  } else {
    year = fmt::format("{:04}", d.year);
  }
  return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", year, d.month, d.day, secs / 3600,
                     secs / 60 % 60, secs % 60, frac);
}

std::optional<PgValueConverter::Column> PgValueConverter::column(std::string name,
                                                                 uint32_t type_oid, int32_t typmod,
                                                                 bool optional) const {
  Column c;
  c.field.name = std::move(name);
  c.field.optional = optional;
  auto set = [&](ConnectType t, Conversion conv, const char* type_name) {
    c.field.type = t;
    c.conversion = conv;
    c.type_name = type_name;
  };
  switch (type_oid) {
    case oid::kBool:
      set(ConnectType::kBoolean, Conversion::kBool, "bool");
      break;
    case oid::kInt2:
      set(ConnectType::kInt16, Conversion::kInt, "int2");
      break;
    case oid::kInt4:
      set(ConnectType::kInt32, Conversion::kInt, "int4");
      break;
    case oid::kInt8:
      set(ConnectType::kInt64, Conversion::kInt, "int8");
      break;
    case oid::kOid:
      set(ConnectType::kInt64, Conversion::kInt, "oid");
      break;
    case oid::kFloat4:
      set(ConnectType::kFloat32, Conversion::kFloat32, "float4");
      break;
    case oid::kFloat8:
      set(ConnectType::kFloat64, Conversion::kFloat64, "float8");
      break;
    case oid::kNumeric: {
      c.type_name = "numeric";
      bool constrained = typmod >= 4;
      int32_t precision = constrained ? ((typmod - 4) >> 16) & 0xffff : 0;
      int32_t scale = constrained ? (typmod - 4) & 0xffff : 0;
      switch (options_.decimal) {
        case DecimalHandling::kDouble:
          set(ConnectType::kFloat64, Conversion::kDecimalAsDouble, "numeric");
          break;
        case DecimalHandling::kString:
          set(ConnectType::kString, Conversion::kDecimalAsString, "numeric");
          break;
        case DecimalHandling::kPrecise:
          if (constrained) {
            set(ConnectType::kBytes, Conversion::kDecimal, "numeric");
            c.scale = scale;
            c.field.with_logical("org.apache.kafka.connect.data.Decimal", 1);
            c.field.with_parameter("scale", std::to_string(scale));
            c.field.with_parameter("connect.decimal.precision", std::to_string(precision));
          } else {
            set(ConnectType::kStruct, Conversion::kVariableScaleDecimal, "numeric");
            c.field.with_logical("io.debezium.data.VariableScaleDecimal", 1);
            c.field.doc = "Variable scaled decimal";
            c.field.fields.push_back(schema::field("scale", ConnectType::kInt32, false));
            c.field.fields.push_back(schema::field("value", ConnectType::kBytes, false));
          }
          break;
      }
      break;
    }
    case oid::kText:
      set(ConnectType::kString, Conversion::kString, "text");
      break;
    case oid::kVarchar:
      set(ConnectType::kString, Conversion::kString, "varchar");
      break;
    case oid::kBpchar:
      set(ConnectType::kString, Conversion::kString, "bpchar");
      break;
    case oid::kChar:
      set(ConnectType::kString, Conversion::kString, "char");
      break;
    case oid::kName:
      set(ConnectType::kString, Conversion::kString, "name");
      break;
    case oid::kBytea:
      set(options_.binary == BinaryHandling::kBytes ? ConnectType::kBytes : ConnectType::kString,
          Conversion::kBytea, "bytea");
      break;
    case oid::kUuid:
      set(ConnectType::kString, Conversion::kString, "uuid");
      c.field.with_logical("io.debezium.data.Uuid");
      break;
    case oid::kJson:
    case oid::kJsonb:
      set(ConnectType::kString, Conversion::kString, type_oid == oid::kJson ? "json" : "jsonb");
      c.field.with_logical("io.debezium.data.Json");
      break;
    case oid::kXml:
      set(ConnectType::kString, Conversion::kString, "xml");
      c.field.with_logical("io.debezium.data.Xml");
      break;
    case oid::kDate:
      set(ConnectType::kInt32, Conversion::kDate, "date");
      c.field.with_logical(options_.time == TimePrecision::kConnect
                               ? "org.apache.kafka.connect.data.Date"
                               : "io.debezium.time.Date");
      break;
    case oid::kTime: {
      int p = temporal_precision(typmod);
      bool millis = options_.time == TimePrecision::kConnect ||
                    (options_.time == TimePrecision::kAdaptive && p <= 3);
      if (millis) {
        set(ConnectType::kInt32, Conversion::kTimeMillis, "time");
        c.field.with_logical(options_.time == TimePrecision::kConnect
                                 ? "org.apache.kafka.connect.data.Time"
                                 : "io.debezium.time.Time");
      } else {
        set(ConnectType::kInt64, Conversion::kTimeMicros, "time");
        c.field.with_logical("io.debezium.time.MicroTime");
      }
      break;
    }
    case oid::kTimestamp: {
      int p = temporal_precision(typmod);
      bool millis = options_.time == TimePrecision::kConnect ||
                    (options_.time != TimePrecision::kMicroseconds && p <= 3);
      if (millis) {
        set(ConnectType::kInt64, Conversion::kTimestampMillis, "timestamp");
        c.field.with_logical(options_.time == TimePrecision::kConnect
                                 ? "org.apache.kafka.connect.data.Timestamp"
                                 : "io.debezium.time.Timestamp");
      } else {
        set(ConnectType::kInt64, Conversion::kTimestampMicros, "timestamp");
        c.field.with_logical("io.debezium.time.MicroTimestamp");
      }
      break;
    }
    case oid::kTimestamptz:
      set(ConnectType::kString, Conversion::kZonedTimestamp, "timestamptz");
      c.field.with_logical("io.debezium.time.ZonedTimestamp");
      break;
    default:
      return std::nullopt;
  }
  return c;
}

Result<Value> PgValueConverter::convert(const Column& c, std::string_view text) const {
  switch (c.conversion) {
    case Conversion::kBool:
      if (text == "t") return Value::boolean(true);
      if (text == "f") return Value::boolean(false);
      return bad_value(c, text);
    case Conversion::kInt: {
      int64_t v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return bad_value(c, text);
      return Value::integer(v);
    }
    case Conversion::kFloat32:
    case Conversion::kFloat64:
    case Conversion::kDecimalAsDouble: {
      std::string s(text);
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) return bad_value(c, text);
      if (c.conversion == Conversion::kFloat32)
        return Value::float32(std::strtof(s.c_str(), nullptr));
      return Value::float64(v);
    }
    case Conversion::kDecimalAsString:
      // Debezium names the special values after its SpecialValue enum.
      if (text == "NaN") return Value::string("NAN");
      if (text == "Infinity") return Value::string("POSITIVE_INFINITY");
      if (text == "-Infinity") return Value::string("NEGATIVE_INFINITY");
      return Value::string(std::string(text));
    case Conversion::kDecimal:
    case Conversion::kVariableScaleDecimal: {
      auto d = parse_decimal(text);
      if (!d) {
        // NaN and +-Infinity have no Decimal form; Debezium emits null for them in precise mode.
        if (text == "NaN" || text == "Infinity" || text == "-Infinity") return Value::null();
        return bad_value(c, text);
      }
      if (c.conversion == Conversion::kDecimal) {
        return Value::bytes(unscaled_bytes(rescale(*d, c.scale)));
      }
      // Debezium strips trailing zeros of an unconstrained numeric (1.50 has scale 1).
      ParsedDecimal stripped = *d;
      while (stripped.scale > 0 && stripped.digits.size() > 1 && stripped.digits.back() == '0') {
        stripped.digits.pop_back();
        --stripped.scale;
      }
      if (stripped.digits == "0") stripped.scale = 0;
      return Value::structure(
          {Value::integer(stripped.scale), Value::bytes(unscaled_bytes(stripped))});
    }
    case Conversion::kString:
      return Value::string(std::string(text));
    case Conversion::kBytea: {
      if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
        return bad_value(c, text);  // bytea_output=hex is fixed on the connection
      }
      std::string raw = hex_decode(text.substr(2));
      if (raw.size() * 2 != text.size() - 2) return bad_value(c, text);
      switch (options_.binary) {
        case BinaryHandling::kBytes:
          return Value::bytes(std::move(raw));
        case BinaryHandling::kHex:
          return Value::string(hex_encode(raw));
        case BinaryHandling::kBase64:
        case BinaryHandling::kBase64UrlSafe: {
          std::string out;
          format::append_base64(out, raw, options_.binary == BinaryHandling::kBase64UrlSafe);
          return Value::string(std::move(out));
        }
      }
      return bad_value(c, text);
    }
    case Conversion::kDate: {
      auto d = parse_pg_date(text);
      if (!d) return bad_value(c, text);
      if (d->infinity) {
        return Value::integer(d->infinity > 0 ? std::numeric_limits<int32_t>::max()
                                              : std::numeric_limits<int32_t>::min());
      }
      return Value::integer(d->days);
    }
    case Conversion::kTimeMillis:
    case Conversion::kTimeMicros: {
      auto t = parse_pg_time(text);
      if (!t) return bad_value(c, text);
      return Value::integer(c.conversion == Conversion::kTimeMillis ? *t / 1000 : *t);
    }
    case Conversion::kTimestampMillis:
    case Conversion::kTimestampMicros: {
      auto ts = parse_pg_timestamp(text, false);
      if (!ts) return bad_value(c, text);
      if (ts->infinity) {
        return Value::integer(ts->infinity > 0 ? kPositiveInfinityTimestamp
                                               : kNegativeInfinityTimestamp);
      }
      int64_t micros = ts->micros;
      if (c.conversion == Conversion::kTimestampMillis) {
        // Floor division: a pre-1970 instant must not round towards zero.
        int64_t ms = micros / 1000 - (micros % 1000 < 0 ? 1 : 0);
        return Value::integer(ms);
      }
      return Value::integer(micros);
    }
    case Conversion::kZonedTimestamp: {
      auto ts = parse_pg_timestamp(text, true);
      if (!ts) return bad_value(c, text);
      if (ts->infinity) return Value::string(ts->infinity > 0 ? "infinity" : "-infinity");
      return Value::string(format_zoned_timestamp(ts->micros));
    }
  }
  return bad_value(c, text);
}

Value PgValueConverter::unavailable(const Column& c) const {
  switch (c.field.type) {
    case ConnectType::kString:
      return Value::string(options_.unavailable_placeholder);
    case ConnectType::kBytes:
      return Value::bytes(options_.unavailable_placeholder);
    default:
      return Value::null();
  }
}

}  // namespace siphon::source::postgres
