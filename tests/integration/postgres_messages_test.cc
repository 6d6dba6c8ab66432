// Logical decoding messages (pg_logical_emit_message) from a real PostgreSQL 15, checked against
// Debezium's message events (shared/spec/debezium-compat.md §1.7): topic, key, value, filters,
// transactions and offsets.
#include <gtest/gtest.h>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

using nlohmann::json;

class PostgresMessages : public ::testing::Test {
 protected:
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
};

std::vector<std::string> field_names(const json& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema.at("fields")) names.push_back(f.at("field"));
  return names;
}

TEST_F(PostgresMessages, TransactionalAndNonTransactionalMessagesAreEmitted) {
  sql.exec("CREATE TABLE msg_rows (id int PRIMARY KEY)");
  SiphonHarness h(pg, "messages");
  h.props["debezium.source.provide.transaction.metadata"] = "true";
  h.props["debezium.source.message.prefix.exclude.list"] = "skip.*";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec(
      "BEGIN; INSERT INTO msg_rows VALUES (1); "
      "SELECT pg_logical_emit_message(true, 'app', 'hello'); "
      "SELECT pg_logical_emit_message(true, 'skip.tx', 'filtered'); COMMIT");
  sql.exec("SELECT pg_logical_emit_message(false, 'app.nontx', '\\x00ff'::bytea)");
  sql.exec("SELECT pg_logical_emit_message(false, 'skip.nontx', 'filtered')");
  sql.exec("SELECT pg_logical_emit_message(true, 'last', 'marker')");
  const std::string topic = h.prefix() + ".message";
  ASSERT_TRUE(h.wait_for_records(topic, 3)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.prefix() + ".transaction", 4)) << h.log();
  siphon.stop();

  auto recs = h.records(topic);
  ASSERT_EQ(recs.size(), 3u);  // the "skip." prefixes are left out

  // Key: struct MessageKey {prefix}.
  const json& key = recs[0]["key"];
  EXPECT_EQ(key["schema"],
            json::parse(R"({"type":"struct","fields":[{"type":"string","optional":true,)"
                        R"("field":"prefix"}],"optional":false,)"
                        R"("name":"io.debezium.connector.postgresql.MessageKey","version":1})"));
  EXPECT_EQ(key["payload"], json::parse(R"({"prefix":"app"})"));

  // Value: MessageValue {op, ts_ms, source, transaction, message{prefix, content}}.
  const json& schema = recs[0]["value"]["schema"];
  EXPECT_EQ(schema["name"], "io.debezium.connector.postgresql.MessageValue");
  EXPECT_EQ(schema["version"], 1);
  EXPECT_EQ(field_names(schema),
            (std::vector<std::string>{"op", "ts_ms", "source", "transaction", "message"}));
  EXPECT_EQ(schema["fields"][4],
            json::parse(R"({"type":"struct","fields":[)"
                        R"({"type":"string","optional":true,"field":"prefix"},)"
                        R"({"type":"bytes","optional":true,"field":"content"}],)"
                        R"("optional":false,"name":"io.debezium.connector.postgresql.Message",)"
                        R"("version":1,"field":"message"})"));

  const json& tx_msg = recs[0]["value"]["payload"];
  EXPECT_EQ(tx_msg["op"], "m");
  EXPECT_TRUE(tx_msg["ts_ms"].is_number_integer());
  EXPECT_EQ(tx_msg["message"], json::parse(R"({"prefix":"app","content":"aGVsbG8="})"));
  EXPECT_EQ(tx_msg["source"]["schema"], "");
  EXPECT_EQ(tx_msg["source"]["table"], "");
  EXPECT_TRUE(tx_msg["source"]["txId"].is_number_integer());
  EXPECT_GT(tx_msg["source"]["ts_ms"].get<int64_t>(), 0);
  // The message belongs to its transaction: the same xid as the row it was written with, and
  // it is the second event of that transaction.
  auto rows = h.records(h.topic("msg_rows"));
  ASSERT_EQ(rows.size(), 1u);
  const json& row = rows[0]["value"]["payload"];
  EXPECT_EQ(tx_msg["source"]["txId"], row["source"]["txId"]);
  EXPECT_GT(tx_msg["source"]["lsn"].get<int64_t>(), row["source"]["lsn"].get<int64_t>());
  EXPECT_EQ(tx_msg["transaction"]["total_order"], 2);
  EXPECT_EQ(tx_msg["transaction"]["data_collection_order"], 1);
  std::string id = tx_msg["transaction"]["id"];
  std::string row_id = row["transaction"]["id"];
  EXPECT_EQ(id.substr(0, id.find(':')), row_id.substr(0, row_id.find(':')));

  // Non-transactional: no txId, no transaction block, the raw bytes as content.
  const json& nontx = recs[1]["value"]["payload"];
  EXPECT_EQ(recs[1]["key"]["payload"], json::parse(R"({"prefix":"app.nontx"})"));
  EXPECT_EQ(nontx["op"], "m");
  EXPECT_EQ(nontx["message"], json::parse(R"({"prefix":"app.nontx","content":"AP8="})"));
  EXPECT_TRUE(nontx["source"]["txId"].is_null());
  EXPECT_TRUE(nontx["transaction"].is_null());
  EXPECT_TRUE(nontx["source"]["lsn"].is_number_integer());

  EXPECT_EQ(recs[2]["value"]["payload"]["message"],
            json::parse(R"({"prefix":"last","content":"bWFya2Vy"})"));

  // Transaction metadata counts the emitted message, not the filtered one.
  auto tx = h.records(h.prefix() + ".transaction");
  ASSERT_EQ(tx.size(), 4u);
  EXPECT_EQ(tx[1]["value"]["payload"]["event_count"], 2);
  EXPECT_EQ(tx[1]["value"]["payload"]["data_collections"],
            json::parse(R"([{"data_collection":"public.msg_rows","event_count":1},)"
                        R"({"data_collection":"LOGICAL_DECODING_MESSAGE","event_count":1}])"));
}

TEST_F(PostgresMessages, IncludeListMatchesWholePrefixAndOffsetsPassMessages) {
  SiphonHarness h(pg, "messages_incl");
  h.props["debezium.source.message.prefix.include.list"] = "app,OTHER";
  h.props["debezium.source.binary.handling.mode"] = "hex";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("SELECT pg_logical_emit_message(false, 'application', 'not whole')");
  sql.exec("SELECT pg_logical_emit_message(false, 'app', '\\x0aff'::bytea)");
  sql.exec("SELECT pg_logical_emit_message(true, 'other', 'case-insensitive')");
  const std::string topic = h.prefix() + ".message";
  ASSERT_TRUE(h.wait_for_records(topic, 2)) << h.log();
  siphon.stop();
  auto recs = h.records(topic);
  ASSERT_EQ(recs.size(), 2u);
  // binary.handling.mode=hex: content is a string schema holding hex text.
  EXPECT_EQ(recs[0]["value"]["schema"]["fields"][4]["fields"][1],
            json::parse(R"({"type":"string","optional":true,"field":"content"})"));
  EXPECT_EQ(recs[0]["value"]["payload"]["message"],
            json::parse(R"({"prefix":"app","content":"0aff"})"));
  EXPECT_EQ(recs[1]["value"]["payload"]["message"]["prefix"], "other");

  // The stored offset is past both messages: a restart emits neither again, only what follows.
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset.has_value());
  EXPECT_GT((*offset)["lsn_proc"].get<uint64_t>(),
            recs[0]["value"]["payload"]["source"]["lsn"].get<uint64_t>());
  auto again = h.start();
  h.wait_until_streaming(sql);
  sql.exec("SELECT pg_logical_emit_message(false, 'app', 'after restart')");
  ASSERT_TRUE(h.wait_for_records(topic, 3)) << h.log();
  again.stop();
  recs = h.records(topic);
  ASSERT_EQ(recs.size(), 3u) << h.log();
  EXPECT_EQ(recs[2]["value"]["payload"]["message"]["content"],
            "61667465722072657374617274");  // "after restart"
}

}  // namespace
}  // namespace siphon::testing
