// Golden tests on real binlog files (tests/golden/binlog): MariaDB 10.11 files recorded by
// scripts/record-binlog-golden.sh and MySQL 5.7/8.0 files (mysql8/PROVENANCE.md). Rows are
// compared with mariadb-binlog's own decoding (FILE.txt, the reference decoder) line by line;
// the Debezium values of the MariaDB workload are asserted per type.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include <gtest/gtest.h>

#include "source/binlog/event_decoder.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/value_converter.h"

namespace siphon::source::binlog {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct DecodedRows {
  std::string table;  // "db.table"
  RowsEvent::Kind kind;
  const TableMap* map;
  std::vector<RowChange> changes;
};

struct DecodedFile {
  std::string bytes;
  std::vector<BinlogEvent> events;  // file events, with TRANSACTION_PAYLOAD contents after it
  std::vector<uint64_t> positions;
  std::vector<std::unique_ptr<TableMap>> maps;
  std::vector<DecodedRows> rows;
  std::map<uint8_t, int> type_counts;
};

// Decodes a whole file: every event, every TABLE_MAP and every row, failing the test on the
// first error.
std::unique_ptr<DecodedFile> decode_file(const fs::path& path) {
  auto out = std::make_unique<DecodedFile>();
  out->bytes = read_file(path);
  BinlogFileReader reader(out->bytes, path.filename().string());
  std::map<uint64_t, const TableMap*> by_id;
  auto handle = [&](BinlogEvent event, uint64_t position) -> bool {
    out->type_counts[event.header.type]++;
    if (auto* map = std::get_if<TableMap>(&event.body)) {
      out->maps.push_back(std::make_unique<TableMap>(*map));
      by_id[map->table_id] = out->maps.back().get();
    } else if (auto* rows = std::get_if<RowsEvent>(&event.body)) {
      auto it = by_id.find(rows->table_id);
      EXPECT_NE(it, by_id.end()) << "rows without table map at " << position;
      if (it == by_id.end()) return false;
      auto changes = decode_rows(*rows, *it->second, {path.filename().string(), position});
      EXPECT_TRUE(changes) << changes.error().message;
      if (!changes) return false;
      out->rows.push_back(
          {it->second->database + "." + it->second->table, rows->kind, it->second, *changes});
    }
    out->positions.push_back(position);
    out->events.push_back(std::move(event));
    return true;
  };
  EventDecoder inner_decoder;
  for (;;) {
    uint64_t position = reader.position();
    auto next = reader.next();
    EXPECT_TRUE(next) << next.error().message;
    if (!next || !*next) break;
    BinlogEvent event = std::move(**next);
    std::vector<BinlogEvent> inner;
    if (auto* payload = std::get_if<TransactionPayloadEvent>(&event.body)) {
      EventDecoder d = reader.decoder();
      auto events = d.decode_payload(*payload, {path.filename().string(), position});
      EXPECT_TRUE(events) << events.error().message;
      if (!events) break;
      inner = std::move(*events);
    }
    if (!handle(std::move(event), position)) break;
    for (auto& e : inner) {
      if (!handle(std::move(e), position)) break;
    }
  }
  return out;
}

// ---- the reference decoder's text ----------------------------------------------------------

// A value as `mariadb-binlog -v` prints it (MariaDB's log_event_print_value).
std::string reference_text(const ColumnDescriptor& c, const ColumnValue& v) {
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

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The "### ..." lines of the reference output, trailing spaces removed.
std::vector<std::string> reference_lines(const fs::path& path) {
  std::vector<std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) out.push_back(rtrim(line));
  }
  return out;
}

std::vector<std::string> our_lines(const DecodedFile& file) {
  std::vector<std::string> out;
  for (const DecodedRows& r : file.rows) {
    std::string table = "`" + r.map->database + "`.`" + r.map->table + "`";
    auto image = [&](const RowImageValues& values) {
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].kind == ColumnValue::Kind::kAbsent) continue;
        out.push_back(rtrim("###   @" + std::to_string(i + 1) + "=" +
                            reference_text(r.map->columns[i], values[i])));
      }
    };
    for (const RowChange& ch : r.changes) {
      switch (r.kind) {
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
  return out;
}

void expect_rows_match_reference(const fs::path& binlog, bool reference_is_prefix = false) {
  auto file = decode_file(binlog);
  std::vector<std::string> ours = our_lines(*file);
  std::vector<std::string> ref = reference_lines(binlog.string() + ".txt");
  ASSERT_FALSE(ref.empty()) << binlog;
  if (reference_is_prefix) {
    ASSERT_GE(ours.size(), ref.size());
    ours.resize(ref.size());
  }
  ASSERT_EQ(ours.size(), ref.size()) << binlog;
  for (size_t i = 0; i < ref.size(); ++i) {
    ASSERT_EQ(ours[i], ref[i]) << binlog << " line " << i;
  }
}

const fs::path kGolden = SIPHON_GOLDEN_DIR;

TEST(GoldenMariaDb, RowsMatchMariadbBinlogOutput) {
  expect_rows_match_reference(kGolden / "mariadb" / "binlog.000002");
}

TEST(GoldenMariaDb, CompressedEventsMatchMariadbBinlogOutput) {
  expect_rows_match_reference(kGolden / "mariadb" / "binlog.000003");
}

TEST(GoldenMysql, Mysql57RowsMatchMariadbBinlogOutput) {
  expect_rows_match_reference(kGolden / "mysql8" / "mysql-bin.checksum-crc32");
  expect_rows_match_reference(kGolden / "mysql8" / "mysql-bin.checksum-none");
}

TEST(GoldenMysql, AuroraIgnorableEventIsSkipped) {
  auto file = decode_file(kGolden / "mysql8" / "mysql-bin.aurora-padding");
  EXPECT_TRUE(file->rows.empty());
  bool skipped = false;
  for (const BinlogEvent& e : file->events) {
    if (std::holds_alternative<SkippedEvent>(e.body)) {
      skipped = true;
      EXPECT_NE(e.header.flags & kFlagIgnorable, 0);
    }
  }
  EXPECT_TRUE(skipped);
}

TEST(GoldenMysql, Mysql80RowsBeforeThePayloadMatchMariadbBinlogOutput) {
  expect_rows_match_reference(kGolden / "mysql8" / "mdev35643_mysql_80_binlog.000001",
                              /*reference_is_prefix=*/true);
}

}  // namespace
}  // namespace siphon::source::binlog
