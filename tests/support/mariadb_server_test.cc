#include "support/mariadb_server.h"

#include <unistd.h>

#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace siphon::testing {
namespace {

bool process_alive(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(MariaDbServer, StartsWithTheBinlogACdcReaderNeeds) {
  std::unique_ptr<MariaDbServer> db = MariaDbServer::start({"--log-bin-compress=ON"});
  EXPECT_GT(db->port(), 0);
  MariaDbConnection conn = db->connect();
  EXPECT_EQ(conn.scalar("SELECT @@binlog_format"), "ROW");
  EXPECT_EQ(conn.scalar("SELECT @@binlog_row_image"), "FULL");
  EXPECT_EQ(conn.scalar("SELECT @@binlog_row_metadata"), "FULL");
  EXPECT_EQ(conn.scalar("SELECT @@gtid_strict_mode"), "1");
  EXPECT_EQ(conn.scalar("SELECT @@time_zone"), "+00:00");
  EXPECT_EQ(conn.scalar("SELECT @@log_bin_compress"), "1");  // the extra option reached it
  EXPECT_EQ(conn.scalar("SELECT @@tmpdir"), (db->dir() / "tmp").string());  // not a shared /tmp
  EXPECT_TRUE(std::filesystem::exists(db->data_dir() / "binlog.000001"));

  conn.exec("CREATE DATABASE s; CREATE TABLE s.t (id INT PRIMARY KEY, v TEXT)");
  conn.exec("INSERT INTO s.t VALUES (1, NULL), (2, 'x')");
  auto rows = conn.query("SELECT id, v FROM s.t ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], std::nullopt);
  EXPECT_EQ(rows[1][1], "x");
  EXPECT_NE(conn.scalar("SELECT @@gtid_binlog_pos"), "");

  try {
    conn.exec("SELECT * FROM s.no_such_table");
    FAIL() << "no error";
  } catch (const MariaDbError& e) {
    EXPECT_EQ(e.code(), 1146u);  // ER_NO_SUCH_TABLE
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
  }
  conn.exec("SELECT 1");  // the connection is still usable after an error
}

TEST(MariaDbServer, RestartKeepsPortAndDataAndStopRemovesEverything) {
  std::unique_ptr<MariaDbServer> db = MariaDbServer::start();
  int port = db->port();
  pid_t first = db->pid();
  ASSERT_GT(first, 0);
  db->connect().exec(
      "CREATE DATABASE k; CREATE TABLE k.t (id INT PRIMARY KEY); "
      "INSERT INTO k.t VALUES (7)");
  db->restart(/*immediate=*/true);
  EXPECT_EQ(db->port(), port);
  EXPECT_NE(db->pid(), first);
  EXPECT_EQ(db->connect().scalar("SELECT id FROM k.t"), "7");

  std::filesystem::path dir = db->dir();
  pid_t pid = db->pid();
  db->stop();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(process_alive(pid));
}

TEST(MariaDbServer, SharedServerIsStartedOnce) {
  MariaDbServer& a = shared_mariadb_server();
  MariaDbServer& b = shared_mariadb_server();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.connect().scalar("SELECT 1"), "1");
}

}  // namespace
}  // namespace siphon::testing
