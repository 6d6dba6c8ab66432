// MariaDB crash tests: as crash_test.cc for PostgreSQL, Siphon is killed with SIGKILL at random
// moments and at each step of the commit order (failpoints) while a workload writes to two
// databases in two GTID domains; after restarts the checker must find nothing missing, nothing
// phantom, nothing reordered, duplicates only past the stored offset, and the sink's final state
// equal to the server's.
#include <signal.h>

#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "support/checker.h"
#include "support/mariadb_server.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class MariaDbCrashRun {
 public:
  MariaDbCrashRun(const std::string& name, uint64_t seed)
      : server_(shared_mariadb_server()), h_(server_, name), rng_(seed) {
    h_.props["debezium.source.provide.transaction.metadata"] = "true";
    h_.props["debezium.source.database.include.list"] = name + "_.*";
    WorkloadOptions o;
    o.mariadb_port = server_.port();
    o.tables = {name + "_shop.accounts", name + "_billing.orders"};
    o.rows_per_table = 150;
    o.seed = seed;
    o.target_tx_per_sec = 200;
    o.gtid_domains = {0, 7};
    o.committed_log = h_.dir() / "committed.jsonl";
    o.rolled_back_log = h_.dir() / "rolled_back.jsonl";
    workload_ = std::make_unique<Workload>(o);
    workload_->create_tables();
  }

  ~MariaDbCrashRun() { stop_workload(); }

  MariaDbSiphonHarness& harness() { return h_; }
  std::mt19937_64& rng() { return rng_; }

  void start_workload() {
    writer_ = std::jthread([this](std::stop_token stop) { stats_ = workload_->run(stop); });
  }
  void stop_workload() {
    if (writer_.joinable()) {
      writer_.request_stop();
      writer_.join();
    }
  }

  // Right after a SIGKILL: what the dead process had stored and how far each sink file had got.
  void record_kill_mark() {
    json lines = json::object();
    if (std::filesystem::exists(h_.sink_dir())) {
      for (const auto& entry : std::filesystem::directory_iterator(h_.sink_dir())) {
        std::ifstream in(entry.path());
        size_t n = 0;
        std::string line;
        while (std::getline(in, line)) n += !line.empty();
        lines[entry.path().filename().string()] = n;
      }
    }
    json mark = kill_mark(h_.stored_offset(), std::move(lines));
    std::ofstream(h_.dir() / "kill_marks.jsonl", std::ios::app) << mark.dump() << "\n";
    ++kills_;
  }

  CheckInputs check_inputs(bool with_state) const {
    CheckInputs in;
    in.sink_dir = h_.sink_dir();
    in.committed_log = h_.dir() / "committed.jsonl";
    in.rolled_back_log = h_.dir() / "rolled_back.jsonl";
    if (kills_ > 0) in.kill_marks = h_.dir() / "kill_marks.jsonl";
    in.prefix = h_.prefix();
    if (with_state) in.mariadb_port = server_.port();
    return in;
  }

  CheckReport finish(ChildProcess& siphon) {
    stop_workload();
    CheckReport report;
    for (int i = 0; i < 120; ++i) {
      report = check(check_inputs(false));
      if (report.missing == 0) break;
      std::this_thread::sleep_for(500ms);
    }
    auto status = siphon.stop();
    EXPECT_TRUE(status.success()) << status.describe() << "\n" << h_.log();
    return check(check_inputs(true));
  }

  int kills() const { return kills_; }

 private:
  MariaDbServer& server_;
  MariaDbSiphonHarness h_;
  std::mt19937_64 rng_;
  std::unique_ptr<Workload> workload_;
  std::jthread writer_;
  WorkloadStats stats_;
  int kills_ = 0;
};

void expect_clean(const CheckReport& report, const MariaDbSiphonHarness& h) {
  EXPECT_TRUE(report.ok(true)) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);
  EXPECT_EQ(report.duplicates_violation, 0);
  EXPECT_EQ(report.reordered_changes, 0);
  EXPECT_TRUE(report.state_checked);
  EXPECT_EQ(report.state_mismatches(), 0);
  std::cout << report.summary() << std::endl;
}

TEST(MariaDbCrashTest, RandomSigkillsLoseNothing) {
  MariaDbCrashRun run("mcrand", 20261122);
  auto& h = run.harness();
  auto siphon = h.start();
  h.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> pause_ms(300, 1500);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(run.rng())));
    siphon.kill9();
    ASSERT_EQ(siphon.wait().signal, SIGKILL);
    run.record_kill_mark();
    siphon = h.start();
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  EXPECT_GE(run.kills(), 10);
  EXPECT_GT(report.committed_transactions, 300) << report.summary();
}

TEST(MariaDbCrashTest, KillsAtEachStepOfTheCommitOrderLoseNothing) {
  MariaDbCrashRun run("mcfp", 11);
  auto& h = run.harness();
  std::optional<ChildProcess> siphon;
  siphon.emplace(h.start());
  h.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> hit(2, 25);
  for (const char* point : {"sink.before_ack", "offset.before_store", "source.before_confirm"}) {
    std::string spec = std::string(point) + ":" + std::to_string(hit(run.rng()));
    auto stopped = siphon->stop();
    ASSERT_TRUE(stopped.success()) << stopped.describe() << "\n" << h.log();
    siphon.emplace(h.start({{"SIPHON_FAILPOINT", spec}}));
    auto status = siphon->wait(60s);
    ASSERT_TRUE(status) << spec << " never fired\n" << h.log();
    ASSERT_EQ(status->signal, SIGKILL) << spec << ": " << status->describe() << "\n" << h.log();
    EXPECT_NE(h.log().find(std::string("failpoint ") + point + " fired"), std::string::npos);
    run.record_kill_mark();
    siphon.emplace(h.start());
    // Past start-up: a SIGTERM before siphon blocks signals ends it by default.
    std::this_thread::sleep_for(700ms);
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(*siphon);
  expect_clean(report, h);
}

}  // namespace
}  // namespace siphon::testing
