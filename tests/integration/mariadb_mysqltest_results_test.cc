// A second opinion on the binlog value decoding: MariaDB's own regression suite (Debian package
// mariadb-test-data) pins, in its expected-result files, what `mariadb-binlog -v -v` prints for
// the row events of a workload that covers every column type. This test replays that workload,
// as the result file records it (the DDL of its Query events and the statements of its
// Annotate_rows events, in order, with the suite's session settings), on a server started by the
// harness while Siphon streams it, then checks every value of every row change Siphon emitted
// against the row images the MariaDB developers wrote down. The expected values are read from
// the result file and the CREATE TABLE texts only, never from Siphon's output or schema.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/mariadb_server.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// Where Debian's mariadb-test-data installs the suite (scripts/install-deps.sh installs it).
const std::string kSuite = "/usr/share/mysql/mysql-test/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// ----- Column facts from the CREATE TABLE texts ------------------------------------------------

struct ColumnFacts {
  std::string name;
  bool is_unsigned = false;
  // How the column's bytes become Debezium's value: text in latin1 (the suite's default, which
  // the replay database gets too), utf8 or ucs2, or bytes (BINARY, VARBINARY, BLOB kinds).
  enum class Encoding { kLatin1, kUtf8, kUcs2, kBytes } encoding = Encoding::kLatin1;
  std::optional<size_t> binary_length;  // BINARY(n): Debezium re-pads to n bytes
  std::vector<std::string> members;     // ENUM / SET labels
};

// Splits `text` at commas outside parentheses and quotes.
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char ch : text) {
    if (quote) {
      if (ch == quote) quote = 0;
    } else if (ch == '\'' || ch == '"' || ch == '`') {
      quote = ch;
    } else if (ch == '(') {
      ++depth;
    } else if (ch == ')') {
      --depth;
    } else if (ch == ',' && depth == 0) {
      parts.push_back(trim(current));
      current.clear();
      continue;
    }
    current += ch;
  }
  if (!trim(current).empty()) parts.push_back(trim(current));
  return parts;
}

// The columns of a CREATE TABLE statement; nullopt for other statements.
std::optional<std::pair<std::string, std::vector<ColumnFacts>>> create_table_columns(
    const std::string& statement) {
  static const std::regex create(R"(^CREATE TABLE (?:IF NOT EXISTS )?`?(\w+)`?\s*\()",
                                 std::regex::icase);
  std::smatch m;
  if (!std::regex_search(statement, m, create)) return std::nullopt;
  const size_t open = m.length(0) - 1;
  int depth = 0;
  size_t close = open;
  for (; close < statement.size(); ++close) {
    if (statement[close] == '(') ++depth;
    if (statement[close] == ')' && --depth == 0) break;
  }
  // A table-level "CHARSET=ucs2" / "DEFAULT CHARACTER SET utf8" applies to its text columns.
  std::optional<ColumnFacts::Encoding> table_charset;
  static const std::regex table_option(R"((?:CHARSET|CHARACTER SET)\s*=?\s*(\w+))",
                                       std::regex::icase);
  if (std::smatch o; std::regex_search(statement.begin() + static_cast<long>(close),
                                       statement.end(), o, table_option)) {
    const std::string cs = upper(o[1]);
    if (cs == "UCS2") table_charset = ColumnFacts::Encoding::kUcs2;
    if (cs.starts_with("UTF8")) table_charset = ColumnFacts::Encoding::kUtf8;
  }
  std::vector<ColumnFacts> columns;
  static const std::regex binary(R"(^BINARY\b\s*(?:\((\d+)\))?)", std::regex::icase);
  static const std::regex members(R"(^(?:ENUM|SET)\s*\((.*)\))", std::regex::icase);
  for (const std::string& def : split_top_level(statement.substr(open + 1, close - open - 1))) {
    const std::string first = upper(def.substr(0, def.find_first_of(" \t\n(")));
    if (first == "PRIMARY" || first == "KEY" || first == "UNIQUE" || first == "INDEX" ||
        first == "CONSTRAINT" || first == "FOREIGN" || first == "FULLTEXT" || first == "SPATIAL" ||
        first == "CHECK") {
      continue;
    }
    ColumnFacts c;
    const size_t name_end = def.find_first_of(" \t\n");
    c.name = def.substr(0, name_end);
    std::erase(c.name, '`');
    const std::string type = trim(def.substr(name_end));
    // ZEROFILL implies UNSIGNED.
    c.is_unsigned =
        std::regex_search(type, std::regex(R"(\b(UNSIGNED|ZEROFILL)\b)", std::regex::icase));
    const std::string type_upper = upper(type);
    static const std::regex bytes(R"(^(VAR)?BINARY\b|^(TINY|MEDIUM|LONG)?BLOB\b)",
                                  std::regex::icase);
    static const std::regex utf8(R"(^NATIONAL\b|CHARACTER SET UTF8|CHARSET UTF8)",
                                 std::regex::icase);
    if (std::regex_search(type, bytes)) {
      c.encoding = ColumnFacts::Encoding::kBytes;
    } else if (type_upper.find("UCS2") != std::string::npos) {
      c.encoding = ColumnFacts::Encoding::kUcs2;
    } else if (std::regex_search(type, utf8)) {
      c.encoding = ColumnFacts::Encoding::kUtf8;
    } else if (table_charset) {
      c.encoding = *table_charset;
    }
    std::smatch t;
    if (std::regex_search(type, t, binary)) {
      c.binary_length = t[1].matched ? std::stoul(t[1]) : 1;
    }
    if (std::regex_search(type, t, members)) {
      for (std::string label : split_top_level(t[1])) {
        c.members.push_back(label.substr(1, label.size() - 2));
      }
    }
    columns.push_back(std::move(c));
  }
  return std::make_pair(std::string(m[1]), std::move(columns));
}

// ----- The result file: statements to replay and the row images expected --------------------

// One row value as mariadb-binlog -v -v prints it: the text before the comment and the binlog
// type the comment names ("INT", "STRING(2)", "BLOB/TEXT", ...).
struct PrintedValue {
  std::string text;
  std::string type;
  bool is_null = false;
};

struct ExpectedChange {
  std::string database;  // where the replay put it: "mtr<n>" for the n-th dump
  std::string table;     // as in the result file: "t1"
  std::string op;        // c, u, d
  std::vector<PrintedValue> before, after;
  std::string statement;  // the Annotate_rows statement, for messages
  // The table's columns as the CREATE TABLE in force then declared them (the suite drops and
  // creates tables again with other columns).
  std::vector<ColumnFacts> columns;
};

struct ResultFile {
  std::vector<std::string> statements;  // in binlog order, session SETs included
  std::vector<ExpectedChange> changes;
  int dumps = 0;             // replayed, each in its own database
  int skipped_segments = 0;  // dumps the reference itself could not decode
  std::map<std::string, std::vector<ColumnFacts>> columns_now;  // while reading
};

PrintedValue printed_value(const std::string& text) {
  static const std::regex with_comment(R"(^(.*?) ?/\* (\S+(?: bytes?\))?).* is_null=([01]) \*/$)");
  std::smatch m;
  PrintedValue v;
  if (std::regex_match(text, m, with_comment)) {
    v.text = trim(m[1]);
    v.type = m[2];
    v.is_null = m[3] == "1";
  } else {
    v.text = text;
  }
  return v;
}

// Splits one `mariadb-binlog -v -v` dump (between "DELIMITER /*!*/;" and "DELIMITER ;") into
// statements and expected row images. The suite resets the binlog and drops its tables between
// dumps, outside what they show: each dump is replayed in a database of its own instead of `test`.
void read_dump(const std::vector<std::string>& lines, ResultFile& out) {
  const std::string database = "mtr" + std::to_string(out.dumps++);
  out.columns_now.clear();
  out.statements.push_back("USE " + database);
  std::string pending;        // a statement's lines until its "/*!*/;"
  std::string annotate;       // "#Q> " lines of the current Annotate_rows event
  std::string last_annotate;  // the statement the following row images belong to
  ExpectedChange* change = nullptr;
  std::vector<PrintedValue>* image = nullptr;
  static const std::regex header(R"(^### (INSERT INTO|UPDATE|DELETE FROM) `([^`]*)`\.`([^`]*)`$)");
  static const std::regex value(R"(^###   @([0-9]+)=(.*)$)");
  auto add_statement = [&](const std::string& statement) {
    if (auto create = create_table_columns(statement))
      out.columns_now[create->first] = create->second;
    out.statements.push_back(statement);
  };
  auto end_annotate = [&] {
    if (annotate.empty()) return;
    // LOAD DATA names the suite's data files relative to the data directory of its server.
    for (size_t at; (at = annotate.find("'../../std_data/")) != std::string::npos;) {
      annotate.replace(at, 16, "'" + kSuite + "std_data/");
    }
    add_statement(annotate);
    last_annotate = annotate;
    annotate.clear();
  };
  for (const std::string& line : lines) {
    std::smatch m;
    if (line.starts_with("#Q> ")) {
      annotate += (annotate.empty() ? "" : "\n") + line.substr(4);
      continue;
    }
    end_annotate();
    if (std::regex_match(line, m, header)) {
      EXPECT_EQ(m[2], "test") << line;
      out.changes.push_back({.database = database,
                             .table = m[3],
                             .op = m[1] == "INSERT INTO" ? "c"
                                   : m[1] == "UPDATE"    ? "u"
                                                         : "d",
                             .before = {},
                             .after = {},
                             .statement = last_annotate,
                             .columns = out.columns_now[m[3]]});
      change = &out.changes.back();
      image = nullptr;
    } else if (line == "### WHERE" && change) {
      image = &change->before;
    } else if (line == "### SET" && change) {
      image = &change->after;
    } else if (std::regex_match(line, m, value) && image) {
      EXPECT_EQ(std::stoul(m[1]), image->size() + 1) << line;
      image->push_back(printed_value(m[2]));
    } else if (line.starts_with("#")) {
      change = nullptr;
      image = nullptr;
    } else if (line.ends_with("/*!*/;")) {
      const std::string statement = trim(pending + line.substr(0, line.size() - 6));
      pending.clear();
      // The session settings that change values: the statement time (TIMESTAMP defaults), the
      // SQL mode and the client character set. Values the suite masks ("SET TIMESTAMP=X") and
      // other SETs (masked or irrelevant) are left out.
      static const std::regex kept_setting(R"(^SET (TIMESTAMP|@@session\.sql_mode)=[0-9.]+$)");
      if (std::regex_match(statement, kept_setting)) {
        out.statements.push_back(statement);
      } else if (statement.starts_with("/*!\\C ")) {
        out.statements.push_back("SET NAMES " +
                                 trim(statement.substr(6, statement.find("*/") - 6)));
      } else if (statement.starts_with("use ")) {
        EXPECT_EQ(statement, "use `test`");
        out.statements.push_back("USE " + database);
      } else if (!statement.empty() && !statement.starts_with("SET ") &&
                 !statement.starts_with("/*") && !statement.starts_with("ROLLBACK")) {
        add_statement(statement);  // START TRANSACTION, COMMIT, DDL
      }
    } else {
      pending += line + "\n";
    }
  }
  end_annotate();
}

ResultFile read_result_file(const std::string& path) {
  const std::string text = read_file(path);
  EXPECT_FALSE(text.empty()) << path << " is missing: install the package mariadb-test-data";
  ResultFile out;
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> dump;
  bool in_dump = false, unreadable = false;
  while (std::getline(in, line)) {
    if (line == "DELIMITER /*!*/;") {
      if (in_dump) ++out.skipped_segments;  // the reference gave up in the middle of that dump
      in_dump = true;
      unreadable = false;
      dump.clear();
    } else if (line == "DELIMITER ;" && in_dump) {
      in_dump = false;
      if (unreadable) {
        ++out.skipped_segments;
      } else {
        read_dump(dump, out);
      }
    } else if (in_dump) {
      // A dump of a binlog recorded by an old server (in std_data) that the reference reports
      // it cannot decode: its statements refer to tables this replay does not have.
      if (line.starts_with("Error: ")) unreadable = true;
      dump.push_back(line);
    }
  }
  return out;
}

// ----- Printed value -> the value Debezium emits -----------------------------------------------

// The bytes of a string as mariadb-binlog quotes it: bytes below 0x20 as \xNN, others as is.
std::string unquoted_bytes(const std::string& text) {
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(text.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string hex(const std::string& bytes) {
  std::string out;
  char b[3];
  for (unsigned char ch : bytes) {
    std::snprintf(b, sizeof b, "%02x", ch);
    out += b;
  }
  return out;
}

// Kafka Connect's JSON form of a bytes value whose column binary.handling.mode does not cover
// (io.debezium.data.Bits, a geometry's wkb).
std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// Latin-1 (the suite's default; cp1252 differs only in 0x80-0x9f, absent here) or UCS-2 bytes
// as UTF-8.
std::string utf8_of(const std::string& bytes, bool ucs2) {
  std::string out;
  auto put = [&out](unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xe0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  };
  if (ucs2) {
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
      put((static_cast<unsigned char>(bytes[i]) << 8) | static_cast<unsigned char>(bytes[i + 1]));
    }
  } else {
    for (unsigned char ch : bytes) put(ch);
  }
  return out;
}

int64_t epoch_micros(int y, unsigned mo, unsigned d, int h, int mi, int s, long micros) {
  const std::chrono::sys_days date{std::chrono::year{y} / std::chrono::month{mo} /
                                   std::chrono::day{d}};
  return std::chrono::duration_cast<std::chrono::microseconds>(date.time_since_epoch()).count() +
         ((h * 60LL + mi) * 60 + s) * 1000000 + micros;
}

// "123" / ".5" / "" as micro-seconds of a fraction.
long fraction_micros(const std::string& digits) {
  std::string d = digits.empty() ? "" : digits.substr(1);
  d.resize(6, '0');
  return std::stol(d);
}

// What the printed value must be in Siphon's record, as the JSON Debezium writes with
// decimal.handling.mode=string, binary.handling.mode=hex, bigint.unsigned.handling.mode=long and
// the default time.precision.mode (adaptive_time_microseconds). nullopt: a type this test does not
// know, reported by the caller.
std::optional<nlohmann::json> debezium_value(const PrintedValue& v, const ColumnFacts& column) {
  if (v.is_null) return nlohmann::json();
  const std::string& t = v.text;
  const std::string type = v.type.substr(0, v.type.find('('));
  std::smatch m;
  if (type == "TINYINT" || type == "SHORTINT" || type == "MEDIUMINT" || type == "INT" ||
      type == "LONGINT") {
    // "-1 (255)": the signed reading, then the unsigned one. Unsigned columns are widened, except
    // BIGINT UNSIGNED which the long mode wraps into its signed reading, as Debezium does.
    static const std::regex readings(R"(^(-?[0-9]+)(?: \(([0-9]+)\))?$)");
    if (!std::regex_match(t, m, readings)) return std::nullopt;
    if (column.is_unsigned && type != "LONGINT" && m[2].matched) {
      return nlohmann::json(std::stoull(m[2]));
    }
    return nlohmann::json(std::stoll(m[1]));
  }
  if (type == "YEAR") return nlohmann::json(std::stoll(t));
  if (type == "DECIMAL") return nlohmann::json(t);
  if (type == "DATE") {
    int y;
    unsigned mo, d;
    if (std::sscanf(t.c_str(), "'%d:%u:%u'", &y, &mo, &d) != 3) return std::nullopt;
    return nlohmann::json(epoch_micros(y, mo, d, 0, 0, 0, 0) / 86400000000LL);
  }
  if (type == "DATETIME") {
    static const std::regex dt(R"('(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(\.\d+)?')");
    if (!std::regex_match(t, m, dt)) return std::nullopt;
    const int64_t micros =
        epoch_micros(std::stoi(m[1]), std::stoul(m[2]), std::stoul(m[3]), std::stoi(m[4]),
                     std::stoi(m[5]), std::stoi(m[6]), fraction_micros(m[7]));
    const int fsp = std::stoi(v.type.substr(v.type.find('(') + 1));
    return nlohmann::json(fsp <= 3 ? micros / 1000 : micros);  // Timestamp / MicroTimestamp
  }
  if (type == "TIMESTAMP") {
    // Seconds since the epoch; Debezium's ZonedTimestamp in UTC, fraction as the column has it.
    static const std::regex ts(R"((\d+)(\.\d+)?)");
    if (!std::regex_match(t, m, ts)) return std::nullopt;
    const std::time_t seconds = std::stoll(m[1]);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char b[64];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &utc);
    return nlohmann::json(std::string(b) + std::string(m[2]) + "Z");
  }
  if (type == "TIME") {
    static const std::regex time(R"('(-?)(\d+):(\d+):(\d+)(\.\d+)?')");
    if (!std::regex_match(t, m, time)) return std::nullopt;
    const int64_t micros =
        ((std::stoll(m[2]) * 60 + std::stoll(m[3])) * 60 + std::stoll(m[4])) * 1000000 +
        fraction_micros(m[5]);
    return nlohmann::json(m[1] == "-" ? -micros : micros);  // MicroTime
  }
  if (type == "BIT") {
    static const std::regex bits(R"(b'([01]+)')");
    if (!std::regex_match(t, m, bits)) return std::nullopt;
    const std::string digits = m[1];
    if (digits.size() == 1) return nlohmann::json(digits == "1");
    // io.debezium.data.Bits: the value's bytes, least significant first.
    const uint64_t n = std::stoull(digits, nullptr, 2);
    std::string bytes((digits.size() + 7) / 8, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return nlohmann::json(base64(bytes));
  }
  if (type == "ENUM") {
    const size_t index = std::stoul(t);  // 1-based; 0 is the empty error value
    if (index > column.members.size()) return std::nullopt;
    return nlohmann::json(index == 0 ? "" : column.members[index - 1]);
  }
  if (type == "SET") {
    static const std::regex bits(R"(b'([01]+)')");
    if (!std::regex_match(t, m, bits)) return std::nullopt;
    const uint64_t mask = std::stoull(m[1], nullptr, 2);
    std::string labels;
    for (size_t i = 0; i < column.members.size(); ++i) {
      if (mask & (1ULL << i)) labels += (labels.empty() ? "" : ",") + column.members[i];
    }
    return nlohmann::json(labels);
  }
  if (type == "GEOMETRY") {
    // The stored value: a little-endian SRID, then WKB.
    const std::string bytes = unquoted_bytes(t);
    if (bytes.size() < 4) return std::nullopt;
    const uint32_t srid = static_cast<uint8_t>(bytes[0]) | static_cast<uint8_t>(bytes[1]) << 8 |
                          static_cast<uint8_t>(bytes[2]) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(bytes[3])) << 24;
    return nlohmann::json{{"wkb", base64(bytes.substr(4))}, {"srid", srid}};
  }
  if (type == "STRING" || type == "VARSTRING" || type.find("BLOB") != std::string::npos) {
    std::string bytes = unquoted_bytes(t);
    if (column.binary_length) {
      bytes.resize(std::max(bytes.size(), *column.binary_length), '\0');
      return nlohmann::json(hex(bytes));
    }
    switch (column.encoding) {
      case ColumnFacts::Encoding::kBytes:
        return nlohmann::json(hex(bytes));
      case ColumnFacts::Encoding::kUtf8:
        return nlohmann::json(bytes);
      case ColumnFacts::Encoding::kUcs2:
        return nlohmann::json(utf8_of(bytes, true));
      case ColumnFacts::Encoding::kLatin1:
        return nlohmann::json(utf8_of(bytes, false));
    }
  }
  return std::nullopt;
}

// FLOAT and DOUBLE are printed with the suite masking digits: "123.223..." for 123.2234, and
// "-3.402..." for -3.40282e+38 (the exponent is masked too). Equal when the emitted number agrees
// with every printed digit, as a plain number or as the mantissa of its scientific form.
bool float_matches(const std::string& printed, const nlohmann::json& actual) {
  if (!actual.is_number()) return false;
  std::string digits = printed;
  const bool masked = digits.ends_with("...");
  if (masked) digits.resize(digits.size() - 3);
  const size_t dot = digits.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(digits.size() - dot - 1);
  const double tolerance = std::pow(10.0, -decimals);
  const double value = actual.get<double>();
  const double want = std::stod(digits);
  if (std::abs(value - want) < tolerance) return true;
  if (!masked || value == 0 || std::signbit(value) != std::signbit(want)) return false;
  const double mantissa = std::abs(value) / std::pow(10.0, std::floor(std::log10(std::abs(value))));
  return std::abs(mantissa - std::abs(want)) < tolerance;
}

// ----- Siphon's records ---------------------------------------------------------------------

struct EmittedChange {
  std::string op;
  std::vector<std::pair<std::string, nlohmann::json>> before, after;  // in column order
};

std::vector<EmittedChange> emitted_changes(const MariaDbSiphonHarness& h,
                                           const std::string& topic) {
  std::vector<EmittedChange> out;
  for (const nlohmann::json& r : h.records(topic)) {
    if (r["value"].is_null()) continue;  // tombstone
    std::vector<std::string> names;
    for (const nlohmann::json& f : r["value"]["schema"]["fields"]) {
      if (f["field"] != "after") continue;
      for (const nlohmann::json& c : f["fields"]) names.push_back(c["field"]);
    }
    const nlohmann::json& v = payload_of(r["value"]);
    EmittedChange c{.op = v["op"], .before = {}, .after = {}};
    for (const std::string& name : names) {
      if (!v["before"].is_null()) c.before.emplace_back(name, v["before"][name]);
      if (!v["after"].is_null()) c.after.emplace_back(name, v["after"][name]);
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Replays `result` on a fresh server while Siphon streams it, then compares every value.
// `server_options` are the suite's own for that test (its .opt file or SET GLOBALs);
// `event_type`, when given, must be among the binlog events the replay wrote (so the test reads
// what it means to, e.g. compressed row events).
void check_against_result_file(const std::string& relative_path, size_t at_least_values,
                               std::vector<std::string> server_options = {},
                               const std::string& event_type = "") {
  SCOPED_TRACE(relative_path);
  const ResultFile result = read_result_file(kSuite + relative_path);
  ASSERT_FALSE(result.changes.empty());

  server_options.push_back("--secure-file-priv=" + kSuite + "std_data");
  auto server = MariaDbServer::start(server_options);
  MariaDbConnection sql = server->connect();
  for (int i = 0; i < result.dumps; ++i) {
    // The suite's servers default to latin1; columns without a character set get it here too.
    sql.exec("CREATE DATABASE mtr" + std::to_string(i) + " CHARACTER SET latin1");
  }
  MariaDbSiphonHarness h(*server, "mtr");
  h.props["debezium.source.database.include.list"] = "mtr[0-9]+";
  h.props["debezium.source.decimal.handling.mode"] = "string";
  h.props["debezium.source.binary.handling.mode"] = "hex";
  auto siphon = h.start();
  h.wait_until_streaming();

  // mysql-test-run runs its servers in the GMT-3 time zone: TIMESTAMP literals mean that.
  MariaDbConnection replay = server->connect();
  replay.exec("SET time_zone = '+03:00'");
  for (const std::string& statement : result.statements) {
    ASSERT_NO_THROW(replay.exec(statement)) << statement;
  }

  if (!event_type.empty()) {
    std::set<std::string> types;
    for (const auto& log : sql.query("SHOW BINARY LOGS")) {
      for (const auto& event : sql.query("SHOW BINLOG EVENTS IN '" + *log[0] + "'")) {
        types.insert(event[2].value_or(""));
      }
    }
    std::string seen;
    for (const std::string& t : types) seen += t + " ";
    EXPECT_TRUE(types.contains(event_type)) << "the replay's binlog has only " << seen;
  }

  const std::string last_gtid = sql.scalar("SELECT @@global.gtid_binlog_pos");
  const bool caught_up = h.wait_for_gtids(last_gtid);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  ASSERT_TRUE(caught_up) << "Siphon's offset never reached " << last_gtid << "\n" << h.log();

  std::map<std::string, std::vector<EmittedChange>> emitted;
  std::map<std::string, size_t> used;
  size_t values = 0;
  int mismatches = 0;
  for (size_t i = 0; i < result.changes.size() && mismatches < 20; ++i) {
    const ExpectedChange& expected = result.changes[i];
    const std::string table = expected.database + "." + expected.table;
    if (!emitted.contains(table)) {
      emitted[table] = emitted_changes(h, h.topic(expected.database, expected.table));
    }
    const std::vector<EmittedChange>& actual_changes = emitted[table];
    const size_t index = used[table]++;
    ASSERT_LT(index, actual_changes.size()) << "Siphon emitted fewer changes of " << table
                                            << "; missing the one of: " << expected.statement;
    const EmittedChange& actual = actual_changes[index];
    SCOPED_TRACE(expected.statement);
    EXPECT_EQ(actual.op, expected.op);
    const std::vector<ColumnFacts>& facts = expected.columns;
    auto compare = [&](const std::vector<PrintedValue>& printed,
                       const std::vector<std::pair<std::string, nlohmann::json>>& got) {
      ASSERT_EQ(got.size(), printed.size());
      if (printed.empty()) return;  // no before image of an insert, no after image of a delete
      ASSERT_EQ(facts.size(), printed.size());
      for (size_t c = 0; c < printed.size(); ++c) {
        ++values;
        const PrintedValue& p = printed[c];
        EXPECT_EQ(got[c].first, facts[c].name);
        const bool is_float = p.type == "FLOAT" || p.type == "DOUBLE";
        if (is_float && !p.is_null) {
          if (!float_matches(p.text, got[c].second)) {
            ++mismatches;
            ADD_FAILURE() << facts[c].name << ": printed " << p.text << ", Siphon "
                          << got[c].second.dump();
          }
          continue;
        }
        auto want = debezium_value(p, facts[c]);
        if (!want) {
          ++mismatches;
          ADD_FAILURE() << facts[c].name << ": no rule for " << p.type << " value " << p.text;
        } else if (*want != got[c].second) {
          ++mismatches;
          ADD_FAILURE() << facts[c].name << " (" << p.type << "): printed " << p.text << " means "
                        << want->dump() << ", Siphon " << got[c].second.dump();
        }
      }
    };
    compare(expected.before, actual.before);
    compare(expected.after, actual.after);
  }
  for (const auto& [table, list] : emitted) {
    EXPECT_EQ(list.size(), used[table]) << "Siphon emitted more changes of " << table;
  }
  EXPECT_GE(values, at_least_values);
  std::cout << relative_path << ": " << result.changes.size() << " row changes, " << values
            << " values compared (" << result.skipped_segments
            << " dumps the reference could not decode left out)" << std::endl;
}

TEST(MariaDbMysqlTestResults, EveryColumnTypeAsBinlogMysqlbinlogRowPinsIt) {
  check_against_result_file("suite/binlog/r/binlog_mysqlbinlog_row.result", 200);
}

TEST(MariaDbMysqlTestResults, InnodbRowsAsBinlogMysqlbinlogRowInnodbPinsThem) {
  check_against_result_file("suite/binlog/r/binlog_mysqlbinlog_row_innodb.result", 1500);
}

TEST(MariaDbMysqlTestResults, MyisamRowsAsBinlogMysqlbinlogRowMyisamPinsThem) {
  check_against_result_file("suite/binlog/r/binlog_mysqlbinlog_row_myisam.result", 1500);
}

TEST(MariaDbMysqlTestResults, TransactionsAsBinlogMysqlbinlogRowTransPinsThem) {
  check_against_result_file("suite/binlog/r/binlog_mysqlbinlog_row_trans.result", 80);
}

TEST(MariaDbMysqlTestResults, CompressedRowEventsAsMysqlbinlogRowCompressedPinsThem) {
  check_against_result_file("main/mysqlbinlog_row_compressed.result", 100,
                            {"--log-bin-compress=ON", "--log-bin-compress-min-len=10"},
                            "Write_rows_compressed_v1");
}

}  // namespace
}  // namespace siphon::testing
