#pragma once
// Test helper: rows as `mariadb-binlog -v --base64-output=DECODE-ROWS` prints them (MariaDB's
// log_event_print_value), so that decoded rows compare line by line with the reference decoder.
#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "source/binlog/binlog_event.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/table_map.h"

namespace siphon::source::binlog::testing {

// A value as `mariadb-binlog -v` prints it (MariaDB's log_event_print_value).
inline std::string reference_text(const ColumnDescriptor& c, const ColumnValue& v) {
  using K = ColumnValue::Kind;
  char buf[128];
  auto quoted = [](std::string_view s) {
    std::string out = "'";
    for (char ch : s) {
      if (static_cast<uint8_t>(ch) > 0x1f) {
        out += ch;
      } else {
        char b[8];
        std::snprintf(b, sizeof b, "\\x%02x", static_cast<uint8_t>(ch));
        out += b;
      }
    }
    return out + "'";
  };
  auto fraction = [](uint32_t micros, uint8_t fsp) {
    if (fsp == 0) return std::string();
    char digits[16];
    std::snprintf(digits, sizeof digits, "%06u", micros);
    return "." + std::string(digits, fsp);
  };
  switch (v.kind) {
    case K::kAbsent:
      return "(absent)";
    case K::kNull:
      return "NULL";
    case K::kInt: {
      std::string out = std::to_string(v.integer);
      if (v.integer < 0) {
        uint64_t u = static_cast<uint64_t>(v.integer);
        if (v.width < 8) u &= (uint64_t{1} << (8 * v.width)) - 1;
        out += " (" + std::to_string(u) + ")";
      }
      return out;
    }
    case K::kFloat: {
      std::snprintf(buf, sizeof buf, "%-20g", v.real);
      std::string out = buf;
      return out.substr(0, out.find_last_not_of(' ') + 1);
    }
    case K::kDouble:
      std::snprintf(buf, sizeof buf, "%.20g", v.real);
      return buf;
    case K::kDecimal:
      return v.bytes;
    case K::kYear:
      return std::to_string(v.integer == 0 ? 1900 : v.integer);
    case K::kDate:
      std::snprintf(buf, sizeof buf, "'%04d:%02u:%02u'", v.temporal.year, v.temporal.month,
                    v.temporal.day);
      return buf;
    case K::kTime:
      std::snprintf(buf, sizeof buf, "%s%02u:%02u:%02u", v.temporal.negative ? "-" : "",
                    v.temporal.hour, v.temporal.minute, v.temporal.second);
      return "'" + std::string(buf) + fraction(v.temporal.micros, c.fsp) + "'";
    case K::kDateTime:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u:%02u", v.temporal.year,
                    v.temporal.month, v.temporal.day, v.temporal.hour, v.temporal.minute,
                    v.temporal.second);
      return "'" + std::string(buf) + fraction(v.temporal.micros, c.fsp) + "'";
    case K::kTimestamp:
      return std::to_string(v.integer) + fraction(v.temporal.micros, c.fsp);
    case K::kBytes:
    case K::kJsonBinary:
    case K::kJsonDiff:
      return quoted(v.bytes);
    case K::kEnum:
      return std::to_string(v.integer);
    case K::kSet: {
      // mariadb-binlog prints the stored bytes in order: little-endian, each byte MSB first.
      std::string out = "b'";
      for (size_t byte = 0; byte < c.max_length; ++byte) {
        for (int bit = 7; bit >= 0; --bit) {
          out += (static_cast<uint64_t>(v.integer) >> (8 * byte + bit)) & 1 ? '1' : '0';
        }
      }
      return out + "'";
    }
    case K::kBit: {
      size_t bits = c.bits;
      std::string out = "b'";
      for (size_t i = bits; i > 0; --i) {
        out += (static_cast<uint64_t>(v.integer) >> (i - 1)) & 1 ? '1' : '0';
      }
      return out + "'";
    }
  }
  return "?";
}

inline std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The "### ..." lines of the reference output, trailing spaces removed.
inline std::vector<std::string> reference_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) out.push_back(rtrim(line));
  }
  return out;
}

// Appends the "### ..." lines mariadb-binlog -v prints for one rows event.
inline void append_reference_lines(const TableMap& map, RowsEvent::Kind kind,
                                   const std::vector<RowChange>& changes,
                                   std::vector<std::string>& out) {
  {
    std::string table = "`" + map.database + "`.`" + map.table + "`";
    auto image = [&](const RowImageValues& values) {
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].kind == ColumnValue::Kind::kAbsent) continue;
        out.push_back(rtrim("###   @" + std::to_string(i + 1) + "=" +
                            reference_text(map.columns[i], values[i])));
      }
    };
    for (const RowChange& ch : changes) {
      switch (kind) {
        case RowsEvent::Kind::kWrite:
          out.push_back("### INSERT INTO " + table);
          out.push_back("### SET");
          image(*ch.after);
          break;
        case RowsEvent::Kind::kUpdate:
          out.push_back("### UPDATE " + table);
          out.push_back("### WHERE");
          image(*ch.before);
          out.push_back("### SET");
          image(*ch.after);
          break;
        case RowsEvent::Kind::kDelete:
          out.push_back("### DELETE FROM " + table);
          out.push_back("### WHERE");
          image(*ch.before);
          break;
      }
    }
  }
}

}  // namespace siphon::source::binlog::testing
