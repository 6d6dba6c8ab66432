// Crash tests: Siphon is killed with SIGKILL at random moments and at each step of the commit
// order (failpoints) while a workload writes; after restarts the checker must find nothing
// missing, nothing phantom, nothing reordered, and duplicates only past the stored offset.
#include <random>

#include <gtest/gtest.h>

#include "integration/siphon_harness.h"
#include "support/checker.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class CrashRun {
 public:
  CrashRun(const std::string& name, uint64_t seed)
      : pg_(shared_pg_server()), h_(pg_, name), rng_(seed) {
    h_.props["debezium.source.provide.transaction.metadata"] = "true";
    WorkloadOptions o;
    o.conninfo = pg_.conninfo();
    o.tables = {"public." + name + "_accounts", "public." + name + "_orders"};
    o.rows_per_table = 150;
    o.seed = seed;
    o.target_tx_per_sec = 200;
    o.committed_log = h_.dir() / "committed.jsonl";
    o.rolled_back_log = h_.dir() / "rolled_back.jsonl";
    workload_ = std::make_unique<Workload>(o);
    workload_->create_tables();
  }

  ~CrashRun() { stop_workload(); }

  SiphonHarness& harness() { return h_; }
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

  // Called right after a SIGKILL: what the dead process had stored, and how far each sink file
  // had got, so the checker can tell allowed duplicates from violations.
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
    in.kill_marks = h_.dir() / "kill_marks.jsonl";
    in.prefix = h_.prefix();
    if (with_state) in.conninfo = pg_.conninfo();
    return in;
  }

  // After the workload stopped: let Siphon catch up, stop it cleanly, check everything.
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
    report = check(check_inputs(true));
    return report;
  }

  void wait_until_streaming() {
    PgConnection sql = pg_.connect();
    h_.wait_until_streaming(sql);
  }

  int kills() const { return kills_; }
  const WorkloadStats& stats() const { return stats_; }

 private:
  PgServer& pg_;
  SiphonHarness h_;
  std::mt19937_64 rng_;
  std::unique_ptr<Workload> workload_;
  std::jthread writer_;
  WorkloadStats stats_;
  int kills_ = 0;
};

TEST(CrashTest, RandomSigkillsLoseNothing) {
  CrashRun run("crashrand", 20261122);
  auto& h = run.harness();
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> pause_ms(300, 1500);
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(run.rng())));
    siphon.kill9();
    ASSERT_EQ(siphon.wait().signal, SIGKILL);
    run.record_kill_mark();
    siphon = h.start();
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  EXPECT_TRUE(report.ok(true)) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);
  EXPECT_EQ(report.duplicates_violation, 0);
  EXPECT_EQ(report.reordered_changes, 0);
  EXPECT_TRUE(report.state_checked);
  EXPECT_EQ(report.state_mismatches(), 0);
  EXPECT_GE(run.kills(), 10);
  EXPECT_GT(report.committed_transactions, 300) << report.summary();
  std::cout << report.summary() << std::endl;
}

TEST(CrashTest, KillsAtEachStepOfTheCommitOrderLoseNothing) {
  CrashRun run("crashfp", 7);
  auto& h = run.harness();
  std::optional<ChildProcess> siphon;
  siphon.emplace(h.start());
  run.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> hit(2, 25);
  for (int round = 0; round < 2; ++round) {
    for (const char* point : {"sink.before_ack", "offset.before_store", "source.before_confirm"}) {
      std::string spec = std::string(point) + ":" + std::to_string(hit(run.rng()));
      // The previous run ends cleanly, so every kill below is one the marks know about.
      auto stopped = siphon->stop();
      ASSERT_TRUE(stopped.success()) << stopped.describe() << "\n" << h.log();
      siphon.emplace(h.start({{"SIPHON_FAILPOINT", spec}}));
      auto status = siphon->wait(60s);
      ASSERT_TRUE(status) << spec << " never fired\n" << h.log();
      ASSERT_EQ(status->signal, SIGKILL) << spec << ": " << status->describe() << "\n" << h.log();
      EXPECT_NE(h.log().find(std::string("failpoint ") + point + " fired"), std::string::npos);
      run.record_kill_mark();
      // Run a while without a failpoint before the next one.
      siphon.emplace(h.start());
      std::this_thread::sleep_for(700ms);
      siphon->kill9();
      siphon->wait();
      run.record_kill_mark();
      siphon.emplace(h.start());
      // Let it get past start-up: a SIGTERM before siphon blocks signals ends it by default.
      std::this_thread::sleep_for(700ms);
    }
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(*siphon);
  EXPECT_TRUE(report.ok(true)) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);
  EXPECT_EQ(report.duplicates_violation, 0);
  EXPECT_EQ(report.state_mismatches(), 0);
  std::cout << report.summary() << std::endl;
}

}  // namespace
}  // namespace siphon::testing
