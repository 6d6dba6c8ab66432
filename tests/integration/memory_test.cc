// Memory stays flat under back-pressure: one 1,000,000-row transaction (2 GB of row data) with
// ten 200-byte text columns streams through a deliberately slow sink, and Siphon's peak RSS
// (VmHWM) stays under 100 MB; so do PostgreSQL and MariaDB snapshots of a 300 MB table. Run it on
// the optimized build: sanitizers multiply memory use.
#include <fstream>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/mariadb_server.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// Peak resident set size of a process in kB, from /proc; 0 once it has gone.
long peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

TEST(Memory, AMillionRowTransactionThroughASlowSinkStaysUnder100MB) {
  constexpr int kRows = 1'000'000;
  auto pg = PgServer::start(
      {"logical_decoding_work_mem = 64MB", "max_wal_size = 8GB", "checkpoint_timeout = 30min"});
  PgConnection sql = pg->connect();
  sql.exec(
      "CREATE TABLE wide (id int PRIMARY KEY, c1 text, c2 text, c3 text, c4 text, c5 text, "
      "c6 text, c7 text, c8 text, c9 text, c10 text)");
  SiphonHarness h(*pg, "mem");
  h.props["debezium.sink.type"] = "null";
  h.props.erase("debezium.sink.file.dir");
  h.props["debezium.source.max.batch.size"] = "256";
  auto siphon = h.start({{"SIPHON_DELAY", "sink.write:10"}});
  h.wait_until_streaming(sql);
  // Each value: 200 characters that differ per row and column (md5 chains, incompressible).
  std::string value = [] {
    std::string v;
    for (int c = 1; c <= 10; ++c) {
      v += ", left(repeat(md5(g::text || '" + std::to_string(c) + "'), 7), 200)";
    }
    return v;
  }();
  uint64_t before_insert = lsn_of(sql.scalar("SELECT pg_current_wal_insert_lsn()"));
  sql.exec("INSERT INTO wide SELECT g" + value + " FROM generate_series(1, " +
           std::to_string(kRows) + ") g");
  uint64_t after_commit = lsn_of(sql.scalar("SELECT pg_current_wal_insert_lsn()"));

  long peak = 0;
  uint64_t confirmed = 0;
  auto deadline = std::chrono::steady_clock::now() + 25min;
  while (confirmed < after_commit && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(siphon.running()) << h.log();
    peak = std::max(peak, peak_rss_kb(siphon.pid()));
    std::this_thread::sleep_for(500ms);
    confirmed =
        lsn_of(sql.scalar("SELECT coalesce(confirmed_flush_lsn, '0/0') FROM "
                          "pg_replication_slots WHERE slot_name = '" +
                          h.slot() + "'"));
  }
  peak = std::max(peak, peak_rss_kb(siphon.pid()));
  ASSERT_GE(confirmed, after_commit) << "the transaction was not delivered in time\n" << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  EXPECT_GT((*offset)["lsn_proc"].get<uint64_t>(), before_insert);
  EXPECT_TRUE(siphon.stop().success()) << h.log();
  std::cout << "peak RSS (VmHWM): " << peak / 1024 << " MB for " << kRows << " rows" << std::endl;
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 100 * 1024) << "peak RSS " << peak << " kB";
}

// Watches `siphon` until its stored offset says the snapshot is complete (or `timeout`), and
// returns its peak RSS in kB; fails the test if it dies or does not finish.
long peak_rss_through_snapshot(ChildProcess& siphon, const SiphonHarnessBase& h,
                               std::chrono::minutes timeout) {
  long peak = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    EXPECT_TRUE(siphon.running()) << h.log();
    if (!siphon.running()) return peak;
    peak = std::max(peak, peak_rss_kb(siphon.pid()));
    auto offset = h.stored_offset();
    // Stored offsets say snapshot_completed=false until the end; streaming ones drop the key.
    done = offset && offset->value("snapshot_completed", true);
    if (!done) std::this_thread::sleep_for(500ms);
  }
  peak = std::max(peak, peak_rss_kb(siphon.pid()));
  EXPECT_TRUE(done) << "the snapshot was not delivered in time\n" << h.log();
  return peak;
}

TEST(Memory, APostgresSnapshotOfA300MBTableThroughASlowSinkStaysUnder100MB) {
  // COPY rows are read as the sink takes them (no result held whole).
  constexpr int kRows = 300'000;
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("CREATE TABLE memsnap (id int PRIMARY KEY, a text, b text)");
  sql.exec(
      "INSERT INTO memsnap SELECT g, left(repeat(md5(g::text), 16), 500), "
      "left(repeat(md5((g + 1)::text), 16), 500) FROM generate_series(1, " +
      std::to_string(kRows) + ") g");
  SiphonHarness h(pg, "pgmemsnap");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.table.include.list"] = "public.memsnap";
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.sink.type"] = "null";
  h.props.erase("debezium.sink.file.dir");
  h.props["debezium.source.max.batch.size"] = "256";
  auto siphon = h.start({{"SIPHON_DELAY", "sink.write:2"}});
  const long peak = peak_rss_through_snapshot(siphon, h, 10min);
  EXPECT_NE(h.log().find("snapshot of public.memsnap: " + std::to_string(kRows) + " rows"),
            std::string::npos)
      << h.log();
  EXPECT_TRUE(siphon.stop().success()) << h.log();
  std::cout << "peak RSS (VmHWM): " << peak / 1024 << " MB for a snapshot of " << kRows << " rows"
            << std::endl;
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 100 * 1024) << "peak RSS " << peak << " kB";
}

TEST(Memory, AMariaDbSnapshotOfA300MBTableThroughASlowSinkStaysUnder100MB) {
  // The snapshot streams rows from the server as the sink takes them (no result held whole).
  constexpr int kRows = 300'000;
  MariaDbServer& server = shared_mariadb_server();
  MariaDbConnection sql = server.connect();
  sql.exec(
      "CREATE DATABASE mem; CREATE TABLE mem.wide (id INT PRIMARY KEY, a VARCHAR(500), "
      "b VARCHAR(500))");
  // 1000 bytes a row that differ per row (md5 chains, incompressible).
  sql.exec(
      "INSERT INTO mem.wide SELECT seq, LEFT(REPEAT(MD5(seq), 16), 500), "
      "LEFT(REPEAT(MD5(seq + 1), 16), 500) FROM mem.seq_1_to_" +
      std::to_string(kRows));
  MariaDbSiphonHarness h(server, "memsnap");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "mem";
  h.props["debezium.sink.type"] = "null";
  h.props.erase("debezium.sink.file.dir");
  h.props["debezium.source.max.batch.size"] = "256";
  auto siphon = h.start({{"SIPHON_DELAY", "sink.write:2"}});
  const long peak = peak_rss_through_snapshot(siphon, h, 10min);
  EXPECT_NE(h.log().find("snapshot of mem.wide: " + std::to_string(kRows) + " rows"),
            std::string::npos)
      << h.log();
  EXPECT_TRUE(siphon.stop().success()) << h.log();
  std::cout << "peak RSS (VmHWM): " << peak / 1024 << " MB for a snapshot of " << kRows << " rows"
            << std::endl;
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 100 * 1024) << "peak RSS " << peak << " kB";
}

}  // namespace
}  // namespace siphon::testing
