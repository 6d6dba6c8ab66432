// Differential test: the same random workload decoded by Siphon and by the reference decoder,
// `mariadb-binlog -v -v --base64-output=DECODE-ROWS`, must give the same row changes, table by
// table and in order: the operation, and every column of the before and after images.
#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/mariadb_server.h"
#include "support/process.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// One row change as text: "c|<after>", "u|<before>|<after>", "d|<before>", an image being
// its column values in column order joined by ",".
using ChangeText = std::string;

// The columns of the workload's tables, in order.
const std::vector<std::string> kColumns = {"id", "qty", "note", "amount", "flag"};

// 1-based position of the one UNSIGNED column: mariadb-binlog prints its unsigned reading.
constexpr int kUnsignedColumn = 5;

// A string as mariadb-binlog prints it: quoted as is, control characters as \xNN.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) > 0x1f) {
      out += ch;
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(ch));
      out += b;
    }
  }
  return out + "'";
}

std::string sql_literal(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string image_from_siphon(const nlohmann::json& row) {
  std::string out;
  for (const std::string& column : kColumns) {
    if (!out.empty()) out += ",";
    const nlohmann::json& v = row[column];
    if (v.is_null()) {
      out += "NULL";
    } else if (v.is_string()) {
      out += column == "amount" ? v.get<std::string>() : quoted(v.get<std::string>());
    } else {
      out += v.dump();
    }
  }
  return out;
}

// Changes per table ("db.table") from Siphon's topic files.
std::map<std::string, std::vector<ChangeText>> from_siphon(const MariaDbSiphonHarness& h,
                                                           const std::vector<std::string>& tables) {
  std::map<std::string, std::vector<ChangeText>> out;
  for (const std::string& table : tables) {
    const std::string db = table.substr(0, table.find('.'));
    const std::string name = table.substr(table.find('.') + 1);
    for (const nlohmann::json& r : h.records(h.topic(db, name))) {
      if (r["value"].is_null()) continue;  // tombstone
      const nlohmann::json& v = payload_of(r["value"]);
      const std::string op = v["op"];
      ChangeText c = op;
      if (op != "c") c += "|" + image_from_siphon(v["before"]);
      if (op != "d") c += "|" + image_from_siphon(v["after"]);
      out[table].push_back(c);
    }
  }
  return out;
}

// A value as mariadb-binlog prints it, normalised like image_from_siphon: the comment that -v -v
// adds and the unsigned reading of a negative integer ("-5 (251)") dropped.
std::string reference_value(std::string text, bool unsigned_column) {
  if (size_t comment = text.find(" /*"); comment != std::string::npos) text.resize(comment);
  static const std::regex two_readings(R"(^(-?[0-9]+) \(([0-9]+)\)$)");
  std::smatch m;
  if (std::regex_match(text, m, two_readings)) return unsigned_column ? m[2] : m[1];
  return text;
}

// Changes per table parsed from mariadb-binlog's "### INSERT INTO `db`.`t`" blocks.
std::map<std::string, std::vector<ChangeText>> from_reference(const std::string& text) {
  std::map<std::string, std::vector<ChangeText>> out;
  std::istringstream in(text);
  std::string line;
  std::string table, op;
  std::vector<std::string> before, after, *current = nullptr;
  auto flush = [&] {
    if (table.empty()) return;
    auto join = [](const std::vector<std::string>& values) {
      std::string s;
      for (const std::string& v : values) s += (s.empty() ? "" : ",") + v;
      return s;
    };
    ChangeText c = op;
    if (op != "c") c += "|" + join(before);
    if (op != "d") c += "|" + join(after);
    out[table].push_back(c);
    table.clear();
    before.clear();
    after.clear();
  };
  static const std::regex header(R"(^### (INSERT INTO|UPDATE|DELETE FROM) `([^`]*)`\.`([^`]*)`$)");
  static const std::regex value(R"(^###   @([0-9]+)=(.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, header)) {
      flush();
      op = m[1] == "INSERT INTO" ? "c" : m[1] == "UPDATE" ? "u" : "d";
      table = std::string(m[2]) + "." + std::string(m[3]);
      current = nullptr;
    } else if (line == "### WHERE") {
      current = &before;
    } else if (line == "### SET") {
      current = &after;
    } else if (std::regex_match(line, m, value) && current != nullptr) {
      current->push_back(reference_value(m[2], std::stoi(m[1]) == kUnsignedColumn));
    } else if (!line.starts_with("###")) {
      flush();
    }
  }
  flush();
  return out;
}

TEST(MariaDbDifferential, SiphonAndMariadbBinlogDecodeTheSameRowChanges) {
  auto server = MariaDbServer::start();
  MariaDbConnection sql = server->connect();
  const std::vector<std::string> tables = {"diff_a.items", "diff_b.items"};
  for (const std::string& t : tables) {
    const std::string db = t.substr(0, t.find('.'));
    sql.exec("CREATE DATABASE " + db + "; CREATE TABLE " + t +
             " (id INT PRIMARY KEY, qty BIGINT NOT NULL, note VARCHAR(40) CHARACTER SET utf8mb4, "
             "amount DECIMAL(12,2), flag TINYINT UNSIGNED)");
  }
  MariaDbSiphonHarness h(*server, "mdiff");
  h.props["debezium.source.decimal.handling.mode"] = "string";
  auto siphon = h.start();
  h.wait_until_streaming();

  // The workload: random transactions of inserts, updates and deletes on both tables.
  std::mt19937_64 rng(4242);
  std::map<std::string, std::set<int>> present;
  const std::vector<std::string> notes = {"plain", "quote ' inside", "é✓ utf-8", "tab\there", ""};
  for (int tx = 0; tx < 250; ++tx) {
    std::string statements = "BEGIN;";
    std::set<std::pair<std::string, int>> touched;  // one change per key per transaction
    for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
      const std::string& t = tables[rng() % tables.size()];
      int id = 1 + static_cast<int>(rng() % 40);
      if (!touched.insert({t, id}).second) continue;
      const long long qty = static_cast<long long>(rng() % 2000000) - 1000000;
      const std::string note = notes[rng() % notes.size()];
      const std::string amount =
          rng() % 5 == 0 ? "NULL"
                         : std::to_string(rng() % 100000) + "." + std::to_string(10 + rng() % 90);
      const std::string flag = rng() % 4 == 0 ? "NULL" : std::to_string(rng() % 256);
      const std::string note_sql = rng() % 6 == 0 ? "NULL" : sql_literal(note);
      if (!present[t].contains(id)) {
        statements += "INSERT INTO " + t + " VALUES (" + std::to_string(id) + "," +
                      std::to_string(qty) + "," + note_sql + "," + amount + "," + flag + ");";
        present[t].insert(id);
      } else if (rng() % 3 == 0) {
        statements += "DELETE FROM " + t + " WHERE id = " + std::to_string(id) + ";";
        present[t].erase(id);
      } else {
        statements += "UPDATE " + t + " SET qty = " + std::to_string(qty) + ", note = " + note_sql +
                      ", amount = " + amount + ", flag = " + flag +
                      " WHERE id = " + std::to_string(id) + ";";
      }
    }
    sql.exec(statements + "COMMIT");
  }
  const std::string last_gtid = sql.scalar("SELECT @@global.gtid_binlog_pos");

  // Siphon has everything once its offset reaches the server's last GTID.
  const bool caught_up = h.wait_for_gtids(last_gtid);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  ASSERT_TRUE(caught_up) << "Siphon's offset never reached " << last_gtid << "\n" << h.log();

  std::vector<std::string> command = {"mariadb-binlog", "-v", "-v", "--base64-output=DECODE-ROWS"};
  for (const auto& entry : std::filesystem::directory_iterator(server->data_dir())) {
    const std::string name = entry.path().filename().string();
    if (std::regex_match(name, std::regex(R"(binlog\.[0-9]{6})"))) {
      command.push_back(entry.path().string());
    }
  }
  std::sort(command.begin() + 4, command.end());
  ASSERT_GT(command.size(), 4u);
  CommandResult reference = run_command(command, 120s);
  ASSERT_TRUE(reference.status.success()) << reference.err;

  auto expected = from_reference(reference.out);
  auto actual = from_siphon(h, tables);
  size_t compared = 0;
  for (const std::string& t : tables) {
    SCOPED_TRACE(t);
    ASSERT_EQ(actual[t].size(), expected[t].size());
    for (size_t i = 0; i < expected[t].size(); ++i) {
      ASSERT_EQ(actual[t][i], expected[t][i]) << "change " << i;
    }
    compared += expected[t].size();
  }
  EXPECT_GT(compared, 400u);
  std::cout << compared << " row changes compared with mariadb-binlog -v -v" << std::endl;
}

}  // namespace
}  // namespace siphon::testing
