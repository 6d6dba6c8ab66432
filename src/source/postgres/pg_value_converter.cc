#include "source/postgres/pg_value_converter.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
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

// Debezium's sentinel values for timestamp 'infinity' / '-infinity' (spec §2.7): pgjdbc's
// DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY read as microseconds since the epoch. A
// millisecond Timestamp column gets the same instant in milliseconds.
constexpr int64_t kPositiveInfinityTimestamp = 9223372036825200000LL;
constexpr int64_t kNegativeInfinityTimestamp = -9223372036832400000LL;
// Date 'infinity' / '-infinity': Debezium maps them to the fixed dates -5877611-06-21 and
// -5877611-06-22 (both far in the past, whatever the sign) and emits their epoch days.
constexpr int32_t kPositiveInfinityDate = -2147472693;
constexpr int32_t kNegativeInfinityDate = -2147472692;

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

// The shortest decimal text that reads back as `v`: what Java's Double.toString and
// BigDecimal.valueOf(double) print for the values money and intervals hold.
std::string shortest_double(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// The plain form of a decimal with a positive scale, keeping its scale ("0.00", "1.50").
std::string plain_stripped_scale(const ParsedDecimal& d, const std::string& sign) {
  std::string digits = d.digits;
  auto scale = static_cast<size_t>(d.scale);
  if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
  return sign + digits.substr(0, digits.size() - scale) + "." +
         digits.substr(digits.size() - scale);
}

// BigDecimal.stripTrailingZeros().toPlainString() of a decimal text.
std::string plain_stripped(const ParsedDecimal& d) {
  ParsedDecimal s = d;
  while (s.scale > 0 && s.digits.size() > 1 && s.digits.back() == '0') {
    s.digits.pop_back();
    --s.scale;
  }
  if (s.digits == "0") s.scale = 0;
  std::string digits = s.digits;
  if (s.scale < 0) digits.append(static_cast<size_t>(-s.scale), '0');
  std::string out = s.negative && s.digits != "0" ? "-" : "";
  if (s.scale <= 0) return out + digits;
  size_t scale = static_cast<size_t>(s.scale);
  if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
  return out + digits.substr(0, digits.size() - scale) + "." + digits.substr(digits.size() - scale);
}

// BigDecimal.toString(): plain unless the adjusted exponent is below -6, then scientific
// ("1.2E-28", "0E-29"); SpecialValueDecimal.toString prints decimals this way.
std::string java_big_decimal_string(const ParsedDecimal& d) {
  const std::string& digits = d.digits;
  std::string sign = d.negative && digits != "0" ? "-" : "";
  int64_t adjusted = -static_cast<int64_t>(d.scale) + static_cast<int64_t>(digits.size()) - 1;
  if (d.scale == 0) return sign + digits;
  if (d.scale > 0 && adjusted >= -6) return plain_stripped_scale(d, sign);
  std::string out = sign + digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += "E";
  if (adjusted >= 0) out += "+";
  return out + std::to_string(adjusted);
}

// PGmoney: the text without currency symbol and group separators, read as a double.
std::optional<double> parse_money(std::string_view text) {
  std::string cleaned;
  bool negative = false;
  for (char ch : text) {
    if ((ch >= '0' && ch <= '9') || ch == '.') {
      cleaned.push_back(ch);
    } else if (ch == '-' || ch == '(') {
      negative = true;
    } else if (ch != '$' && ch != ',' && ch != ')' && ch != ' ') {
      return std::nullopt;
    }
  }
  if (cleaned.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(cleaned.c_str(), &end);
  if (end != cleaned.c_str() + cleaned.size()) return std::nullopt;
  return negative ? -v : v;
}

// Java's String.hashCode over the UTF-16 code units of a UTF-8 string.
int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < utf8.size();) {
    auto b = static_cast<unsigned char>(utf8[i]);
    uint32_t cp = b;
    size_t n = 1;
    if (b >= 0xf0) {
      n = 4;
      cp = b & 0x07;
    } else if (b >= 0xe0) {
      n = 3;
      cp = b & 0x0f;
    } else if (b >= 0xc0) {
      n = 2;
      cp = b & 0x1f;
    }
    for (size_t k = 1; k < n && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xd800 + (cp >> 10));
      add(0xdc00 + (cp & 0x3ff));
    } else {
      add(cp);
    }
  }
  return static_cast<int32_t>(h);
}

// The iteration order of a java.util.HashMap filled with `keys` in this order (pgjdbc's
// HStoreConverter fills one, and Debezium writes its entries in that order): by bucket, then by
// insertion within a bucket. Buckets longer than 8 (treeified) are not modelled.
std::vector<size_t> java_hash_map_order(const std::vector<std::string_view>& keys) {
  size_t capacity = 16;
  while (static_cast<double>(keys.size()) > 0.75 * static_cast<double>(capacity)) capacity *= 2;
  std::vector<std::vector<size_t>> buckets(capacity);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto h = static_cast<uint32_t>(java_string_hash(keys[i]));
    h ^= h >> 16;
    buckets[h & (capacity - 1)].push_back(i);
  }
  std::vector<size_t> order;
  for (const auto& b : buckets) order.insert(order.end(), b.begin(), b.end());
  return order;
}

}  // namespace

// Debezium's binary.handling.mode representation of raw bytes.
Value binary_value(BinaryHandling mode, std::string raw) {
  switch (mode) {
    case BinaryHandling::kBytes:
      return Value::bytes(std::move(raw));
    case BinaryHandling::kHex:
      return Value::string(hex_encode(raw));
    case BinaryHandling::kBase64:
    case BinaryHandling::kBase64UrlSafe: {
      std::string out;
      format::append_base64(out, raw, mode == BinaryHandling::kBase64UrlSafe);
      return Value::string(std::move(out));
    }
  }
  return Value::bytes(std::move(raw));
}

std::optional<PgInterval> parse_pg_interval(std::string_view text) {
  if (text.empty() || text[0] != 'P') return std::nullopt;
  PgInterval out;
  bool time_part = false, any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (time_part) return std::nullopt;
      time_part = true;
      ++i;
      continue;
    }
    size_t start = i;
    if (text[i] == '-') ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    size_t int_end = i;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    }
    if (i >= text.size() || int_end == start || (int_end == start + 1 && text[start] == '-')) {
      return std::nullopt;
    }
    std::string number(text.substr(start, i - start));
    bool fractional = int_end != i;
    char unit = text[i++];
    any = true;
    if (unit == 'S' && time_part) {
      // PGInterval.setSeconds: whole seconds and rounded microseconds.
      double seconds = std::strtod(number.c_str(), nullptr);
      out.whole_seconds = static_cast<int64_t>(seconds);
      out.micros = static_cast<int32_t>(
          std::floor((seconds - static_cast<double>(out.whole_seconds)) * 1e6 + 0.5));
      continue;
    }
    if (fractional) return std::nullopt;
    int64_t v = 0;
    auto r = std::from_chars(number.data(), number.data() + number.size(), v);
    if (r.ec != std::errc() || v > std::numeric_limits<int32_t>::max() ||
        v < std::numeric_limits<int32_t>::min()) {
      return std::nullopt;
    }
    auto n = static_cast<int32_t>(v);
    if (!time_part && unit == 'Y') {
      out.years = n;
    } else if (!time_part && unit == 'M') {
      out.months = n;
    } else if (!time_part && unit == 'D') {
      out.days = n;
    } else if (time_part && unit == 'H') {
      out.hours = n;
    } else if (time_part && unit == 'M') {
      out.minutes = n;
    } else {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

Result<std::vector<std::optional<std::string>>> parse_pg_array(std::string_view text) {
  auto bad = [&](const char* why) -> tl::unexpected<Error> {
    return make_error(ErrorKind::kFatal, "malformed array '{}': {}", text.substr(0, 64), why);
  };
  std::string_view t = text;
  if (!t.empty() && t[0] == '[') {
    // Non-default bounds, "[0:1]={7,8}": the elements are what matter.
    size_t eq = t.find('=');
    if (eq == std::string_view::npos) return bad("bounds without '='");
    t = t.substr(eq + 1);
  }
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') return bad("not enclosed in braces");
  std::vector<std::optional<std::string>> out;
  t = t.substr(1, t.size() - 2);
  if (t.empty()) return out;
  size_t i = 0;
  while (true) {
    if (i < t.size() && t[i] == '{') return bad("multi-dimensional arrays are not supported");
    std::string element;
    bool quoted = false;
    if (i < t.size() && t[i] == '"') {
      quoted = true;
      ++i;
      while (true) {
        if (i >= t.size()) return bad("unterminated quoted element");
        char ch = t[i++];
        if (ch == '"') break;
        if (ch == '\\') {
          if (i >= t.size()) return bad("dangling backslash");
          ch = t[i++];
        }
        element.push_back(ch);
      }
    } else {
      while (i < t.size() && t[i] != ',') {
        if (t[i] == '"' || t[i] == '{' || t[i] == '}') return bad("unexpected character");
        element.push_back(t[i++]);
      }
    }
    if (!quoted && element.empty()) return bad("empty unquoted element");
    if (!quoted && (element == "NULL" || element == "null")) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::move(element));
    }
    if (i == t.size()) break;
    if (t[i] != ',') return bad("expected ','");
    ++i;
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::optional<std::string>>>> parse_pg_hstore(
    std::string_view text) {
  auto bad = [&](const char* why) -> tl::unexpected<Error> {
    return make_error(ErrorKind::kFatal, "malformed hstore '{}': {}", text.substr(0, 64), why);
  };
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  auto quoted = [&](std::string& s) -> bool {
    if (i >= text.size() || text[i] != '"') return false;
    ++i;
    while (i < text.size()) {
      char ch = text[i++];
      if (ch == '"') return true;
      if (ch == '\\') {
        if (i >= text.size()) return false;
        ch = text[i++];
      }
      s.push_back(ch);
    }
    return false;
  };
  skip_space();
  while (i < text.size()) {
    std::string key;
    if (!quoted(key)) return bad("expected a quoted key");
    skip_space();
    if (text.substr(i, 2) != "=>") return bad("expected '=>'");
    i += 2;
    skip_space();
    if (text.substr(i, 4) == "NULL") {
      i += 4;
      out.emplace_back(std::move(key), std::nullopt);
    } else {
      std::string value;
      if (!quoted(value)) return bad("expected a quoted value or NULL");
      out.emplace_back(std::move(key), std::move(value));
    }
    skip_space();
    if (i == text.size()) break;
    if (text[i] != ',') return bad("expected ','");
    ++i;
    skip_space();
  }
  return out;
}

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

namespace {

// Array types whose element type Debezium maps, by the array OID (PostgresValueConverter's
// schemaBuilder); money[], name[], interval[], varbit[], xml[] and point[] have no schema there,
// so those columns are dropped like unknown types.
bool array_dropped_by_debezium(uint32_t element_oid) {
  switch (element_oid) {
    case oid::kMoney:
    case oid::kName:
    case oid::kInterval:
    case oid::kVarbit:
    case oid::kBit:
    case oid::kXml:
    case oid::kPoint:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Built-in array OIDs (pg_type.dat) and their element types, for use without a catalog.
uint32_t builtin_array_element(uint32_t array_oid) {
  switch (array_oid) {
    case 1000:
      return oid::kBool;
    case 1001:
      return oid::kBytea;
    case 1002:
      return oid::kChar;
    case 1005:
      return oid::kInt2;
    case 1007:
      return oid::kInt4;
    case 1009:
      return oid::kText;
    case 1014:
      return oid::kBpchar;
    case 1015:
      return oid::kVarchar;
    case 1016:
      return oid::kInt8;
    case 1021:
      return oid::kFloat4;
    case 1022:
      return oid::kFloat8;
    case 1028:
      return oid::kOid;
    case 1231:
      return oid::kNumeric;
    case 1182:
      return oid::kDate;
    case 1183:
      return oid::kTime;
    case 1115:
      return oid::kTimestamp;
    case 1185:
      return oid::kTimestamptz;
    case 1270:
      return oid::kTimetz;
    case 2951:
      return oid::kUuid;
    case 199:
      return oid::kJson;
    case 3807:
      return oid::kJsonb;
    case 1041:
      return oid::kInet;
    case 651:
      return oid::kCidr;
    case 1040:
      return oid::kMacaddr;
    case 775:
      return oid::kMacaddr8;
    case 3905:
      return oid::kInt4range;
    case 3927:
      return oid::kInt8range;
    case 3907:
      return oid::kNumrange;
    case 3909:
      return oid::kTsrange;
    case 3911:
      return oid::kTstzrange;
    case 3913:
      return oid::kDaterange;
    case 791:
      return oid::kMoney;
    case 1003:
      return oid::kName;
    case 1187:
      return oid::kInterval;
    case 1563:
      return oid::kVarbit;
    case 1561:
      return oid::kBit;
    case 143:
      return oid::kXml;
    case 1017:
      return oid::kPoint;
    default:
      return 0;
  }
}

namespace {}  // namespace

std::optional<PgValueConverter::Column> PgValueConverter::column(std::string name,
                                                                 uint32_t type_oid, int32_t typmod,
                                                                 bool optional,
                                                                 const PgTypeLookup* types) const {
  const PgTypeInfo* info = types && *types ? (*types)(type_oid) : nullptr;
  if (info && info->kind == 'd' && info->base != 0) {
    // A domain is mapped as its base type, with the domain's own type modifier when the column
    // has none (docs §Domain types).
    auto base = column(std::move(name), info->base, typmod >= 0 ? typmod : info->base_typmod,
                       optional, types);
    if (base) base->domain = true;
    return base;
  }
  uint32_t element_oid = builtin_array_element(type_oid);
  if (element_oid == 0 && info && info->category == 'A' && info->element != 0) {
    element_oid = info->element;
  }
  if (element_oid != 0) {
    if (array_dropped_by_debezium(element_oid)) return std::nullopt;
    const PgTypeInfo* element_info = types && *types ? (*types)(element_oid) : nullptr;
    if (element_info && element_info->kind == 'd') {
      // Debezium finds no schema for arrays of domains (a comment in its schemaBuilder says
      // so); they are unknown types.
      if (!options_.include_unknown_datatypes) return std::nullopt;
      element_oid = 0;
    }
    Column c;
    c.field.name = std::move(name);
    c.field.optional = optional;
    c.field.type = ConnectType::kArray;
    c.conversion = Conversion::kArray;
    if (element_oid == 0) {
      c.type_name = info ? info->name : "array";
      Column e;
      e.field.type =
          options_.binary == BinaryHandling::kBytes ? ConnectType::kBytes : ConnectType::kString;
      e.conversion = Conversion::kUnknown;
      e.field.optional = false;
      c.field.fields.push_back(e.field);
      c.element = std::make_shared<Column>(std::move(e));
      return c;
    }
    auto e = column("", element_oid, typmod, true, types);
    if (!e) return std::nullopt;
    if (e->conversion == Conversion::kEnum) {
      // Debezium builds the element schema of an enum array without optional().
      e->field.optional = false;
    }
    c.type_name = "_" + e->type_name;
    c.field.fields.push_back(e->field);
    c.element = std::make_shared<Column>(std::move(*e));
    return c;
  }
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
    case oid::kTimetz:
      set(ConnectType::kString, Conversion::kZonedTime, "timetz");
      c.field.with_logical("io.debezium.time.ZonedTime");
      break;
    case oid::kInterval:
      if (options_.interval == IntervalHandling::kString) {
        set(ConnectType::kString, Conversion::kIntervalString, "interval");
        c.field.with_logical("io.debezium.time.Interval");
      } else {
        set(ConnectType::kInt64, Conversion::kIntervalMicros, "interval");
        c.field.with_logical("io.debezium.time.MicroDuration");
      }
      break;
    case oid::kMoney:
      c.scale = options_.money_fraction_digits;
      switch (options_.decimal) {
        case DecimalHandling::kDouble:
          set(ConnectType::kFloat64, Conversion::kMoneyAsDouble, "money");
          break;
        case DecimalHandling::kString:
          set(ConnectType::kString, Conversion::kMoneyAsString, "money");
          break;
        case DecimalHandling::kPrecise:
          // Decimal.builder(money.fraction.digits): a scale, no precision parameter.
          set(ConnectType::kBytes, Conversion::kMoney, "money");
          c.field.with_logical("org.apache.kafka.connect.data.Decimal", 1);
          c.field.with_parameter("scale", std::to_string(options_.money_fraction_digits));
          break;
      }
      break;
    case oid::kBit:
    case oid::kVarbit: {
      const char* type_name = type_oid == oid::kBit ? "bit" : "varbit";
      // The column length is the type modifier; bit without one is bit(1).
      int32_t length = typmod > 0 ? typmod : (type_oid == oid::kBit ? 1 : 0);
      if (length == 1) {
        set(ConnectType::kBoolean, Conversion::kBit, type_name);
      } else {
        set(ConnectType::kBytes, Conversion::kBits, type_name);
        c.field.with_logical("io.debezium.data.Bits", 1);
        c.field.with_parameter("length", std::to_string(length));
      }
      break;
    }
    case oid::kInet:
      set(ConnectType::kString, Conversion::kString, "inet");
      break;
    case oid::kCidr:
      set(ConnectType::kString, Conversion::kString, "cidr");
      break;
    case oid::kMacaddr:
      set(ConnectType::kString, Conversion::kString, "macaddr");
      break;
    case oid::kMacaddr8:
      set(ConnectType::kString, Conversion::kString, "macaddr8");
      break;
    case oid::kInt4range:
    case oid::kInt8range:
    case oid::kNumrange:
    case oid::kTsrange:
    case oid::kTstzrange:
    case oid::kDaterange:
      set(ConnectType::kString, Conversion::kString, "range");
      if (info) c.type_name = info->name;
      break;
    case oid::kPoint:
      set(ConnectType::kStruct, Conversion::kPoint, "point");
      c.field.with_logical("io.debezium.data.geometry.Point", 1);
      c.field.doc = "Geometry (POINT)";
      c.field.fields.push_back(schema::field("x", ConnectType::kFloat64, false));
      c.field.fields.push_back(schema::field("y", ConnectType::kFloat64, false));
      c.field.fields.push_back(schema::field("wkb", ConnectType::kBytes, true));
      c.field.fields.push_back(schema::field("srid", ConnectType::kInt32, true));
      break;
    default:
      if (info && info->kind == 'e') {
        set(ConnectType::kString, Conversion::kEnum, "enum");
        c.type_name = info->name;
        c.enum_labels = info->enum_labels;
        std::string allowed;
        for (const auto& label : info->enum_labels) {
          if (!allowed.empty()) allowed += ',';
          allowed += label;
        }
        c.field.with_logical("io.debezium.data.Enum", 1);
        c.field.with_parameter("allowed", allowed);
        break;
      }
      if (info && info->kind == 'b' && info->name == "citext") {
        set(ConnectType::kString, Conversion::kString, "citext");
        break;
      }
      if (info && info->kind == 'b' && info->name == "ltree") {
        set(ConnectType::kString, Conversion::kString, "ltree");
        c.field.with_logical("io.debezium.data.Ltree", 1);
        break;
      }
      if (info && info->kind == 'b' && info->name == "hstore") {
        if (options_.hstore == HstoreHandling::kMap) {
          // Debezium: MAP<string, optional string>; hstore keys are never null, values may be.
          set(ConnectType::kMap, Conversion::kHstoreMap, "hstore");
          c.field.fields = {schema::field("", ConnectType::kString, false),
                            schema::field("", ConnectType::kString, true)};
          break;
        }
        set(ConnectType::kString, Conversion::kHstoreJson, "hstore");
        c.field.with_logical("io.debezium.data.Json", 1);
        break;
      }
      if (!options_.include_unknown_datatypes) return std::nullopt;
      // Unknown types as opaque binary in the binary.handling.mode representation.
      set(options_.binary == BinaryHandling::kBytes ? ConnectType::kBytes : ConnectType::kString,
          Conversion::kUnknown, info ? info->name.c_str() : "unknown");
      break;
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
      {
        auto d = parse_decimal(text);
        if (!d) return bad_value(c, text);
        return Value::string(java_big_decimal_string(*d));
      }
    case Conversion::kDecimal:
    case Conversion::kVariableScaleDecimal: {
      auto d = parse_decimal(text);
      if (!d) {
        if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
          // A Decimal cannot carry them, and Debezium stops the connector (SpecialValueDecimal
          // .fromLogical throws a ConnectException in precise mode); so does Siphon.
          return make_error(ErrorKind::kFatal,
                            "column '{}' ({}): the value {} cannot be represented with "
                            "decimal.handling.mode=precise; set decimal.handling.mode to string "
                            "or double",
                            c.field.name, c.type_name, text);
        }
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
      return binary_value(options_.binary, std::move(raw));
    }
    case Conversion::kDate: {
      auto d = parse_pg_date(text);
      if (!d) return bad_value(c, text);
      if (d->infinity) {
        return Value::integer(d->infinity > 0 ? kPositiveInfinityDate : kNegativeInfinityDate);
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
      int64_t micros = ts->micros;
      if (ts->infinity) {
        micros = ts->infinity > 0 ? kPositiveInfinityTimestamp : kNegativeInfinityTimestamp;
      }
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
    case Conversion::kZonedTime: {
      // "13:45:06.5+05:30": moved to UTC and printed as ISO_OFFSET_TIME does (fraction without
      // trailing zeros, none when zero).
      size_t sign = text.find_first_of("+-");
      if (sign == std::string_view::npos) return bad_value(c, text);
      auto t = parse_pg_time(text.substr(0, sign));
      if (!t) return bad_value(c, text);
      int64_t offset = 0, unit = 3600;
      int parts = 0;
      for (size_t i = sign + 1; i <= text.size(); ++parts) {
        size_t colon = text.find(':', i);
        std::string_view part =
            text.substr(i, colon == std::string_view::npos ? text.npos : colon - i);
        int64_t n = 0;
        auto r = std::from_chars(part.data(), part.data() + part.size(), n);
        if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size() ||
            parts > 2) {
          return bad_value(c, text);
        }
        offset += n * unit;
        unit /= 60;
        if (colon == std::string_view::npos) break;
        i = colon + 1;
      }
      if (text[sign] == '-') offset = -offset;
      constexpr int64_t kDay = 86'400'000'000LL;
      int64_t utc = ((*t - offset * 1'000'000) % kDay + kDay) % kDay;
      int64_t secs = utc / 1'000'000, frac = utc % 1'000'000;
      std::string out = fmt::format("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
      if (frac != 0) {
        std::string digits = fmt::format("{:06}", frac);
        while (digits.back() == '0') digits.pop_back();
        out += "." + digits;
      }
      return Value::string(out + "Z");
    }
    case Conversion::kBit:
      if (text.empty() || text.find_first_not_of("01") != std::string_view::npos) {
        return bad_value(c, text);
      }
      return Value::boolean(text.find('1') != std::string_view::npos);
    case Conversion::kBits: {
      // The last character is bit 0; the bytes are little-endian and as few as the highest set
      // bit needs (Debezium re-sizes them to the content).
      if (text.find_first_not_of("01") != std::string_view::npos) return bad_value(c, text);
      std::string bytes;
      for (size_t bit = 0; bit < text.size(); ++bit) {
        if (text[text.size() - 1 - bit] != '1') continue;
        if (bytes.size() <= bit / 8) bytes.resize(bit / 8 + 1, '\0');
        bytes[bit / 8] = static_cast<char>(bytes[bit / 8] | (1 << (bit % 8)));
      }
      return Value::bytes(std::move(bytes));
    }
    case Conversion::kIntervalMicros:
    case Conversion::kIntervalString: {
      auto iv = parse_pg_interval(text);
      if (!iv) return bad_value(c, text);
      double seconds =
          static_cast<double>(iv->whole_seconds) + static_cast<double>(iv->micros) / 1e6;
      if (c.conversion == Conversion::kIntervalMicros) {
        // MicroDuration.durationMicros with 365.25/12 days a month, in doubles as Debezium.
        double days = (iv->years * 12.0 + iv->months) * (365.25 / 12.0) + iv->days;
        double total = ((days * 24 + iv->hours) * 60 + iv->minutes) * 60 + seconds;
        return Value::integer(static_cast<int64_t>(total * 1e6));
      }
      auto d = parse_decimal(shortest_double(seconds));
      if (!d) return bad_value(c, text);
      if (d->scale > 6) *d = rescale(*d, 6);  // Interval.toIsoString truncates to micros
      return Value::string(fmt::format("P{}Y{}M{}DT{}H{}M{}S", iv->years, iv->months, iv->days,
                                       iv->hours, iv->minutes, plain_stripped(*d)));
    }
    case Conversion::kMoney:
    case Conversion::kMoneyAsDouble:
    case Conversion::kMoneyAsString: {
      // Debezium reads money as a double (pgjdbc's PGmoney), in the stream and the snapshot.
      auto v = parse_money(text);
      if (!v) return bad_value(c, text);
      if (c.conversion == Conversion::kMoneyAsDouble) return Value::float64(*v);
      if (c.conversion == Conversion::kMoneyAsString) {
        std::string out;
        format::append_java_double(out, *v);  // String.valueOf(Double)
        return Value::string(std::move(out));
      }
      auto d = parse_decimal(shortest_double(*v));
      if (!d) return bad_value(c, text);
      return Value::bytes(unscaled_bytes(rescale(*d, c.scale)));
    }
    case Conversion::kPoint: {
      double xy[2];
      if (text.size() < 5 || text.front() != '(' || text.back() != ')') return bad_value(c, text);
      size_t comma = text.find(',');
      if (comma == std::string_view::npos) return bad_value(c, text);
      std::string parts[2] = {std::string(text.substr(1, comma - 1)),
                              std::string(text.substr(comma + 1, text.size() - comma - 2))};
      for (int k = 0; k < 2; ++k) {
        char* end = nullptr;
        xy[k] = std::strtod(parts[k].c_str(), &end);
        if (parts[k].empty() || end != parts[k].c_str() + parts[k].size()) {
          return bad_value(c, text);
        }
      }
      // OGC WKB of the point: byte order 1 (little-endian), type 1, x, y.
      std::string wkb(21, '\0');
      wkb[0] = 1;
      wkb[1] = 1;
      for (int k = 0; k < 2; ++k) {
        uint64_t bits = 0;
        std::memcpy(&bits, &xy[k], sizeof bits);
        for (int b = 0; b < 8; ++b) {
          wkb[5 + 8 * k + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
        }
      }
      return Value::structure({Value::float64(xy[0]), Value::float64(xy[1]),
                               Value::bytes(std::move(wkb)), Value::null()});
    }
    case Conversion::kHstoreJson: {
      auto pairs = parse_pg_hstore(text);
      if (!pairs) return bad_value(c, text);
      std::vector<std::string_view> keys;
      for (const auto& p : *pairs) keys.push_back(p.first);
      std::string out = "{";
      for (size_t i : java_hash_map_order(keys)) {
        if (out.size() > 1) out += ',';
        format::append_json_string(out, (*pairs)[i].first);
        out += ':';
        if ((*pairs)[i].second) {
          format::append_json_string(out, *(*pairs)[i].second);
        } else {
          out += "null";
        }
      }
      return Value::string(out + "}");
    }
    case Conversion::kHstoreMap: {
      auto pairs = parse_pg_hstore(text);
      if (!pairs) return bad_value(c, text);
      std::vector<std::string_view> keys;
      for (const auto& p : *pairs) keys.push_back(p.first);
      std::vector<Value> entries;
      for (size_t i : java_hash_map_order(keys)) {
        entries.push_back(Value::string((*pairs)[i].first));
        entries.push_back((*pairs)[i].second ? Value::string(*(*pairs)[i].second) : Value::null());
      }
      return Value::map(std::move(entries));
    }
    case Conversion::kEnum:
      return Value::string(std::string(text));
    case Conversion::kArray: {
      auto elements = parse_pg_array(text);
      if (!elements) {
        return make_error(ErrorKind::kFatal, "column '{}' ({}): {}", c.field.name, c.type_name,
                          elements.error().message);
      }
      std::vector<Value> values;
      values.reserve(elements->size());
      for (const auto& e : *elements) {
        if (!e) {
          values.push_back(Value::null());
          continue;
        }
        auto v = convert(*c.element, *e);
        if (!v) {
          return make_error(ErrorKind::kFatal, "column '{}' ({}), element {}: {}", c.field.name,
                            c.type_name, values.size() + 1, v.error().message);
        }
        values.push_back(std::move(*v));
      }
      return Value::array(std::move(values));
    }
    case Conversion::kUnknown:
      return binary_value(options_.binary, std::string(text));
  }
  return bad_value(c, text);
}

namespace {

// PostgresDefaultValueConverter.extractDefault: a function call or a current date/time keyword
// stands for a generated value (the placeholder); NULL::type is no default; a quoted literal
// gives what is between its first pair of quotes; anything else is taken raw.
// FUNCTION_DEFAULT_PATTERN or one of the current date/time keywords: a generated value.
bool is_generated_default(std::string_view expr) {
  size_t i = 0;
  if (i < expr.size() && expr[i] == '(') ++i;
  size_t name_start = i;
  while (i < expr.size() &&
         (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '_' || expr[i] == '.')) {
    ++i;
  }
  if (i > name_start && i < expr.size() && expr[i] == '(' &&
      expr.find(')', i + 1) != std::string_view::npos) {
    return true;
  }
  std::string lower;
  for (char ch : expr) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return lower == "current_timestamp" || lower == "current_time" || lower == "current_date" ||
         lower == "localtime" || lower == "localtimestamp";
}

std::optional<std::string> extract_default(std::string_view expr, std::string_view placeholder) {
  if (is_generated_default(expr)) return std::string(placeholder);
  if (expr.find('\'') == std::string_view::npos) {
    if (expr.substr(0, 6) == "NULL::") return std::nullopt;
    return std::string(expr);
  }
  size_t open = expr.find('\'');
  size_t close = expr.find('\'', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  return std::string(expr.substr(open + 1, close - open - 1));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Value> PgValueConverter::default_value(const Column& c,
                                                     std::string_view expression) const {
  if (c.domain) return std::nullopt;  // no mapper for the domain's type name
  // The placeholder of each type PostgresDefaultValueConverter has a mapper for; others
  // (money, bytea, time, timestamps, interval, bits, arrays ...) get no default here.
  const std::string& t = c.type_name;
  std::string_view placeholder;
  bool trimmed = true;
  if (t == "int2" || t == "int4" || t == "int8") {
    placeholder = "0";
  } else if (t == "numeric" || t == "float4" || t == "float8") {
    placeholder = "0.0";
  } else if (t == "bool") {
    placeholder = "false";
  } else if (t == "bpchar" || t == "varchar" || t == "text" || t == "xml") {
    placeholder = "";
    trimmed = false;
  } else if (t == "json" || t == "jsonb") {
    placeholder = "{}";
    trimmed = false;
  } else if (t == "uuid") {
    placeholder = "00000000-0000-0000-0000-000000000000";
  } else if (t == "date") {
    placeholder = "1970-01-01";
  } else if (t == "time") {
    placeholder = "00:00:00";
  } else if (t == "timestamp") {
    placeholder = "1970-01-01 00:00:00";
  } else if (t == "timestamptz") {
    placeholder = "1970-01-01 00:00:00+00";
  } else if (t == "interval") {
    // PGInterval cannot read the "epoch" placeholder Debezium uses, so a generated interval
    // has no default; a literal has one.
    if (is_generated_default(trim(expression))) return std::nullopt;
  } else if (c.conversion == Conversion::kEnum) {
    // extractEnumDefault: only '<label>'::<type name>.
    std::string suffix = "::" + t;
    if (expression.size() < suffix.size() + 2 ||
        expression.substr(expression.size() - suffix.size()) != suffix) {
      return std::nullopt;
    }
    std::string_view literal = expression.substr(0, expression.size() - suffix.size());
    if (literal.front() != '\'' || literal.back() != '\'') return std::nullopt;
    return Value::string(std::string(literal.substr(1, literal.size() - 2)));
  } else {
    return std::nullopt;
  }
  if (trimmed) expression = trim(expression);
  auto text = extract_default(expression, placeholder);
  if (!text) return std::nullopt;
  if (c.conversion == Conversion::kVariableScaleDecimal) {
    return std::nullopt;  // a Struct default is dropped (KAFKA-12694 workaround)
  }
  if (t == "bool") {
    // Boolean.parseBoolean: "true" in any case, everything else false.
    std::string lower;
    for (char ch : *text)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    return Value::boolean(lower == "true");
  }
  auto v = convert(c, *text);
  if (!v) return std::nullopt;  // Debezium logs "Cannot parse column default value"
  return *v;
}

Value PgValueConverter::unavailable(const Column& c) const {
  // Debezium's hstore placeholder is the one-entry map {placeholder: placeholder}, in either mode.
  if (c.conversion == Conversion::kHstoreMap) {
    return Value::map({Value::string(options_.unavailable_placeholder),
                       Value::string(options_.unavailable_placeholder)});
  }
  if (c.conversion == Conversion::kHstoreJson) {
    std::string json = "{";
    format::append_json_string(json, options_.unavailable_placeholder);
    json += ':';
    format::append_json_string(json, options_.unavailable_placeholder);
    return Value::string(json + "}");
  }
  switch (c.field.type) {
    case ConnectType::kString:
      return Value::string(options_.unavailable_placeholder);
    case ConnectType::kBytes:
      return Value::bytes(options_.unavailable_placeholder);
    case ConnectType::kArray: {
      // spec/debezium-compat.md §2.9: a string array holds the placeholder once, an integer
      // array the placeholder's bytes as numbers.
      if (!c.element) return Value::null();
      switch (c.element->field.type) {
        case ConnectType::kString:
          return Value::array({Value::string(options_.unavailable_placeholder)});
        case ConnectType::kInt16:
        case ConnectType::kInt32:
        case ConnectType::kInt64: {
          std::vector<Value> values;
          for (unsigned char ch : options_.unavailable_placeholder) {
            values.push_back(Value::integer(ch));
          }
          return Value::array(std::move(values));
        }
        default:
          return Value::null();
      }
    }
    default:
      return Value::null();
  }
}

}  // namespace siphon::source::postgres
