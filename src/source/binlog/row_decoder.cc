#include "source/binlog/row_decoder.h"

#include <cstring>

#include "source/binlog/event_parser.h"

namespace siphon::source::binlog {
namespace {

constexpr int kDigitsPerGroup = 9;
constexpr int kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

int64_t sign_extend(uint64_t v, size_t bytes) {
  if (bytes >= 8) return static_cast<int64_t>(v);
  const unsigned shift = static_cast<unsigned>(64 - 8 * bytes);
  return static_cast<int64_t>(v << shift) >> shift;
}

// Fraction bytes of the "2" temporal types by fsp (spec/binlog.md §5.4).
size_t fraction_bytes(uint8_t fsp) {
  return (fsp + 1u) / 2u;
}

// The fraction as microseconds: 1 byte = 1/100 s, 2 bytes = 1/10000 s, 3 bytes = µs.
uint32_t fraction_micros(uint64_t raw, size_t bytes) {
  switch (bytes) {
    case 1:
      return static_cast<uint32_t>(raw * 10000);
    case 2:
      return static_cast<uint32_t>(raw * 100);
    default:
      return static_cast<uint32_t>(raw);
  }
}

Result<ColumnValue> fail(std::string what) {
  return tl::unexpected(Error{ErrorKind::kFatal, std::move(what)});
}

}  // namespace

size_t decimal_binary_size(int precision, int scale) {
  const int intg = precision - scale;
  return static_cast<size_t>(intg / kDigitsPerGroup * 4 + kDig2Bytes[intg % kDigitsPerGroup] +
                             scale / kDigitsPerGroup * 4 + kDig2Bytes[scale % kDigitsPerGroup]);
}

std::optional<std::string> decode_decimal(std::string_view data, int precision, int scale) {
  if (precision < 1 || precision > 65 || scale < 0 || scale > 30 || scale > precision) return {};
  const size_t size = decimal_binary_size(precision, scale);
  if (data.size() != size || size == 0) return {};
  std::string buf(data);
  const bool negative = (static_cast<uint8_t>(buf[0]) & 0x80) == 0;
  buf[0] = static_cast<char>(static_cast<uint8_t>(buf[0]) ^ 0x80);
  if (negative) {
    for (char& c : buf) c = static_cast<char>(~static_cast<uint8_t>(c));
  }
  size_t pos = 0;
  bool bad = false;
  // A big-endian part of `bytes` bytes holding at most `digits` decimal digits.
  auto part = [&](int bytes, int digits) -> uint32_t {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(buf[pos++]);
    if (v >= kPow10[digits]) bad = true;
    return v;
  };
  const int intg = precision - scale;
  std::string integer;
  if (int lead = intg % kDigitsPerGroup; lead > 0) {
    integer += std::to_string(part(kDig2Bytes[lead], lead));
  }
  // A group of `width` digits, zero-padded; a value too wide for it has already set `bad`.
  auto padded = [](uint32_t v, size_t width) {
    std::string digits = std::to_string(v);
    return digits.size() < width ? std::string(width - digits.size(), '0') + digits : digits;
  };
  for (int g = 0; g < intg / kDigitsPerGroup; ++g) integer += padded(part(4, 9), 9);
  std::string fraction;
  for (int g = 0; g < scale / kDigitsPerGroup; ++g) fraction += padded(part(4, 9), 9);
  if (int tail = scale % kDigitsPerGroup; tail > 0) {
    fraction += padded(part(kDig2Bytes[tail], tail), static_cast<size_t>(tail));
  }
  if (bad) return {};
  size_t first = integer.find_first_not_of('0');
  integer = first == std::string::npos ? "0" : integer.substr(first);
  const bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string out = negative && !zero ? "-" : "";
  out += integer;
  if (scale > 0) out += "." + fraction;
  return out;
}

Result<ColumnValue> decode_column_value(const ColumnDescriptor& c, std::string_view data,
                                        size_t& consumed) {
  EventParser p(data, 0, data.size());
  ColumnValue v;
  auto done = [&]() -> Result<ColumnValue> {
    if (!p.ok()) return fail(p.error());
    consumed = p.offset();
    return v;
  };
  auto integer = [&](size_t width) {
    v.kind = ColumnValue::Kind::kInt;
    v.width = static_cast<uint8_t>(width);
    v.integer = sign_extend(p.uint(width, "integer"), width);
  };
  auto length_prefixed = [&](size_t prefix, const char* field) {
    uint64_t n = p.uint(prefix, field);
    v.bytes = std::string(p.bytes(n, field));
  };
  switch (c.real_type) {
    case kTypeTiny:
      integer(1);
      return done();
    case kTypeShort:
      integer(2);
      return done();
    case kTypeInt24:
      integer(3);
      return done();
    case kTypeLong:
      integer(4);
      return done();
    case kTypeLongLong:
      integer(8);
      return done();
    case kTypeFloat: {
      v.kind = ColumnValue::Kind::kFloat;
      uint32_t bits = static_cast<uint32_t>(p.uint(4, "float"));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      v.real = f;
      return done();
    }
    case kTypeDouble: {
      v.kind = ColumnValue::Kind::kDouble;
      uint64_t bits = p.u64("double");
      std::memcpy(&v.real, &bits, sizeof v.real);
      return done();
    }
    case kTypeNewDecimal: {
      v.kind = ColumnValue::Kind::kDecimal;
      if (c.precision < 1 || c.precision > 65 || c.scale > 30 || c.scale > c.precision) {
        return fail("DECIMAL(" + std::to_string(c.precision) + "," + std::to_string(c.scale) +
                    ") is not a valid precision and scale");
      }
      std::string_view raw = p.bytes(decimal_binary_size(c.precision, c.scale), "decimal");
      if (!p.ok()) return fail(p.error());
      auto text = decode_decimal(raw, c.precision, c.scale);
      if (!text) return fail("decimal has a digit group out of range");
      v.bytes = std::move(*text);
      return done();
    }
    case kTypeYear: {
      v.kind = ColumnValue::Kind::kYear;
      uint8_t y = p.u8("year");
      v.integer = y == 0 ? 0 : 1900 + y;
      return done();
    }
    case kTypeDate:
    case kTypeNewDate: {
      v.kind = ColumnValue::Kind::kDate;
      uint32_t d = p.u24("date");
      v.temporal.day = d & 31;
      v.temporal.month = (d >> 5) & 15;
      v.temporal.year = static_cast<int32_t>(d >> 9);
      return done();
    }
    case kTypeTime: {
      // The pre-5.6 format, decimal HHMMSS in 3 signed bytes (MariaDB "hires" TIME(n>0) is not
      // decodable without the precision, which the table map does not carry).
      v.kind = ColumnValue::Kind::kTime;
      int64_t t = sign_extend(p.u24("time"), 3);
      v.temporal.negative = t < 0;
      uint64_t a = static_cast<uint64_t>(t < 0 ? -t : t);
      v.temporal.hour = static_cast<uint32_t>(a / 10000);
      v.temporal.minute = static_cast<uint8_t>(a / 100 % 100);
      v.temporal.second = static_cast<uint8_t>(a % 100);
      return done();
    }
    case kTypeDateTime: {
      v.kind = ColumnValue::Kind::kDateTime;
      uint64_t t = p.u64("datetime");
      uint64_t date = t / 1000000, time = t % 1000000;
      v.temporal.year = static_cast<int32_t>(date / 10000);
      v.temporal.month = static_cast<uint8_t>(date / 100 % 100);
      v.temporal.day = static_cast<uint8_t>(date % 100);
      v.temporal.hour = static_cast<uint32_t>(time / 10000);
      v.temporal.minute = static_cast<uint8_t>(time / 100 % 100);
      v.temporal.second = static_cast<uint8_t>(time % 100);
      return done();
    }
    case kTypeTimestamp: {
      v.kind = ColumnValue::Kind::kTimestamp;
      v.integer = p.u32("timestamp");
      return done();
    }
    case kTypeTime2: {
      // spec/binlog.md §5.2.
      if (c.fsp > 6) return fail("TIME2 fsp " + std::to_string(c.fsp) + " is above 6");
      v.kind = ColumnValue::Kind::kTime;
      int64_t packed = 0;
      if (c.fsp >= 5) {
        packed = static_cast<int64_t>(p.uint_be(6, "time2")) - 0x800000000000LL;
      } else {
        int64_t ip = static_cast<int64_t>(p.uint_be(3, "time2")) - 0x800000;
        int64_t frac = 0;
        if (c.fsp >= 3) {
          frac = static_cast<int64_t>(p.uint_be(2, "time2 fraction"));
          if (ip < 0 && frac != 0) {
            ip += 1;
            frac -= 0x10000;
          }
          frac *= 100;
        } else if (c.fsp >= 1) {
          frac = static_cast<int64_t>(p.uint_be(1, "time2 fraction"));
          if (ip < 0 && frac != 0) {
            ip += 1;
            frac -= 0x100;
          }
          frac *= 10000;
        }
        packed = ip * (int64_t{1} << 24) + frac;
      }
      v.temporal.negative = packed < 0;
      uint64_t a = static_cast<uint64_t>(packed < 0 ? -packed : packed);
      uint64_t hms = a >> 24;
      v.temporal.hour = static_cast<uint32_t>((hms >> 12) & 1023);
      v.temporal.minute = static_cast<uint8_t>((hms >> 6) & 63);
      v.temporal.second = static_cast<uint8_t>(hms & 63);
      v.temporal.micros = static_cast<uint32_t>(a & 0xffffff);
      return done();
    }
    case kTypeDateTime2: {
      // spec/binlog.md §5.3.
      if (c.fsp > 6) return fail("DATETIME2 fsp " + std::to_string(c.fsp) + " is above 6");
      v.kind = ColumnValue::Kind::kDateTime;
      int64_t ip = static_cast<int64_t>(p.uint_be(5, "datetime2")) - 0x8000000000LL;
      size_t fb = fraction_bytes(c.fsp);
      uint64_t frac = fb ? p.uint_be(fb, "datetime2 fraction") : 0;
      if (ip < 0) ip = -ip;  // the format allows a sign; valid DATETIMEs never use it
      uint64_t ymd = static_cast<uint64_t>(ip) >> 17, ym = ymd >> 5,
               hms = static_cast<uint64_t>(ip) & 0x1ffff;
      v.temporal.year = static_cast<int32_t>(ym / 13);
      v.temporal.month = static_cast<uint8_t>(ym % 13);
      v.temporal.day = static_cast<uint8_t>(ymd & 31);
      v.temporal.hour = static_cast<uint32_t>(hms >> 12);
      v.temporal.minute = static_cast<uint8_t>((hms >> 6) & 63);
      v.temporal.second = static_cast<uint8_t>(hms & 63);
      v.temporal.micros = fraction_micros(frac, fb);
      return done();
    }
    case kTypeTimestamp2: {
      if (c.fsp > 6) return fail("TIMESTAMP2 fsp " + std::to_string(c.fsp) + " is above 6");
      v.kind = ColumnValue::Kind::kTimestamp;
      v.integer = static_cast<int64_t>(p.uint_be(4, "timestamp2"));
      size_t fb = fraction_bytes(c.fsp);
      v.temporal.micros = fraction_micros(fb ? p.uint_be(fb, "timestamp2 fraction") : 0, fb);
      return done();
    }
    case kTypeVarchar:
    case kTypeVarString:
      v.kind = ColumnValue::Kind::kBytes;
      length_prefixed(c.max_length < 256 ? 1 : 2, "varchar");
      return done();
    case kTypeString:
      v.kind = ColumnValue::Kind::kBytes;
      length_prefixed(c.max_length < 256 ? 1 : 2, "char");
      return done();
    case kTypeEnum:
      v.kind = ColumnValue::Kind::kEnum;
      if (c.max_length != 1 && c.max_length != 2) {
        return fail("ENUM pack length " + std::to_string(c.max_length) + " is not 1 or 2");
      }
      v.integer = static_cast<int64_t>(p.uint(c.max_length, "enum"));
      return done();
    case kTypeSet:
      v.kind = ColumnValue::Kind::kSet;
      if (c.max_length < 1 || c.max_length > 8) {
        return fail("SET pack length " + std::to_string(c.max_length) + " is not 1..8");
      }
      v.integer = static_cast<int64_t>(p.uint(c.max_length, "set"));
      return done();
    case kTypeBit: {
      v.kind = ColumnValue::Kind::kBit;
      size_t n = (c.bits + 7u) / 8u;
      if (n == 0 || n > 8) return fail("BIT(" + std::to_string(c.bits) + ") is not 1..64 bits");
      v.integer = static_cast<int64_t>(p.uint_be(n, "bit"));
      return done();
    }
    case kTypeBlob:
    case kTypeGeometry:
    case kTypeJson:
    case kTypeVector:
      v.kind =
          c.real_type == kTypeJson ? ColumnValue::Kind::kJsonBinary : ColumnValue::Kind::kBytes;
      if (c.length_bytes < 1 || c.length_bytes > 4) {
        return fail("length prefix of " + std::to_string(c.length_bytes) + " bytes is not 1..4");
      }
      length_prefixed(c.length_bytes, "blob");
      return done();
    case kTypeNull:
      v.kind = ColumnValue::Kind::kNull;
      return done();
    default:
      return fail("column type " + std::to_string(c.real_type) +
                  " cannot appear in a row image Siphon decodes");
  }
}

Result<std::vector<RowChange>> decode_rows(const RowsEvent& rows, const TableMap& table,
                                           const EventLocation& where) {
  auto fail_at = [&](size_t offset, const std::string& what) {
    return make_error(ErrorKind::kFatal,
                      "binlog rows event for {}.{} (table id {}) at {}:{}: {} (row data offset "
                      "{}{})",
                      table.database, table.table, rows.table_id, where.file, where.position, what,
                      offset, rows.compressed ? ", inflated" : "");
  };
  if (rows.table_id != table.table_id) {
    return fail_at(0, "the table map is for table id " + std::to_string(table.table_id));
  }
  if (rows.width != table.columns.size() || rows.columns_present.size() != rows.width ||
      (rows.kind == RowsEvent::Kind::kUpdate && rows.columns_present_update.size() != rows.width)) {
    return fail_at(0, "the event has " + std::to_string(rows.width) + " columns, its table map " +
                          std::to_string(table.columns.size()));
  }
  std::string_view data = rows.rows;
  size_t pos = 0;
  size_t json_columns = 0;
  for (const auto& c : table.columns) json_columns += c.real_type == kTypeJson;
  auto image = [&](const std::vector<bool>& present, bool after) -> Result<RowImageValues> {
    std::vector<bool> partial_json;
    if (rows.partial && after) {
      // value_options, then one bit per JSON column of the table when bit 0 says so.
      EventParser p(data.substr(pos), 0, data.size() - pos);
      uint64_t options = p.lenenc("value options");
      if (options & 1) {
        std::string_view bits = p.bytes((json_columns + 7) / 8, "partial JSON bitmap");
        if (p.ok()) {
          for (size_t j = 0; j < json_columns; ++j) {
            partial_json.push_back((static_cast<uint8_t>(bits[j / 8]) >> (j % 8)) & 1);
          }
        }
      }
      if (!p.ok()) return fail_at(pos, p.error());
      pos += p.offset();
    }
    size_t json_index = 0;
    size_t count = 0;
    for (bool b : present) count += b;
    size_t null_bytes = (count + 7) / 8;
    if (data.size() - pos < null_bytes) {
      return fail_at(pos, "truncated: the null bitmap needs " + std::to_string(null_bytes) +
                              " bytes, " + std::to_string(data.size() - pos) + " left");
    }
    std::string_view nulls = data.substr(pos, null_bytes);
    pos += null_bytes;
    RowImageValues values(table.columns.size());
    size_t k = 0;  // index among present columns; padding bits after the last are ignored
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const bool diff = table.columns[i].real_type == kTypeJson &&
                        json_index < partial_json.size() && partial_json[json_index];
      if (table.columns[i].real_type == kTypeJson) ++json_index;
      if (!present[i]) continue;
      bool is_null = (static_cast<uint8_t>(nulls[k / 8]) >> (k % 8)) & 1;
      ++k;
      if (is_null) {
        values[i].kind = ColumnValue::Kind::kNull;
        continue;
      }
      size_t used = 0;
      auto value = decode_column_value(table.columns[i], data.substr(pos), used);
      if (!value) {
        std::string name =
            table.columns[i].name.empty() ? "#" + std::to_string(i + 1) : table.columns[i].name;
        return fail_at(pos, "column " + name + ": " + value.error().message);
      }
      values[i] = std::move(*value);
      if (diff) values[i].kind = ColumnValue::Kind::kJsonDiff;
      pos += used;
    }
    return values;
  };
  std::vector<RowChange> out;
  while (pos < data.size()) {
    RowChange change;
    auto first = image(rows.columns_present, rows.kind == RowsEvent::Kind::kWrite);
    if (!first) return tl::unexpected(first.error());
    if (rows.kind == RowsEvent::Kind::kWrite) {
      change.after = std::move(*first);
    } else {
      change.before = std::move(*first);
      if (rows.kind == RowsEvent::Kind::kUpdate) {
        if (pos >= data.size()) return fail_at(pos, "truncated: the update has no after image");
        auto second = image(rows.columns_present_update, true);
        if (!second) return tl::unexpected(second.error());
        change.after = std::move(*second);
      }
    }
    out.push_back(std::move(change));
  }
  return out;
}

}  // namespace siphon::source::binlog
