// Differential test: the same workload decoded by Siphon (pgoutput) and by wal2json on a second
// slot must give the same changes, transaction by transaction.
#include <map>

#include <gtest/gtest.h>

#include "integration/siphon_harness.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// One change, normalized: "<op> <schema.table> <key json> <row json>".
using Changes = std::vector<std::string>;

std::string normalize(const std::string& op, const std::string& table, const json& key,
                      const json& row) {
  return op + " " + table + " " + key.dump() + " " + (row.is_null() ? "-" : row.dump());
}

// wal2json format-version 2, one JSON object per change.
std::vector<std::pair<uint64_t, Changes>> wal2json_changes(PgConnection& sql,
                                                           const std::string& slot) {
  std::vector<std::pair<uint64_t, Changes>> out;
  auto rows =
      sql.query("SELECT data FROM pg_logical_slot_get_changes('" + slot +
                "', NULL, NULL, 'format-version', '2', 'include-xids', '1', "
                "'include-transaction', 'true', 'add-tables', 'public.diff_a,public.diff_b')");
  for (const auto& r : rows) {
    json c = json::parse(*r[0]);
    std::string action = c["action"];
    if (action == "B") {
      out.emplace_back(c["xid"].get<uint64_t>(), Changes{});
      continue;
    }
    if (action == "C") {
      if (out.back().second.empty()) out.pop_back();  // a transaction with no captured change
      continue;
    }
    auto object = [](const json& columns) {
      json o = json::object();
      for (const auto& col : columns) o[col["name"].get<std::string>()] = col["value"];
      return o;
    };
    std::string table = c["schema"].get<std::string>() + "." + c["table"].get<std::string>();
    json key, row;
    if (action == "I") {
      row = object(c["columns"]);
      key = json{{"id", row["id"]}};
    } else if (action == "U") {
      row = object(c["columns"]);
      key = object(c["identity"]);
    } else {
      key = object(c["identity"]);
    }
    out.back().second.push_back(normalize(action, table, key, row));
  }
  return out;
}

// Siphon's events from the file sink, grouped by transaction in commit order. A primary-key
// change (a delete naming the new key, then a create) is one update, as wal2json reports it.
std::vector<std::pair<uint64_t, Changes>> siphon_changes(const SiphonHarness& h,
                                                         const std::vector<std::string>& tables) {
  struct Event {
    uint64_t lsn;
    json record;
  };
  std::map<uint64_t, std::vector<Event>> by_tx;
  std::vector<uint64_t> order;
  for (const auto& t : tables) {
    for (const auto& r : h.records(h.topic(t))) {
      if (r["value"].is_null()) continue;  // tombstone
      const json& p = r["value"]["payload"];
      uint64_t tx = p["source"]["txId"];
      by_tx[tx].push_back(Event{p["source"]["lsn"], r});
    }
  }
  // Commit order = the order of the END records on the transaction topic.
  for (const auto& r : h.records(h.prefix() + ".transaction")) {
    const json& p = r["value"]["payload"];
    if (p["status"] != "END") continue;
    std::string id = p["id"];
    order.push_back(std::stoull(id.substr(0, id.find(':'))));
  }
  std::vector<std::pair<uint64_t, Changes>> out;
  for (uint64_t tx : order) {
    auto it = by_tx.find(tx);
    if (it == by_tx.end()) continue;
    auto& events = it->second;
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.lsn < b.lsn; });
    Changes changes;
    for (size_t i = 0; i < events.size(); ++i) {
      const json& r = events[i].record;
      const json& p = r["value"]["payload"];
      std::string table =
          p["source"]["schema"].get<std::string>() + "." + p["source"]["table"].get<std::string>();
      std::string op = p["op"];
      if (op == "c") {
        changes.push_back(normalize("I", table, r["key"]["payload"], p["after"]));
      } else if (op == "u") {
        changes.push_back(normalize("U", table, r["key"]["payload"], p["after"]));
      } else if (op == "d" && r.contains("headers") && r["headers"].contains("__debezium.newkey") &&
                 i + 1 < events.size()) {
        const json& create = events[++i].record["value"]["payload"];
        changes.push_back(normalize("U", table, r["key"]["payload"], create["after"]));
      } else if (op == "d") {
        changes.push_back(normalize("D", table, r["key"]["payload"], nullptr));
      }
    }
    out.emplace_back(tx, std::move(changes));
  }
  return out;
}

TEST(Differential, SiphonAndWal2jsonAgreeTransactionByTransaction) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  SiphonHarness h(pg, "diff");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.diff_.*";
  h.props["debezium.source.provide.transaction.metadata"] = "true";
  WorkloadOptions o;
  o.conninfo = pg.conninfo();
  o.tables = {"public.diff_a", "public.diff_b"};
  o.rows_per_table = 60;  // few keys: many updates and deletes of the same rows
  o.seed = 99;
  Workload workload(o);
  workload.create_tables();
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("SELECT pg_create_logical_replication_slot('diff_wal2json', 'wal2json')");
  workload.run_transactions(400);
  // Key changes, which the random workload does not make.
  sql.exec(
      "UPDATE diff_a SET id = id + 1000 WHERE id IN (SELECT id FROM diff_a ORDER BY id LIMIT 3)");
  sql.exec("SELECT pg_sleep(0.3)");  // let the WAL writer flush (synchronous_commit=off)
  sql.exec("INSERT INTO diff_b VALUES (100000, 1, 'last')");

  auto reference = wal2json_changes(sql, "diff_wal2json");
  ASSERT_FALSE(reference.empty());
  uint64_t last_tx = reference.back().first;
  for (int i = 0; i < 200; ++i) {
    auto ours = siphon_changes(h, {"diff_a", "diff_b"});
    if (!ours.empty() && ours.back().first >= last_tx) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto ours = siphon_changes(h, {"diff_a", "diff_b"});
  // The reference ends where its read ended; compare that common prefix, all of it.
  ASSERT_GE(ours.size(), reference.size());
  ours.resize(reference.size());
  size_t changes = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    ASSERT_EQ(ours[i].first, reference[i].first) << "transaction " << i;
    EXPECT_EQ(ours[i].second, reference[i].second) << "transaction " << reference[i].first;
    changes += reference[i].second.size();
  }
  EXPECT_GT(reference.size(), 300u);
  EXPECT_GT(changes, 900u);
  std::cout << reference.size() << " transactions, " << changes << " changes agree" << std::endl;
}

}  // namespace
}  // namespace siphon::testing
