// Crash tests: Siphon is killed with SIGKILL at random moments and at each step of the commit
// order (failpoints) while a workload writes; after restarts the checker must find nothing
// missing, nothing phantom, nothing reordered, duplicates only past the stored offset, and the
// sink's final state equal to the source's. PostgreSQL, and MariaDB with a workload over two
// databases in two GTID domains, also killed during its initial snapshot.
#include <signal.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/checker.h"
#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

enum class Source { kPostgres, kMariaDb };

class CrashRun {
 public:
  // With `snapshot` (MariaDB), the tables get rows before Siphon starts with an initial
  // snapshot, and the transactions the completed snapshot read are not expected as changes.
  CrashRun(const std::string& name, uint64_t seed, Source source = Source::kPostgres,
           bool snapshot = false)
      : source_(source), snapshot_(snapshot), rng_(seed) {
    WorkloadOptions o;
    if (source == Source::kPostgres) {
      pg_ = &shared_pg_server();
      h_ = std::make_unique<SiphonHarness>(*pg_, name);
      o.conninfo = pg_->conninfo();
      o.tables = {"public." + name + "_accounts", "public." + name + "_orders"};
    } else {
      mariadb_ = &shared_mariadb_server();
      h_ = std::make_unique<MariaDbSiphonHarness>(*mariadb_, name);
      h_->props["debezium.source.database.include.list"] = name + "_.*";
      o.mariadb_port = mariadb_->port();
      o.tables = {name + "_shop.accounts", name + "_billing.orders"};
      o.gtid_domains = {0, 7};
    }
    h_->props["debezium.source.provide.transaction.metadata"] = "true";
    o.rows_per_table = 150;
    o.seed = seed;
    o.target_tx_per_sec = 200;
    o.committed_log = h_->dir() / "committed.jsonl";
    o.rolled_back_log = h_->dir() / "rolled_back.jsonl";
    workload_ = std::make_unique<Workload>(o);
    workload_->create_tables();
    if (snapshot_) {
      h_->props["debezium.source.snapshot.mode"] = "initial";
      workload_->run_transactions(300);
    }
  }

  ~CrashRun() { stop_workload(); }

  SiphonHarnessBase& harness() { return *h_; }
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
    if (std::filesystem::exists(h_->sink_dir())) {
      for (const auto& entry : std::filesystem::directory_iterator(h_->sink_dir())) {
        // A torn last record is cut by the next run, which writes its own record there.
        lines[entry.path().filename().string()] = complete_lines(entry.path()).size();
      }
    }
    json mark = kill_mark(h_->stored_offset(), std::move(lines));
    std::ofstream(h_->dir() / "kill_marks.jsonl", std::ios::app) << mark.dump() << "\n";
    ++kills_;
  }

  CheckInputs check_inputs(bool with_state) const {
    CheckInputs in;
    in.sink_dir = h_->sink_dir();
    in.committed_log = snapshot_ ? streamed_log() : h_->dir() / "committed.jsonl";
    in.rolled_back_log = h_->dir() / "rolled_back.jsonl";
    if (kills_ > 0) in.kill_marks = h_->dir() / "kill_marks.jsonl";
    in.prefix = h_->prefix();
    if (with_state && pg_ != nullptr) in.conninfo = pg_->conninfo();
    if (with_state && mariadb_ != nullptr) in.mariadb_port = mariadb_->port();
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
    EXPECT_TRUE(status.success()) << status.describe() << "\n" << h_->log();
    return check(check_inputs(true));
  }

  // The committed transactions after the position of the snapshot that completed (the last one
  // Siphon logged: an interrupted snapshot is never resumed, and a completed one never taken
  // again), i.e. those expected as changes.
  std::filesystem::path streamed_log() const {
    const std::string log = h_->log();
    std::regex line(R"(snapshot at binlog \S+ \(GTID position ([0-9,-]*)\))");
    std::string last;
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) {
      last = (*it)[1];
    }
    auto position = parse_gtid_position(last);
    EXPECT_TRUE(position && !position->empty()) << "no snapshot position in the log\n" << log;
    std::filesystem::path out = h_->dir() / "streamed.jsonl";
    WorkloadLog streamed(out);
    for (const LoggedTransaction& tx : WorkloadLog::read(h_->dir() / "committed.jsonl")) {
      auto gtid = MariaDbGtid::parse(tx.gtid);
      auto entry = gtid && position ? position->find(gtid->domain) : position->end();
      if (gtid && position && entry != position->end() && gtid->seq <= entry->second.seq) {
        continue;  // read by the snapshot
      }
      streamed.append(tx);
    }
    return out;
  }

  // Every commit after this is captured as a change.
  void wait_until_streaming() {
    const char* text = source_ == Source::kPostgres ? "streaming from slot"
                                                    : MariaDbSiphonHarness::kStreamingLogText;
    ASSERT_TRUE(h_->wait_for_log(text, 30s)) << h_->log();
    // Kills begin once a first offset is stored: without one a restart starts over (MariaDB:
    // at the server's position of that moment, as Debezium does; PostgreSQL: with a snapshot
    // on the existing slot), which is not the resume path these tests are about.
    for (int i = 0; i < 150 && !h_->stored_offset(); ++i) std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(h_->stored_offset()) << h_->log();
  }

  int kills() const { return kills_; }

 private:
  Source source_;
  bool snapshot_ = false;
  PgServer* pg_ = nullptr;
  MariaDbServer* mariadb_ = nullptr;
  std::unique_ptr<SiphonHarnessBase> h_;
  std::mt19937_64 rng_;
  std::unique_ptr<Workload> workload_;
  std::jthread writer_;
  WorkloadStats stats_;
  int kills_ = 0;
};

void expect_clean(const CheckReport& report, const SiphonHarnessBase& h) {
  EXPECT_TRUE(report.ok(true)) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);
  EXPECT_EQ(report.duplicates_violation, 0);
  EXPECT_EQ(report.reordered_changes, 0);
  EXPECT_TRUE(report.state_checked);
  EXPECT_EQ(report.state_mismatches(), 0);
  std::cout << report.summary() << std::endl;
}

// Random SIGKILLs while the workload writes.
void random_sigkills(CrashRun& run, int kills) {
  auto& h = run.harness();
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> pause_ms(300, 1500);
  for (int i = 0; i < kills; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(run.rng())));
    siphon.kill9();
    ASSERT_EQ(siphon.wait().signal, SIGKILL);
    run.record_kill_mark();
    siphon = h.start();
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  EXPECT_GE(run.kills(), kills);
  EXPECT_GT(report.committed_transactions, 300) << report.summary();
}

// A SIGKILL at each step of the commit order (sink ack, offset store, source confirm), `rounds`
// times, each followed by a run without a failpoint killed at random.
void failpoint_kills(CrashRun& run, int rounds) {
  auto& h = run.harness();
  std::optional<ChildProcess> siphon;
  siphon.emplace(h.start());
  run.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> hit(2, 25);
  for (int round = 0; round < rounds; ++round) {
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
  expect_clean(report, h);
}

TEST(CrashTest, RandomSigkillsLoseNothing) {
  CrashRun run("crashrand", 20261122);
  random_sigkills(run, 12);
}

TEST(CrashTest, KillsAtEachStepOfTheCommitOrderLoseNothing) {
  CrashRun run("crashfp", 7);
  failpoint_kills(run, 2);
}

TEST(MariaDbCrashTest, RandomSigkillsLoseNothing) {
  CrashRun run("mcrand", 20261122, Source::kMariaDb);
  random_sigkills(run, 10);
}

TEST(MariaDbCrashTest, SigkillsDuringTheSnapshotAndAfterLoseNothing) {
  // The snapshot is slowed to ~8 ms a row while the workload writes; it is killed three times
  // before it completes (each restart takes it again), then at random while streaming.
  CrashRun run("mcsnap", 5, Source::kMariaDb, /*snapshot=*/true);
  auto& h = run.harness();
  const std::map<std::string, std::string> slow{{"SIPHON_DELAY", "snapshot.row:8"}};
  // The log keeps every run's lines: a run has begun its snapshot once the log holds one more
  // "snapshot of ... started" line than before it was started.
  auto snapshot_starts = [&h] {
    const std::string log = h.log();
    static const std::regex started(R"(snapshot of mcsnap_\S+ started)");
    return static_cast<size_t>(std::distance(std::sregex_iterator(log.begin(), log.end(), started),
                                             std::sregex_iterator()));
  };
  run.start_workload();
  size_t starts_before = 0;
  auto siphon = h.start(slow);
  std::uniform_int_distribution<int> pause_ms(300, 900);
  for (int i = 0; i < 3; ++i) {
    for (int wait = 0; wait < 300 && snapshot_starts() == starts_before; ++wait) {
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_GT(snapshot_starts(), starts_before) << "run " << i << " began no snapshot\n" << h.log();
    starts_before = snapshot_starts();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(run.rng())));
    ASSERT_FALSE(h.log().find("snapshot complete") != std::string::npos) << "too fast to kill";
    siphon.kill9();
    ASSERT_EQ(siphon.wait().signal, SIGKILL);
    run.record_kill_mark();
    siphon = h.start(slow);
  }
  run.wait_until_streaming();
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(run.rng())));
    siphon.kill9();
    ASSERT_EQ(siphon.wait().signal, SIGKILL);
    run.record_kill_mark();
    siphon = h.start(slow);
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  EXPECT_GT(report.snapshot_events, 0);
  EXPECT_GT(report.committed_transactions, 300) << report.summary();
}

TEST(MariaDbCrashTest, KillsAtEachStepOfTheCommitOrderLoseNothing) {
  CrashRun run("mcfp", 11, Source::kMariaDb);
  failpoint_kills(run, 1);
}

}  // namespace
}  // namespace siphon::testing
