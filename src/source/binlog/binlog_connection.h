#pragma once
// A replica connection to a MariaDB primary (spec/binlog.md §1): Connector/C does the connect,
// authentication, TLS and packet framing; this class sets the variables a replica must set
// (checksum, MariaDB capability, GTID connect state, heartbeat period), checks that the server
// writes the binlog Siphon can decode, refuses a server id a live replica already uses, and
// yields each event's raw bytes with the binlog file and position where it starts. Decoding is
// the pure EventDecoder's job: mariadb_rpl_extract_rows is never used (its bugs:
// ENVIRONMENT.md §2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

typedef struct st_mysql MYSQL;
typedef struct st_mariadb_rpl MARIADB_RPL;
typedef struct st_mariadb_rpl_event MARIADB_RPL_EVENT;

namespace siphon::source::binlog {

// Where to start the dump: a MariaDB GTID position ("0-1-19,1-1-4"; the dump starts after
// it, empty = from the beginning of the oldest binlog) or a binlog file and position.
struct DumpStart {
  std::optional<std::string> gtid_position;
  std::string file;
  uint64_t position = 4;
};

struct BinlogConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  // The replica's server id: nonzero, distinct from the primary's and any live replica's.
  uint32_t server_id = 0;
  // The host name the replica registers with (SHOW SLAVE HOSTS). A replica already registered
  // with this server id and this host is this connector's own previous run, not a conflict;
  // make it unique per connector (at most 60 characters).
  std::string report_host = "siphon";
  DumpStart start;
  // The primary sends a heartbeat after this many idle seconds (0 = none); heartbeats come
  // back from next() so a caller blocked on an idle server can still notice a stop request.
  double heartbeat_seconds = 5.0;
  // A read that waits longer (no event and no heartbeat) fails as retryable: a primary that
  // vanished without closing the socket is noticed. 0 = wait forever. Keep it well above the
  // heartbeat period.
  unsigned read_timeout_seconds = 60;
  // The server ends the dump at the end of its last binlog instead of waiting (tests, tools).
  bool non_blocking = false;
};

// One event as it came from the primary.
struct RawBinlogEvent {
  std::string_view bytes;  // header, body and checksum; valid until the next next() call
  std::string file;        // the binlog file the event is in
  uint64_t position = 0;   // where it starts in that file (0 for artificial events)
  uint64_t next_position = 0;
  uint8_t type = 0;
  bool heartbeat = false;  // a keep-alive, not a binlog event: nothing to decode
};

class BinlogConnection {
 public:
  // Connects, checks the server's binlog settings and the server id, and starts the dump.
  // Errors: kConfig for settings the operator must change (named with the value to set),
  // kRetryable for a lost or refused connection, kFatal otherwise.
  static Result<BinlogConnection> open(const BinlogConnectionOptions& options);

  BinlogConnection(BinlogConnection&& other) noexcept;
  BinlogConnection& operator=(BinlogConnection&& other) noexcept;
  BinlogConnection(const BinlogConnection&) = delete;
  BinlogConnection& operator=(const BinlogConnection&) = delete;
  ~BinlogConnection();

  // The next event; nullopt at the end of the binlog in non-blocking mode. Errors name the
  // file and position reached.
  Result<std::optional<RawBinlogEvent>> next();

  // Whether the server's events carry a CRC32 (binlog_checksum=CRC32; NONE writes none): the
  // decoder must know before the stream's first FORMAT_DESCRIPTION says so.
  bool checksums() const { return checksums_; }
  // Where the next event starts.
  const std::string& file() const { return file_; }
  uint64_t position() const { return position_; }

 private:
  BinlogConnection() = default;
  void close();

  MYSQL* mysql_ = nullptr;
  MARIADB_RPL* rpl_ = nullptr;
  MARIADB_RPL_EVENT* event_ = nullptr;
  std::string file_;
  uint64_t position_ = 0;
  bool checksums_ = true;
  std::string start_;  // the requested start, for errors before the first event
};

// A stable server id for a connector that has no database.server.id: a hash of its name and
// topic prefix in [5400, 2^31), so restarts reuse the id and two connectors rarely collide (a
// collision with a live replica is refused at open).
uint32_t derive_server_id(std::string_view connector_name, std::string_view topic_prefix);

// The statement that lists the live replicas of the server whose version string (SELECT
// VERSION()) is `server_version`: MySQL renamed SHOW SLAVE HOSTS to SHOW REPLICAS in 8.0.22
// and removed the old name in 8.4; MariaDB keeps SHOW SLAVE HOSTS. Both list the server id
// first and the reported host second.
std::string_view replica_hosts_statement(std::string_view server_version);

}  // namespace siphon::source::binlog
