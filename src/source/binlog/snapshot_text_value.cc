#include "source/binlog/snapshot_text_value.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "core/civil_time.h"

namespace siphon::source::binlog {
namespace {

using K = ColumnValue::Kind;

Status bad(std::string_view what, std::string_view text) {
  return make_error(ErrorKind::kFatal, "{} '{}' cannot be read", what, text);
}

// Parses the unsigned number at the start of `text` with at most `max_digits` digits (0 = any),
// advancing past it.
bool take_number(std::string_view& text, uint64_t& out, size_t max_digits = 0) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9' &&
         (max_digits == 0 || n < max_digits)) {
    ++n;
  }
  if (n == 0) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + n, out);
  if (ec != std::errc()) return false;
  text.remove_prefix(n);
  return true;
}

bool take(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// ".123" -> 123000 microseconds; empty -> 0.
bool take_fraction(std::string_view& text, uint32_t& micros) {
  micros = 0;
  if (!take(text, '.')) return true;
  size_t digits = 0;
  while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    if (digits < 6) micros = micros * 10 + static_cast<uint32_t>(text.front() - '0');
    ++digits;
    text.remove_prefix(1);
  }
  for (; digits < 6; ++digits) micros *= 10;
  return true;
}

// "YYYY-MM-DD"
bool take_date(std::string_view& text, Temporal& t) {
  uint64_t y = 0, m = 0, d = 0;
  if (!take_number(text, y, 4) || !take(text, '-') || !take_number(text, m, 2) ||
      !take(text, '-') || !take_number(text, d, 2)) {
    return false;
  }
  t.year = static_cast<int32_t>(y);
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  return true;
}

// "HH:MM:SS[.ffffff]" (hours up to 838 for TIME)
bool take_time(std::string_view& text, Temporal& t) {
  uint64_t h = 0, m = 0, s = 0;
  if (!take_number(text, h, 3) || !take(text, ':') || !take_number(text, m, 2) ||
      !take(text, ':') || !take_number(text, s, 2) || !take_fraction(text, t.micros)) {
    return false;
  }
  t.hour = static_cast<uint32_t>(h);
  t.minute = static_cast<uint8_t>(m);
  t.second = static_cast<uint8_t>(s);
  return true;
}

int width_of(uint8_t type) {
  switch (type) {
    case kTypeTiny:
      return 1;
    case kTypeShort:
      return 2;
    case kTypeInt24:
      return 3;
    case kTypeLong:
      return 4;
    default:
      return 8;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string snapshot_select_item(const ColumnDescriptor& c, const std::string& quoted_name) {
  switch (c.real_type) {
    case kTypeEnum:
    case kTypeSet:
    case kTypeBit:
      return quoted_name + "+0";
    case kTypeFloat:
      return "CAST(" + quoted_name + " AS DOUBLE)";
    default:
      return quoted_name;
  }
}

Result<ColumnValue> column_value_from_text(const ColumnDescriptor& c, std::string_view text) {
  ColumnValue v;
  const std::string_view original = text;
  switch (c.extended) {
    case ExtendedType::kUuid: {
      v.kind = K::kBytes;
      for (char ch : text) {
        if (ch == '-') continue;
        v.bytes.push_back(ch);
      }
      if (v.bytes.size() != 32) return tl::unexpected(bad("UUID", original).error());
      std::string raw;
      for (size_t i = 0; i < 32; i += 2) {
        int hi = hex_digit(v.bytes[i]), lo = hex_digit(v.bytes[i + 1]);
        if (hi < 0 || lo < 0) return tl::unexpected(bad("UUID", original).error());
        raw.push_back(static_cast<char>(hi << 4 | lo));
      }
      v.bytes = std::move(raw);
      return v;
    }
    case ExtendedType::kInet4:
    case ExtendedType::kInet6: {
      const bool v4 = c.extended == ExtendedType::kInet4;
      std::string address(text);
      unsigned char raw[16];
      if (::inet_pton(v4 ? AF_INET : AF_INET6, address.c_str(), raw) != 1) {
        return tl::unexpected(bad(v4 ? "INET4" : "INET6", original).error());
      }
      v.kind = K::kBytes;
      v.bytes.assign(reinterpret_cast<const char*>(raw), v4 ? 4 : 16);
      return v;
    }
    case ExtendedType::kJson:
    case ExtendedType::kNone:
      break;
  }
  switch (c.real_type) {
    case kTypeTiny:
    case kTypeShort:
    case kTypeInt24:
    case kTypeLong:
    case kTypeLongLong: {
      v.kind = K::kInt;
      v.width = static_cast<uint8_t>(width_of(c.real_type));
      const bool negative = !text.empty() && text.front() == '-';
      if (negative) text.remove_prefix(1);
      uint64_t magnitude = 0;
      if (!take_number(text, magnitude) || !text.empty()) {
        return tl::unexpected(bad("integer", original).error());
      }
      // As the row decoder gives it: the stored bits, sign-extended from the column's width.
      uint64_t bits = negative ? ~magnitude + 1 : magnitude;
      const int shift = 64 - 8 * v.width;
      v.integer =
          shift == 0 ? static_cast<int64_t>(bits) : static_cast<int64_t>(bits << shift) >> shift;
      return v;
    }
    case kTypeFloat:
    case kTypeDouble: {
      std::string copy(text);
      char* end = nullptr;
      errno = 0;
      double d = std::strtod(copy.c_str(), &end);
      if (end == copy.c_str() || *end != '\0')
        return tl::unexpected(bad("number", original).error());
      v.kind = c.real_type == kTypeFloat ? K::kFloat : K::kDouble;
      v.real = c.real_type == kTypeFloat ? static_cast<double>(static_cast<float>(d)) : d;
      return v;
    }
    case kTypeNewDecimal:
    case kTypeDecimal:
      v.kind = K::kDecimal;
      v.bytes = std::string(text);
      return v;
    case kTypeYear: {
      uint64_t y = 0;
      if (!take_number(text, y, 4) || !text.empty()) {
        return tl::unexpected(bad("YEAR", original).error());
      }
      v.kind = K::kYear;
      v.integer = static_cast<int64_t>(y);
      return v;
    }
    case kTypeDate:
    case kTypeNewDate:
      v.kind = K::kDate;
      if (!take_date(text, v.temporal) || !text.empty()) {
        return tl::unexpected(bad("DATE", original).error());
      }
      return v;
    case kTypeTime:
    case kTypeTime2:
      v.kind = K::kTime;
      v.temporal.negative = take(text, '-');
      if (!take_time(text, v.temporal) || !text.empty()) {
        return tl::unexpected(bad("TIME", original).error());
      }
      return v;
    case kTypeDateTime:
    case kTypeDateTime2:
    case kTypeTimestamp:
    case kTypeTimestamp2: {
      Temporal t;
      if (!take_date(text, t) || !take(text, ' ') || !take_time(text, t) || !text.empty()) {
        return tl::unexpected(bad("DATETIME", original).error());
      }
      if (c.real_type == kTypeDateTime || c.real_type == kTypeDateTime2) {
        v.kind = K::kDateTime;
        v.temporal = t;
        return v;
      }
      // TIMESTAMP: read in a '+00:00' session, so the text is UTC; the zero timestamp is 0.
      v.kind = K::kTimestamp;
      v.temporal.micros = t.micros;
      if (t.year == 0 && t.month == 0 && t.day == 0) {
        v.integer = 0;
      } else {
        v.integer = days_from_civil(t.year, t.month, t.day) * 86400 + int64_t{t.hour} * 3600 +
                    int64_t{t.minute} * 60 + t.second;
      }
      return v;
    }
    case kTypeEnum:
    case kTypeSet:
    case kTypeBit: {
      uint64_t n = 0;
      if (!take_number(text, n) || !text.empty()) {
        return tl::unexpected(
            bad(c.real_type == kTypeBit ? "BIT" : "ENUM/SET index", original).error());
      }
      v.kind = c.real_type == kTypeEnum ? K::kEnum : c.real_type == kTypeSet ? K::kSet : K::kBit;
      v.integer = static_cast<int64_t>(n);
      return v;
    }
    case kTypeString:
      v.kind = K::kBytes;
      v.bytes = std::string(text);
      // The row image leaves out BINARY(n)'s trailing zero bytes; the converter pads them back.
      if (c.collation == 63u) {
        while (!v.bytes.empty() && v.bytes.back() == '\0') v.bytes.pop_back();
      }
      return v;
    case kTypeVarchar:
    case kTypeVarString:
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob:
    case kTypeGeometry:
      v.kind = K::kBytes;
      v.bytes = std::string(text);
      return v;
    case kTypeJson:
      return make_error(ErrorKind::kFatal,
                        "MySQL JSON columns cannot be snapshotted yet (the snapshot reads JSON "
                        "text, the converter takes the binlog's binary JSON)");
    default:
      return make_error(ErrorKind::kFatal, "column type {} cannot be snapshotted", c.real_type);
  }
}

}  // namespace siphon::source::binlog
