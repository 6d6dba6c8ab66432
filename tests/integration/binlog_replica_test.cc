// The replica connection against a live MariaDB 10.11 (started by the harness): events from a
// file position and from a GTID position arrive whole (the pure decoder verifies each CRC32)
// with the file and position where they start; a server id in use, the server's own id and a
// server without FULL row metadata are refused with what to change.
#include <signal.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "source/binlog/binlog_connection.h"
#include "source/binlog/event_decoder.h"
#include "source/binlog/mariadb_gtid_position.h"
#include "support/mariadb_server.h"

namespace siphon::source::binlog {
namespace {

using siphon::testing::MariaDbServer;
using siphon::testing::shared_mariadb_server;

BinlogConnectionOptions options_for(const MariaDbServer& server, uint32_t server_id) {
  BinlogConnectionOptions options;
  options.port = server.port();
  options.user = "root";
  options.server_id = server_id;
  options.non_blocking = true;
  return options;
}

struct Seen {
  std::vector<std::string> gtids;       // "domain-server-seq" of each GTID event
  std::vector<std::string> row_tables;  // db.table of each TABLE_MAP
  size_t rows_events = 0;
};

// Reads the dump to its end, decoding every event and checking that its position agrees with
// the log_pos in its header.
Seen read_all(BinlogConnection& connection, bool checksum) {
  EventDecoder decoder(EventDecoder::Options{.checksum_before_format = checksum});
  Seen seen;
  for (;;) {
    auto raw = connection.next();
    EXPECT_TRUE(raw.has_value()) << raw.error().message;
    if (!raw || !*raw) {
      return seen;
    }
    if ((*raw)->heartbeat) {
      continue;
    }
    auto event = decoder.decode((*raw)->bytes, EventLocation{(*raw)->file, (*raw)->position});
    EXPECT_TRUE(event.has_value()) << event.error().message;
    if (!event) {
      return seen;
    }
    EXPECT_EQ(event->header.type, (*raw)->type);
    EXPECT_FALSE((*raw)->file.empty());
    if (event->header.log_pos != 0) {
      EXPECT_EQ((*raw)->position + event->header.event_size, event->header.log_pos);
      EXPECT_EQ(connection.position(), event->header.log_pos);
    }
    if (const auto* gtid = std::get_if<MariaGtidEvent>(&event->body)) {
      seen.gtids.push_back(std::to_string(gtid->domain_id) + "-" +
                           std::to_string(event->header.server_id) + "-" +
                           std::to_string(gtid->seq_no));
    } else if (const auto* map = std::get_if<TableMap>(&event->body)) {
      seen.row_tables.push_back(map->database + "." + map->table);
    } else if (std::holds_alternative<RowsEvent>(event->body)) {
      ++seen.rows_events;
    }
  }
}

bool server_checksums(MariaDbServer& server) {
  return server.connect().scalar("SELECT @@global.binlog_checksum") != "NONE";
}

TEST(BinlogReplicaTest, StreamsFromFilePositionWithPositions) {
  MariaDbServer& server = shared_mariadb_server();
  auto sql = server.connect();
  sql.exec("CREATE DATABASE IF NOT EXISTS replica_file");
  sql.exec("CREATE TABLE replica_file.t (id INT PRIMARY KEY, v VARCHAR(20))");
  auto status = sql.query("SHOW MASTER STATUS");
  ASSERT_EQ(status.size(), 1U);
  const std::string file = *status[0][0];
  const uint64_t position = std::stoull(*status[0][1]);
  sql.exec("INSERT INTO replica_file.t VALUES (1, 'one'), (2, 'two')");
  sql.exec("UPDATE replica_file.t SET v = 'uno' WHERE id = 1");
  sql.exec("DELETE FROM replica_file.t WHERE id = 2");

  BinlogConnectionOptions options = options_for(server, 7101);
  options.start.file = file;
  options.start.position = position;
  auto connection = BinlogConnection::open(options);
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  const Seen seen = read_all(*connection, server_checksums(server));
  EXPECT_EQ(seen.gtids.size(), 3U);
  EXPECT_EQ(seen.rows_events, 3U);
  EXPECT_EQ(seen.row_tables,
            (std::vector<std::string>{"replica_file.t", "replica_file.t", "replica_file.t"}));
  EXPECT_EQ(connection->file(), file);
}

TEST(BinlogReplicaTest, StreamsAfterAGtidPosition) {
  MariaDbServer& server = shared_mariadb_server();
  auto sql = server.connect();
  sql.exec("CREATE DATABASE IF NOT EXISTS replica_gtid");
  sql.exec("CREATE TABLE replica_gtid.t (id INT PRIMARY KEY)");
  sql.exec("INSERT INTO replica_gtid.t VALUES (1)");
  const std::string before = sql.scalar("SELECT @@global.gtid_binlog_pos");
  sql.exec("INSERT INTO replica_gtid.t VALUES (2)");
  sql.exec("INSERT INTO replica_gtid.t VALUES (3)");
  const std::string after = sql.scalar("SELECT @@global.gtid_binlog_pos");

  BinlogConnectionOptions options = options_for(server, 7102);
  options.start.gtid_position = before;
  auto connection = BinlogConnection::open(options);
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  const Seen seen = read_all(*connection, server_checksums(server));
  // Exactly the two transactions after the position, the last one being the current position.
  ASSERT_EQ(seen.gtids.size(), 2U);
  EXPECT_EQ(seen.gtids.back(), after);
  // Advancing the start position by the GTIDs seen gives the server's position.
  auto position = MariaDbGtidPosition::parse(before);
  ASSERT_TRUE(position.has_value()) << position.error().message;
  for (const std::string& gtid : seen.gtids) {
    const MariaDbGtidPosition one = *MariaDbGtidPosition::parse(gtid);
    position->advance(one.domains().begin()->second);
  }
  EXPECT_EQ(position->to_string(), MariaDbGtidPosition::parse(after)->to_string());
  EXPECT_EQ(seen.rows_events, 2U);
}

TEST(BinlogReplicaTest, RefusesAServerIdALiveReplicaUses) {
  MariaDbServer& server = shared_mariadb_server();
  BinlogConnectionOptions options = options_for(server, 7103);
  options.non_blocking = false;  // stays connected and registered
  auto sql = server.connect();
  options.start.gtid_position = sql.scalar("SELECT @@global.gtid_binlog_pos");
  auto first = BinlogConnection::open(options);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  // Another replica with the id (another report host) is refused...
  BinlogConnectionOptions other = options;
  other.report_host = "another-replica";
  auto second = BinlogConnection::open(other);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kConfig);
  EXPECT_NE(second.error().message.find("database.server.id 7103 is already used"),
            std::string::npos)
      << second.error().message;
  // ... but the same report host is this connector's own previous run, which the server
  // replaces: a restart after a crash must not be refused.
  auto restarted = BinlogConnection::open(options);
  EXPECT_TRUE(restarted.has_value()) << restarted.error().message;

  options.server_id = static_cast<uint32_t>(std::stoul(sql.scalar("SELECT @@global.server_id")));
  auto own = BinlogConnection::open(options);
  ASSERT_FALSE(own.has_value());
  EXPECT_NE(own.error().message.find("the MariaDB server's own server_id"), std::string::npos)
      << own.error().message;
}

// A blocking dump on an idle server still returns: the primary's heartbeats come back from
// next(), so a source can notice a stop request between them.
TEST(BinlogReplicaTest, IdleBlockingDumpReturnsHeartbeats) {
  MariaDbServer& server = shared_mariadb_server();
  auto sql = server.connect();
  BinlogConnectionOptions options = options_for(server, 7106);
  options.non_blocking = false;
  options.heartbeat_seconds = 0.2;
  options.start.gtid_position = sql.scalar("SELECT @@global.gtid_binlog_pos");
  auto connection = BinlogConnection::open(options);
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    auto raw = connection->next();
    ASSERT_TRUE(raw.has_value()) << raw.error().message;
    ASSERT_TRUE(raw->has_value());
    if ((*raw)->heartbeat) {
      EXPECT_EQ((*raw)->file, connection->file());
      break;
    }
    // Only the dump's opening events (ROTATE, FORMAT_DESCRIPTION, GTID_LIST ...) come first.
    ASSERT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

// A primary that stops answering (SIGSTOP: the socket stays open, no heartbeat comes) fails
// the read as retryable after the read timeout instead of blocking forever.
TEST(BinlogReplicaTest, SilentPrimaryTimesOutAsRetryable) {
  auto server = MariaDbServer::start();
  BinlogConnectionOptions options = options_for(*server, 7109);
  options.non_blocking = false;
  options.heartbeat_seconds = 0.2;
  options.read_timeout_seconds = 2;
  options.start.gtid_position = server->connect().scalar("SELECT @@global.gtid_binlog_pos");
  auto connection = BinlogConnection::open(options);
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  ASSERT_EQ(::kill(server->pid(), SIGSTOP), 0);
  const auto stopped = std::chrono::steady_clock::now();
  Result<std::optional<RawBinlogEvent>> raw = connection->next();
  while (raw.has_value() && std::chrono::steady_clock::now() - stopped < std::chrono::seconds(30)) {
    raw = connection->next();  // events and heartbeats already in flight
  }
  ::kill(server->pid(), SIGCONT);
  // The error names the position reached (no file yet when the stop came before the dump's
  // opening ROTATE) and the requested start.
  ASSERT_FALSE(raw.has_value());
  EXPECT_EQ(raw.error().kind, ErrorKind::kRetryable) << raw.error().message;
  EXPECT_NE(raw.error().message.find("(dump started from GTID position"), std::string::npos)
      << raw.error().message;
}

TEST(BinlogReplicaTest, RefusesAServerWithoutFullRowMetadata) {
  auto server = MariaDbServer::start({"--binlog-row-metadata=MINIMAL"});
  auto connection = BinlogConnection::open(options_for(*server, 7104));
  ASSERT_FALSE(connection.has_value());
  EXPECT_EQ(connection.error().kind, ErrorKind::kConfig);
  EXPECT_NE(connection.error().message.find(
                "binlog_row_metadata is MINIMAL (set binlog_row_metadata=FULL"),
            std::string::npos)
      << connection.error().message;
}

// A position the server does not have stops with an error naming it, whether the server
// refuses at once or on the first read.
TEST(BinlogReplicaTest, UnknownPositionsAreNamed) {
  MariaDbServer& server = shared_mariadb_server();
  auto failure = [&](const BinlogConnectionOptions& options) -> std::string {
    auto connection = BinlogConnection::open(options);
    if (!connection) {
      return connection.error().message;
    }
    for (;;) {
      auto raw = connection->next();
      if (!raw) {
        EXPECT_EQ(raw.error().kind, ErrorKind::kFatal);
        return raw.error().message;
      }
      if (!*raw) {
        return "no error: the dump ended";
      }
    }
  };
  // Domain 0 must be in the binlog for a GTID beyond its end to be unknown (a fresh server's
  // binlog may have no GTID yet).
  server.connect().exec("CREATE DATABASE IF NOT EXISTS replica_unknown");
  BinlogConnectionOptions by_file = options_for(server, 7107);
  by_file.start.file = "binlog.999999";
  const std::string file_error = failure(by_file);
  EXPECT_NE(file_error.find("binlog.999999:4"), std::string::npos) << file_error;

  BinlogConnectionOptions by_gtid = options_for(server, 7108);
  by_gtid.start.gtid_position = "0-1-99999999";
  const std::string gtid_error = failure(by_gtid);
  EXPECT_NE(gtid_error.find("GTID position '0-1-99999999'"), std::string::npos) << gtid_error;
}

TEST(BinlogReplicaTest, ConnectionFailureIsRetryable) {
  BinlogConnectionOptions options;
  options.port = 1;  // nothing listens there
  options.user = "root";
  options.server_id = 7105;
  auto connection = BinlogConnection::open(options);
  ASSERT_FALSE(connection.has_value());
  EXPECT_EQ(connection.error().kind, ErrorKind::kRetryable) << connection.error().message;
  EXPECT_NE(connection.error().message.find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace siphon::source::binlog
