// The MariaDB snapshot's hand-off to the binlog stream under a writer committing at least 200
// transactions a second: every transaction arrives once, in the snapshot or in the stream. A
// rate-dependent proof, so it runs on the optimized build only (label e2e-handoff; the same
// snapshot code runs under the sanitizers in mariadb_snapshot_test.cc).
#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/checker.h"
#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/workload.h"
#include "support/workload_log.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// The snapshot's GTID position, from Siphon's log line "snapshot at binlog F:P (GTID position
// X) ...".
std::map<uint32_t, MariaDbGtid> snapshot_position(const std::string& log) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(
      log, m, std::regex(R"(snapshot at binlog \S+ \(GTID position ([0-9,-]*)\))")))
      << "no snapshot position in the log\n"
      << log;
  auto position = parse_gtid_position(m.empty() ? "" : m[1].str());
  EXPECT_TRUE(position.has_value());
  return position.value_or(std::map<uint32_t, MariaDbGtid>{});
}

bool in_snapshot(const std::map<uint32_t, MariaDbGtid>& position, const std::string& gtid) {
  auto g = MariaDbGtid::parse(gtid);
  if (!g) return false;
  auto it = position.find(g->domain);
  return it != position.end() && g->seq <= it->second.seq;
}

class MariaDbSnapshot : public ::testing::Test {
 protected:
  MariaDbServer& server = shared_mariadb_server();
  MariaDbConnection sql = server.connect();
};

TEST_F(MariaDbSnapshot, EveryTransactionArrivesExactlyOnceAcrossTheHandOff) {
  // A writer commits at least 200 transactions a second, in two GTID domains, from before the
  // snapshot until Siphon streams. Each transaction is in the snapshot (at or before its GTID
  // position) or in the stream, once.
  MariaDbSiphonHarness h(server, "msnaphandoff");
  WorkloadOptions o;
  o.mariadb_port = server.port();
  o.tables = {"snap_ho1.accounts", "snap_ho2.orders"};
  o.rows_per_table = 300;
  o.seed = 42;
  o.target_tx_per_sec = 0;  // as fast as one connection goes
  o.gtid_domains = {0, 4};
  Workload workload(o);
  workload.create_tables();
  workload.run_transactions(300);  // rows for the snapshot to read
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_ho.*";
  WorkloadStats stats;
  std::jthread writer([&](std::stop_token stop) { stats = workload.run(stop); });
  // The server's own count of the writer's commits (the sum of the domains' sequence numbers)
  // sampled every 100 ms, for the rate in every second of the run, not only on average.
  std::vector<std::pair<std::chrono::steady_clock::time_point, uint64_t>> samples;
  std::jthread sampler([&](std::stop_token stop) {
    MariaDbConnection counter = server.connect();
    while (!stop.stop_requested()) {
      auto position = parse_gtid_position(counter.scalar("SELECT @@global.gtid_binlog_pos"));
      uint64_t total = 0;
      for (const auto& [domain, gtid] : position.value_or(std::map<uint32_t, MariaDbGtid>{})) {
        total += gtid.seq;
      }
      samples.emplace_back(std::chrono::steady_clock::now(), total);
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(1s);
  auto siphon = h.start();
  h.wait_until_streaming();
  std::this_thread::sleep_for(3s);
  sampler.request_stop();
  sampler.join();
  writer.request_stop();
  writer.join();
  // The slowest whole second, from a second before Siphon started until it had streamed for 3.
  double slowest = 1e18;
  for (size_t i = 0; i < samples.size(); ++i) {
    for (size_t j = i + 1; j < samples.size(); ++j) {
      const double seconds =
          std::chrono::duration<double>(samples[j].first - samples[i].first).count();
      if (seconds < 1.0) continue;
      slowest =
          std::min(slowest, static_cast<double>(samples[j].second - samples[i].second) / seconds);
      break;
    }
  }
  EXPECT_GE(slowest, 200) << "in its slowest second the writer committed too few transactions";

  const auto position = snapshot_position(h.log());
  std::filesystem::path streamed_log = h.dir() / "streamed.jsonl";
  int64_t before = 0, after = 0;
  {
    WorkloadLog log(streamed_log);
    for (const auto& tx : workload.committed()) {
      if (in_snapshot(position, tx.gtid)) {
        ++before;
      } else {
        log.append(tx.to_logged());
        ++after;
      }
    }
  }
  EXPECT_GT(before, 300);
  EXPECT_GT(after, 200);

  // The position Siphon reports is checked against what the snapshot really read: its rows
  // must be exactly the tables as the workload left them after the transactions up to that
  // position and none after it (an earlier or later position would show rows of other
  // transactions, and the checker below would then miss a transaction streamed twice or lost).
  std::map<std::string, std::map<int32_t, WorkloadRow>> expected;
  for (const auto& tx : workload.committed()) {
    if (!in_snapshot(position, tx.gtid)) continue;
    for (const WorkloadChange& c : tx.changes) {
      if (c.op == 'd') {
        expected[c.table].erase(c.id);
      } else {
        expected[c.table][c.id] = *c.after;
      }
    }
  }
  for (const std::string& table : o.tables) {
    const std::string db = table.substr(0, table.find('.'));
    std::map<int32_t, WorkloadRow> read;
    for (const nlohmann::json& r : h.records(h.topic(db, table.substr(db.size() + 1)))) {
      const nlohmann::json v = payload_of(r["value"]);
      if (v.is_null() || v["op"] != "r") continue;
      WorkloadRow row;
      row.v = v["after"]["v"].get<int64_t>();
      if (!v["after"]["note"].is_null()) row.note = v["after"]["note"].get<std::string>();
      EXPECT_TRUE(read.emplace(v["after"]["id"].get<int32_t>(), row).second)
          << table << " row " << v["after"]["id"] << " read twice";
    }
    EXPECT_EQ(read.size(), expected[table].size()) << table;
    EXPECT_TRUE(read == expected[table])
        << table << ": the snapshot is not the state at its position";
  }
  const double rate = static_cast<double>(stats.committed) /
                      std::max<double>(1, std::chrono::duration<double>(stats.elapsed).count());
  EXPECT_GE(rate, 200) << "the writer was too slow to prove anything";

  CheckInputs in;
  in.sink_dir = h.sink_dir();
  in.committed_log = streamed_log;
  in.prefix = h.prefix();
  in.mariadb_port = server.port();
  CheckReport report;
  for (int i = 0; i < 60; ++i) {
    report = check(in);
    if (report.missing == 0 && report.state_mismatches() == 0) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  report = check(in);
  EXPECT_TRUE(report.ok(false)) << report.to_string();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);  // a transaction of the snapshot streamed again
  EXPECT_EQ(report.duplicates(), 0);
  EXPECT_TRUE(report.state_checked);
  EXPECT_EQ(report.state_mismatches(), 0);
  EXPECT_GT(report.snapshot_events, 0);
  std::cout << report.summary() << "writer: " << rate << " transactions/s; " << before
            << " in the snapshot, " << after << " streamed; slowest second: " << slowest
            << " transactions/s" << std::endl;
}

}  // namespace
}  // namespace siphon::testing
