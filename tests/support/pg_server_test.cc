#include "support/pg_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// Alive and not a zombie (a reparented postmaster may stay a zombie until init reaps it).
bool process_alive(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(PgServer, StartsWithLogicalDecodingAndExtraConfig) {
  std::unique_ptr<PgServer> pg = PgServer::start({"max_replication_slots = 7"});
  EXPECT_GT(pg->port(), 0);
  EXPECT_TRUE(std::filesystem::exists(pg->dir() / "port"));
  PgConnection conn = pg->connect();
  EXPECT_EQ(conn.scalar("SHOW wal_level"), "logical");
  EXPECT_EQ(conn.scalar("SHOW max_replication_slots"), "7");  // the extra line wins
  EXPECT_EQ(conn.scalar("SHOW max_wal_senders"), "20");
  // wal2json is allowed as an output plugin (PG 15.19+ needs output_plugin_libraries).
  conn.exec("SELECT pg_create_logical_replication_slot('w2j', 'wal2json')");
  conn.exec("SELECT pg_drop_replication_slot('w2j')");

  try {
    conn.exec("SELECT * FROM no_such_table");
    FAIL() << "no error";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
    EXPECT_FALSE(e.connection_lost());
  }

  auto rows = conn.query("SELECT 1, NULL::text UNION ALL SELECT 2, 'x' ORDER BY 1");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[0][1], std::nullopt);
  EXPECT_EQ(rows[1][1], "x");
}

TEST(PgServer, RestartKeepsPortAndData) {
  std::unique_ptr<PgServer> pg = PgServer::start();
  int port = pg->port();
  pid_t first_pid = pg->pid();
  {
    PgConnection conn = pg->connect();
    conn.exec("SET synchronous_commit = on; CREATE TABLE t (id int PRIMARY KEY)");
    conn.exec("SET synchronous_commit = on; INSERT INTO t VALUES (1), (2)");
    conn.exec("SELECT pg_create_logical_replication_slot('kept', 'pgoutput')");
  }
  pg->restart(/*immediate=*/true);  // like a crash: recovery replays the WAL
  EXPECT_EQ(pg->port(), port);
  EXPECT_NE(pg->pid(), first_pid);
  PgConnection conn = pg->connect();
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM t"), "2");
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'kept'"), "1");

  pg->restart();
  EXPECT_EQ(pg->connect().scalar("SELECT count(*) FROM t"), "2");

  std::filesystem::path dir = pg->dir();
  pid_t pid = pg->pid();
  pg->stop();
  pg->stop();  // idempotent
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(process_alive(pid));
}

TEST(PgServer, RestartsAfterThePostmasterWasKilled) {
  std::unique_ptr<PgServer> pg = PgServer::start();
  pg->connect().exec("SET synchronous_commit = on; CREATE TABLE k (id int)");
  pid_t postmaster = pg->pid();
  ASSERT_GT(postmaster, 1);
  ASSERT_EQ(::kill(postmaster, SIGKILL), 0);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (process_alive(postmaster) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(pg->pid(), -1);  // even while the killed postmaster is an unreaped zombie
  pg->restart();
  EXPECT_GT(pg->pid(), 1);
  EXPECT_EQ(pg->connect().scalar("SELECT count(*) FROM k"), "0");
}

TEST(PgServer, ConnectionLossIsReported) {
  std::unique_ptr<PgServer> pg = PgServer::start();
  PgConnection conn = pg->connect();
  PgConnection admin = pg->connect();
  admin.exec(
      fmt::format("SELECT pg_terminate_backend({})", conn.scalar("SELECT pg_backend_pid()")));
  try {
    conn.exec("SELECT 1");
    FAIL() << "no error";
  } catch (const PgError& e) {
    EXPECT_TRUE(e.connection_lost()) << e.what();
  }
  EXPECT_FALSE(conn.ok());
}

TEST(PgServer, WatchdogStopsTheServerWhenItsOwnerDies) {
  // A child process starts a server and dies without running any destructor, as a crashed or
  // timed-out test would. (This test process has no other threads, so fork is safe here.)
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(fds[0]);
    try {
      std::unique_ptr<PgServer> pg = PgServer::start();
      std::string line = fmt::format("{} {}\n", pg->pid(), pg->dir().string());
      (void)!::write(fds[1], line.data(), line.size());
      (void)pg.release();
    } catch (...) {
    }
    ::raise(SIGKILL);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(owner, &status, 0);
  ASSERT_FALSE(text.empty()) << "the child could not start a server";
  pid_t postmaster = std::stoi(text);
  std::filesystem::path dir = text.substr(text.find(' ') + 1, text.size() - text.find(' ') - 2);
  ASSERT_GT(postmaster, 1);

  auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((std::filesystem::exists(dir) || process_alive(postmaster)) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(process_alive(postmaster));
}

TEST(PgServer, SharedServerIsStartedOnce) {
  PgServer& a = shared_pg_server();
  PgServer& b = shared_pg_server();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.connect().scalar("SELECT 1"), "1");
}

}  // namespace
}  // namespace siphon::testing
