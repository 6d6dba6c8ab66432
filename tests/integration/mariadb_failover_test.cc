// Failover: Siphon streams from a MariaDB primary that replicates to a replica with GTIDs and
// semi-synchronous replication (the primary acknowledges a commit only once the replica has
// it); the primary is killed with SIGKILL mid-workload and Siphon is restarted against the
// replica with the same offset store. It resumes from its GTID position, which the replica
// has because log_slave_updates writes the primary's transactions into its own binlog with
// their original GTIDs. Both servers are started here, on free ports in temporary directories.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "support/checker.h"
#include "support/mariadb_server.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPrimaryServerId = 11;
constexpr int kReplicaServerId = 12;

std::string status_value(MariaDbConnection& sql, const std::string& name) {
  auto rows = sql.query("SHOW GLOBAL STATUS LIKE '" + name + "'");
  return rows.empty() ? "" : rows.at(0).at(1).value_or("");
}

// The replica has applied everything it received: its SQL thread executed up to where its IO
// thread read (SHOW SLAVE STATUS columns 5/6, Master_Log_File and Read_Master_Log_Pos, against
// 9/21, Relay_Master_Log_File and Exec_Master_Log_Pos).
void wait_until_applied(MariaDbConnection& replica) {
  for (int i = 0; i < 300; ++i) {
    auto rows = replica.query("SHOW SLAVE STATUS");
    if (!rows.empty()) {
      const auto& r = rows.at(0);
      if (r.at(5) == r.at(9) && r.at(6) == r.at(21)) return;
    }
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "the replica never applied what it received";
}

class MariaDbFailover : public ::testing::Test {
 protected:
  void SetUp() override {
    primary_ = MariaDbServer::start(
        {"--server-id=" + std::to_string(kPrimaryServerId), "--rpl-semi-sync-master-enabled=ON",
         // Never fall back to asynchronous replication: an
         // acknowledged commit is always on the replica.
         "--rpl-semi-sync-master-timeout=600000", "--rpl-semi-sync-master-wait-point=AFTER_SYNC"});
    replica_ = MariaDbServer::start(
        {"--server-id=" + std::to_string(kReplicaServerId), "--rpl-semi-sync-slave-enabled=ON"});
    MariaDbConnection replica = replica_->connect();
    replica.exec("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" +
                 std::to_string(primary_->port()) +
                 ", MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, "
                 "MASTER_CONNECT_RETRY=1");
    replica.exec("START SLAVE");
    MariaDbConnection primary = primary_->connect();
    for (int i = 0; i < 300; ++i) {
      if (status_value(primary, "Rpl_semi_sync_master_clients") == "1" &&
          status_value(primary, "Rpl_semi_sync_master_status") == "ON") {
        return;
      }
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "the replica never became a semi-synchronous replica\n" << replica_->log_tail();
  }

  std::unique_ptr<MariaDbServer> primary_;
  std::unique_ptr<MariaDbServer> replica_;
};

TEST_F(MariaDbFailover, ResumesOnThePromotedReplicaWithNothingLostOrInvented) {
  MariaDbSiphonHarness h(*primary_, "mfailover");
  h.props["debezium.source.database.include.list"] = "fo_.*";
  h.props["debezium.source.provide.transaction.metadata"] = "true";

  auto failover_port = std::make_shared<std::atomic<int>>(0);
  WorkloadOptions o;
  o.mariadb_port = primary_->port();
  o.tables = {"fo_shop.accounts", "fo_billing.orders"};
  o.gtid_domains = {0, 7};
  o.rows_per_table = 150;
  o.seed = 20261122;
  o.target_tx_per_sec = 200;
  o.committed_log = h.dir() / "committed.jsonl";
  o.rolled_back_log = h.dir() / "rolled_back.jsonl";
  o.reconnect_timeout = 30s;
  o.mariadb_failover_port = failover_port;
  Workload workload(o);
  workload.create_tables();

  auto siphon = h.start();
  h.wait_until_streaming();
  WorkloadStats stats;
  std::jthread writer([&](std::stop_token stop) { stats = workload.run(stop); });
  std::this_thread::sleep_for(2s);

  ASSERT_EQ(::kill(primary_->pid(), SIGKILL), 0);
  // Promotion: the replica applies what it received and stops replicating; the writer (whose
  // connection died with the primary) resolves its interrupted COMMIT there and goes on.
  MariaDbConnection replica = replica_->connect();
  wait_until_applied(replica);
  replica.exec("STOP SLAVE");
  failover_port->store(replica_->port());
  // The promoted replica takes writes (GTIDs of server 12) while Siphon still tries the dead
  // primary: the resumed Siphon must stream them after its position.
  std::this_thread::sleep_for(1s);
  writer.request_stop();
  writer.join();
  ASSERT_GT(stats.committed, 100);

  // Siphon lost its server and retries it; it is stopped and pointed at the replica with the
  // same offset store.
  siphon.stop();
  const auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  const std::string gtids = (*offset)["gtids"];
  h.props["debezium.source.database.port"] = std::to_string(replica_->port());
  auto resumed = h.start();
  ASSERT_TRUE(h.wait_for_log("resuming from stored offset", 30s)) << h.log();

  CheckInputs in;
  in.sink_dir = h.sink_dir();
  in.committed_log = h.dir() / "committed.jsonl";
  in.rolled_back_log = h.dir() / "rolled_back.jsonl";
  in.prefix = h.prefix();
  CheckReport report;
  for (int i = 0; i < 120; ++i) {
    report = check(in);
    if (report.missing == 0) break;
    std::this_thread::sleep_for(250ms);
  }
  auto status = resumed.stop();
  EXPECT_TRUE(status.success()) << status.describe() << "\n" << h.log();
  in.mariadb_port = replica_->port();
  report = check(in);
  EXPECT_EQ(report.missing, 0) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.phantom, 0) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.reordered_changes, 0) << report.to_string();
  EXPECT_TRUE(report.state_checked);
  EXPECT_EQ(report.state_mismatches(), 0) << report.to_string();
  std::cout << "failover after " << stats.committed << " commits from offset " << gtids << ": "
            << report.summary() << std::endl;
}

// A stored GTID position the replica does not have (here past everything it holds, as when
// Siphon read a transaction the replica never received) stops Siphon naming the position;
// nothing is skipped.
TEST_F(MariaDbFailover, APositionTheNewServerDoesNotHaveFailsNamingIt) {
  MariaDbConnection primary = primary_->connect();
  primary.exec("CREATE DATABASE fo_ahead; CREATE TABLE fo_ahead.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(*primary_, "mfoahead");
  h.props["debezium.source.database.include.list"] = "fo_ahead";
  auto siphon = h.start();
  h.wait_until_streaming();
  primary.exec("INSERT INTO fo_ahead.t VALUES (1)");
  ASSERT_TRUE(h.wait_for_records(h.topic("fo_ahead", "t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  nlohmann::json doc;
  {
    std::ifstream in(h.offset_file());
    doc = nlohmann::json::parse(in);
  }
  const std::string ahead = "0-" + std::to_string(kPrimaryServerId) + "-1000000";
  doc.at(0).at("value")["gtids"] = ahead;
  std::ofstream(h.offset_file(), std::ios::trunc) << doc.dump();

  h.props["debezium.source.database.port"] = std::to_string(replica_->port());
  auto failed = h.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("the stored GTID position " + ahead + " is not in the binlogs of"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find(std::to_string(replica_->port())), std::string::npos) << failed.err;
  EXPECT_EQ((*h.stored_offset())["gtids"], ahead);  // nothing moved, nothing skipped
}

}  // namespace
}  // namespace siphon::testing
