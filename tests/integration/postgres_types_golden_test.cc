// Every PostgreSQL type family, in every representation mode, against committed golden bytes
// (tests/golden/postgres-types/*.json): the key document and the `after` field schema and
// payload exactly as Siphon writes them, once from the snapshot (op r) and once from the stream
// (op c) of the same rows, so the two paths are also shown to agree byte for byte.
//
// Each golden table cites where its expectation comes from (Debezium's documentation and
// PostgresValueConverter, spec/debezium-compat.md). SIPHON_UPDATE_GOLDEN=1 rewrites the
// expected bytes from what the stream produced (review the diff before committing it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using ordered_json = nlohmann::ordered_json;

const std::filesystem::path kGoldenDir = SIPHON_TYPES_GOLDEN_DIR;

// The end (one past) of the JSON object or array that starts at `begin`.
size_t json_span_end(const std::string& text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == '{' || ch == '[') ++depth;
    if (ch == '}' || ch == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  throw std::runtime_error("unbalanced JSON: " + text.substr(begin, 80));
}

// The exact bytes of one record's parts, with the topic name replaced by ${topic}.
struct RecordBytes {
  std::string op;
  std::string key;           // the whole key document
  std::string after_schema;  // the `after` field of the envelope schema
  std::string after;         // the `after` payload
};

std::string untopic(std::string text, const std::string& topic) {
  for (size_t at = text.find(topic); at != std::string::npos; at = text.find(topic, at)) {
    text.replace(at, topic.size(), "${topic}");
  }
  return text;
}

RecordBytes record_bytes(const std::string& line, const std::string& topic) {
  RecordBytes r;
  const std::string key_tag = "{\"key\":";
  if (line.rfind(key_tag, 0) != 0) throw std::runtime_error("unexpected line: " + line);
  size_t key_end =
      line[key_tag.size()] == 'n' ? key_tag.size() + 4 : json_span_end(line, key_tag.size());
  r.key = untopic(line.substr(key_tag.size(), key_end - key_tag.size()), topic);
  const std::string before_schema_end = "\"field\":\"before\"},";
  size_t s = line.find(before_schema_end);
  if (s == std::string::npos) throw std::runtime_error("no before schema: " + line);
  s += before_schema_end.size();
  r.after_schema = untopic(line.substr(s, json_span_end(line, s) - s), topic);
  const std::string after_tag = "\"before\":null,\"after\":";
  size_t p = line.find(after_tag);
  if (p == std::string::npos) throw std::runtime_error("no after payload: " + line);
  p += after_tag.size();
  r.after = line.substr(p, json_span_end(line, p) - p);
  size_t op = line.find("\"op\":\"", p);
  if (op == std::string::npos) throw std::runtime_error("no op: " + line);
  r.op = line.substr(op + 6, 1);
  return r;
}

class PostgresTypesGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(PostgresTypesGolden, SnapshotAndStreamMatchTheGoldenBytes) {
  const std::filesystem::path file = kGoldenDir / (GetParam() + ".json");
  ordered_json golden;
  {
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    golden = ordered_json::parse(in);
  }
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  for (const auto& statement : golden.value("setup", ordered_json::array())) {
    sql.exec(statement.get<std::string>());
  }
  std::string include;
  for (const auto& t : golden.at("tables")) {
    const std::string table = t.at("table");
    sql.exec("DROP TABLE IF EXISTS " + table);
    sql.exec("CREATE TABLE " + table + " " + t.at("ddl").get<std::string>());
    for (const auto& statement : t.value("after_create", ordered_json::array())) {
      sql.exec(statement.get<std::string>());
    }
    include += (include.empty() ? "" : ",") + std::string("public\\.") + table;
  }
  auto configure = [&](SiphonHarness& h) {
    h.props["debezium.source.publication.autocreate.mode"] = "filtered";
    h.props["debezium.source.table.include.list"] = include;
    for (const auto& [k, v] : golden.at("properties").items()) {
      h.props["debezium.source." + k] = v.get<std::string>();
    }
  };
  auto insert_rows = [&] {
    for (const auto& t : golden.at("tables")) {
      for (const auto& row : t.at("rows")) {
        sql.exec("INSERT INTO " + t.at("table").get<std::string>() + " VALUES (" +
                 row.get<std::string>() + ")");
      }
    }
  };
  auto wait_all = [&](SiphonHarness& h) {
    for (const auto& t : golden.at("tables")) {
      ASSERT_TRUE(h.wait_for_records(h.topic(t.at("table")), t.at("rows").size())) << h.log();
    }
  };

  // The stream: a slot without a snapshot, then the rows.
  const std::string tag = "gt_" + std::regex_replace(GetParam(), std::regex("[^a-z0-9]"), "_");
  SiphonHarness stream(pg, tag + "_c");
  configure(stream);
  stream.props["debezium.source.snapshot.mode"] = "no_data";
  {
    auto siphon = stream.start();
    stream.wait_until_streaming(sql);
    insert_rows();
    wait_all(stream);
    ASSERT_TRUE(siphon.stop().success()) << stream.log();
  }
  // The snapshot of the same rows.
  SiphonHarness snapshot(pg, tag + "_r");
  configure(snapshot);
  snapshot.props["debezium.source.snapshot.mode"] = "initial";
  {
    auto siphon = snapshot.start();
    wait_all(snapshot);
    ASSERT_TRUE(siphon.stop().success()) << snapshot.log();
  }

  const bool update = std::getenv("SIPHON_UPDATE_GOLDEN") != nullptr;
  for (auto& t : golden.at("tables")) {
    const std::string table = t.at("table");
    SCOPED_TRACE(GetParam() + " / " + table);
    auto streamed = stream.raw_lines(stream.topic(table));
    auto snapshotted = snapshot.raw_lines(snapshot.topic(table));
    ASSERT_EQ(streamed.size(), t.at("rows").size()) << stream.log();
    ASSERT_EQ(snapshotted.size(), t.at("rows").size()) << snapshot.log();
    ordered_json keys = ordered_json::array(), afters = ordered_json::array();
    std::string schema;
    for (size_t i = 0; i < streamed.size(); ++i) {
      RecordBytes c = record_bytes(streamed[i], stream.topic(table));
      RecordBytes r = record_bytes(snapshotted[i], snapshot.topic(table));
      EXPECT_EQ(c.op, "c");
      EXPECT_EQ(r.op, "r");
      EXPECT_EQ(r.key, c.key) << "row " << i;
      EXPECT_EQ(r.after_schema, c.after_schema) << "row " << i;
      EXPECT_EQ(r.after, c.after) << "row " << i;
      if (i == 0) schema = c.after_schema;
      EXPECT_EQ(c.after_schema, schema) << "one schema for every row";
      keys.push_back(c.key);
      afters.push_back(c.after);
      if (!update) {
        EXPECT_EQ(c.key, t.at("keys").at(i).get<std::string>()) << "row " << i;
        EXPECT_EQ(c.after, t.at("after").at(i).get<std::string>()) << "row " << i;
      }
    }
    if (update) {
      t["after_schema"] = schema;
      t["keys"] = keys;
      t["after"] = afters;
    } else {
      EXPECT_EQ(schema, t.at("after_schema").get<std::string>());
    }
  }
  if (update) {
    std::ofstream out(file);
    out << golden.dump(2) << "\n";
  }
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kGoldenDir)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Modes, PostgresTypesGolden, ::testing::ValuesIn(golden_names()),
                         [](const auto& param_info) {
                           return std::regex_replace(param_info.param, std::regex("[^A-Za-z0-9]"),
                                                     "_");
                         });

}  // namespace
}  // namespace siphon::testing
