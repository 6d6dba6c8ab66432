#include "source/binlog/binlog_connection.h"

// mysql.h must come first: mariadb_rpl.h uses its types.
#include <mysql.h>

#include <mariadb_rpl.h>

#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "source/binlog/mariadb_sql.h"

namespace siphon::source::binlog {
namespace {

constexpr uint8_t kRotateEvent = 4;
constexpr uint8_t kHeartbeatEvent = 27;

std::string describe_start(const DumpStart& start) {
  if (start.gtid_position) {
    return fmt::format("GTID position '{}'", *start.gtid_position);
  }
  return fmt::format("{}:{}", start.file.empty() ? "(first binlog)" : start.file, start.position);
}

Status run(MYSQL* mysql, const std::string& sql) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) {
    return make_error(mariadb_error_kind(mysql_errno(mysql)),
                      "MariaDB replica connection: '{}' failed: {}", sql, mysql_error(mysql));
  }
  return ok();
}

// Rows of a query's result as text (an empty string for NULL).
Result<std::vector<std::vector<std::string>>> rows(MYSQL* mysql, const std::string& sql) {
  if (auto status = run(mysql, sql); !status) {
    return tl::unexpected(status.error());
  }
  MYSQL_RES* result = mysql_store_result(mysql);
  std::vector<std::vector<std::string>> out;
  if (result == nullptr) {
    return out;
  }
  const unsigned fields = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    std::vector<std::string>& values = out.emplace_back();
    for (unsigned i = 0; i < fields; ++i) {
      values.emplace_back(row[i] != nullptr ? row[i] : "");
    }
  }
  mysql_free_result(result);
  return out;
}

std::string quote(MYSQL* mysql, const std::string& text) {
  std::string out(text.size() * 2 + 1, '\0');
  out.resize(mysql_real_escape_string(mysql, out.data(), text.data(), text.size()));
  return "'" + out + "'";
}

// The server must write full row images with full metadata (spec/binlog.md §1.2). FULL
// metadata is a deliberate difference from Debezium: without it the table map carries no
// column names, signedness, charsets or ENUM labels, and reading them from the current schema
// is wrong for events written before a DDL.
Status check_binlog_settings(MYSQL* mysql, uint32_t server_id) {
  auto settings =
      rows(mysql,
           "SELECT @@global.log_bin, @@global.binlog_format, @@global.binlog_row_image, "
           "@@global.binlog_row_metadata, @@global.server_id");
  if (!settings) {
    return make_error(settings.error().kind,
                      "{} (Siphon needs MariaDB 10.5+ with binlog_row_metadata)",
                      settings.error().message);
  }
  const std::vector<std::string>& row = settings->at(0);
  std::vector<std::string> wrong;
  if (row[0] != "1") {
    wrong.push_back(fmt::format("log_bin is OFF (start the server with --log-bin)"));
  }
  if (row[1] != "ROW") {
    wrong.push_back(fmt::format("binlog_format is {} (set binlog_format=ROW)", row[1]));
  }
  if (row[2] != "FULL") {
    wrong.push_back(fmt::format("binlog_row_image is {} (set binlog_row_image=FULL)", row[2]));
  }
  if (row[3] != "FULL") {
    wrong.push_back(fmt::format(
        "binlog_row_metadata is {} (set binlog_row_metadata=FULL; Siphon requires it, unlike "
        "Debezium, to read column names, signedness, charsets and ENUM/SET labels from the "
        "binlog itself)",
        row[3]));
  }
  if (!wrong.empty()) {
    return make_error(ErrorKind::kConfig,
                      "the MariaDB server does not write a row-based binlog "
                      "Siphon can capture: {}",
                      fmt::join(wrong, "; "));
  }
  if (row[4] == std::to_string(server_id)) {
    return make_error(ErrorKind::kConfig,
                      "database.server.id {} is the MariaDB server's own server_id; choose "
                      "another",
                      server_id);
  }
  return ok();
}

// Connector/C does not always pass on the server's reason for refusing a dump ("Unknown or
// undefined error code"); the commonest is a user without REPLICATION SLAVE, which SHOW GRANTS
// tells. Empty when the grants include it (directly, as ALL PRIVILEGES, or possibly through a
// role) or cannot be read.
std::string missing_privilege_hint(MYSQL* mysql) {
  auto grants = rows(mysql, "SHOW GRANTS");
  if (!grants) return "";
  for (const std::vector<std::string>& grant : *grants) {
    const std::string& text = grant.empty() ? std::string() : grant[0];
    if (text.find("REPLICATION SLAVE") != std::string::npos ||
        text.find("ALL PRIVILEGES") != std::string::npos || text.rfind("GRANT `", 0) == 0 ||
        text.rfind("GRANT '", 0) == 0) {  // a role
      return "";
    }
  }
  return " (the user's grants have no REPLICATION SLAVE, which reading the binlog needs: GRANT "
         "REPLICATION SLAVE ON *.* TO the user)";
}

// Two replicas with one server id make the primary drop the older one's dump, over and over.
// A replica registered under this connector's own report host is this connector's previous
// run (killed, or its connection not yet noticed as gone): the server replaces that dump
// thread when the new one starts, so it is not refused.
Status check_server_id_unused(MYSQL* mysql, uint32_t server_id, const std::string& report_host) {
  const std::string_view statement = replica_hosts_statement(mysql_get_server_info(mysql));
  auto replicas = rows(mysql, std::string(statement));
  if (!replicas) {
    return make_error(replicas.error().kind,
                      "{} (Siphon checks that no live replica uses database.server.id {}; grant "
                      "REPLICATION MASTER ADMIN or REPLICATION SLAVE ADMIN)",
                      replicas.error().message, server_id);
  }
  for (const std::vector<std::string>& replica : *replicas) {
    if (!replica.empty() && replica[0] == std::to_string(server_id) &&
        (replica.size() < 2 || replica[1] != report_host)) {
      return make_error(ErrorKind::kConfig,
                        "database.server.id {} is already used by a live replica of the MariaDB "
                        "server ({}: host '{}'); give this connector another id",
                        server_id, statement, replica.size() > 1 ? replica[1] : "");
    }
  }
  return ok();
}

}  // namespace

Result<BinlogConnection> BinlogConnection::open(const BinlogConnectionOptions& options) {
  if (options.server_id == 0) {
    return make_error(ErrorKind::kConfig, "database.server.id must be between 1 and 4294967295");
  }
  BinlogConnection connection;
  connection.mysql_ = mysql_init(nullptr);
  if (connection.mysql_ == nullptr) {
    return make_error(ErrorKind::kFatal, "MariaDB replica connection: out of memory");
  }
  MYSQL* mysql = connection.mysql_;
  if (options.read_timeout_seconds > 0) {
    mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &options.read_timeout_seconds);
  }
  const std::string where = fmt::format("{}:{}", options.host, options.port);
  if (mysql_real_connect(mysql, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), nullptr, static_cast<unsigned>(options.port),
                         nullptr, 0) == nullptr) {
    return make_error(mariadb_error_kind(mysql_errno(mysql)), "cannot connect to MariaDB at {}: {}",
                      where, mysql_error(mysql));
  }
  if (auto status = check_binlog_settings(mysql, options.server_id); !status) {
    return tl::unexpected(status.error());
  }
  if (auto status = check_server_id_unused(mysql, options.server_id, options.report_host);
      !status) {
    return tl::unexpected(status.error());
  }

  // spec/binlog.md §1: checksums as the server writes them (the decoder verifies them),
  // capability 4 so GTID events arrive as themselves, GTID connect state for GTID positioning.
  auto checksum = rows(mysql, "SELECT @@global.binlog_checksum");
  if (!checksum) return tl::unexpected(checksum.error());
  connection.checksums_ =
      checksum->empty() || checksum->at(0).empty() || checksum->at(0)[0] != "NONE";
  std::vector<std::string> settings = {"SET @master_binlog_checksum = @@global.binlog_checksum",
                                       "SET @mariadb_slave_capability = 4"};
  if (options.heartbeat_seconds > 0) {
    settings.push_back(fmt::format("SET @master_heartbeat_period = {}",
                                   static_cast<uint64_t>(options.heartbeat_seconds * 1e9)));
  }
  if (options.start.gtid_position) {
    settings.push_back("SET @slave_connect_state = " + quote(mysql, *options.start.gtid_position));
    settings.push_back("SET @slave_gtid_strict_mode = 1");
  }
  for (const std::string& sql : settings) {
    if (auto status = run(mysql, sql); !status) {
      return tl::unexpected(status.error());
    }
  }

  connection.rpl_ = mariadb_rpl_init(mysql);
  if (connection.rpl_ == nullptr) {
    return make_error(ErrorKind::kFatal, "MariaDB replica connection: mariadb_rpl_init: {}",
                      mysql_error(mysql));
  }
  MARIADB_RPL* rpl = connection.rpl_;
  // An empty file name with a GTID connect state asks for GTID positioning.
  const std::string file = options.start.gtid_position ? std::string() : options.start.file;
  const unsigned long start = options.start.gtid_position ? 4 : options.start.position;
  unsigned int flags = MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS;
  if (options.non_blocking) {
    flags |= MARIADB_RPL_BINLOG_DUMP_NON_BLOCK;
  }
  // The host and port make Connector/C register the replica (COM_REGISTER_SLAVE), so it shows
  // in SHOW SLAVE HOSTS and a second connector with the same id is refused.
  const std::string& report_host = options.report_host;
  if (mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, file.c_str(), file.size()) != 0 ||
      mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, start) != 0 ||
      mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, options.server_id) != 0 ||
      mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags) != 0 ||
      mariadb_rpl_optionsv(rpl, MARIADB_RPL_HOST, report_host.c_str(), report_host.size()) != 0 ||
      mariadb_rpl_optionsv(rpl, MARIADB_RPL_PORT, static_cast<unsigned>(options.port)) != 0) {
    return make_error(ErrorKind::kFatal, "MariaDB replica connection: mariadb_rpl_optionsv: {}",
                      mysql_error(mysql));
  }
  if (mariadb_rpl_open(rpl) != 0) {
    const unsigned error_number = mysql_errno(mysql);
    const std::string error = mysql_error(mysql);
    return make_error(mariadb_error_kind(error_number),
                      "MariaDB at {} refused the binlog dump from {}: {}{}", where,
                      describe_start(options.start), error, missing_privilege_hint(mysql));
  }
  connection.file_ = file;
  connection.start_ = describe_start(options.start);
  connection.position_ = options.start.gtid_position ? 0 : start;
  return connection;
}

BinlogConnection::BinlogConnection(BinlogConnection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)),
      rpl_(std::exchange(other.rpl_, nullptr)),
      event_(std::exchange(other.event_, nullptr)),
      file_(std::move(other.file_)),
      position_(other.position_),
      checksums_(other.checksums_),
      start_(std::move(other.start_)) {}

BinlogConnection& BinlogConnection::operator=(BinlogConnection&& other) noexcept {
  if (this != &other) {
    close();
    mysql_ = std::exchange(other.mysql_, nullptr);
    rpl_ = std::exchange(other.rpl_, nullptr);
    event_ = std::exchange(other.event_, nullptr);
    file_ = std::move(other.file_);
    position_ = other.position_;
    checksums_ = other.checksums_;
    start_ = std::move(other.start_);
  }
  return *this;
}

BinlogConnection::~BinlogConnection() {
  close();
}

void BinlogConnection::close() {
  if (event_ != nullptr) {
    mariadb_free_rpl_event(event_);
    event_ = nullptr;
  }
  if (rpl_ != nullptr) {
    mariadb_rpl_close(rpl_);
    rpl_ = nullptr;
  }
  if (mysql_ != nullptr) {
    mysql_close(mysql_);
    mysql_ = nullptr;
  }
}

Result<std::optional<RawBinlogEvent>> BinlogConnection::next() {
  // Reusing the previous event lets Connector/C keep one buffer; the caller's bytes from the
  // previous call are no longer valid (as documented).
  MARIADB_RPL_EVENT* event = mariadb_rpl_fetch(rpl_, event_);
  if (event == nullptr) {
    event_ = nullptr;
    const unsigned code = mysql_errno(mysql_);
    if (code == 0) {
      return std::optional<RawBinlogEvent>();  // end of the binlog (non-blocking dump)
    }
    return make_error(
        mariadb_error_kind(code), "MariaDB binlog dump failed at {}:{} (dump started from {}): {}",
        file_.empty() ? "(no file yet)" : file_, position_, start_, mysql_error(mysql_));
  }
  event_ = event;
  // raw_data is the network packet: the OK byte (0x00) and then the event, whose length is in
  // its header.
  if (event->raw_data_size < event->event_length || event->event_length < 19) {
    return make_error(ErrorKind::kFatal,
                      "MariaDB binlog dump at {}:{}: a packet of {} bytes for an event of {}",
                      file_, position_, event->raw_data_size, event->event_length);
  }
  RawBinlogEvent raw;
  raw.bytes = std::string_view(
      reinterpret_cast<const char*>(event->raw_data) + (event->raw_data_size - event->event_length),
      event->event_length);
  raw.type = static_cast<uint8_t>(event->event_type);
  raw.heartbeat = raw.type == kHeartbeatEvent;
  if (raw.type == kRotateEvent) {
    // A rotate (artificial at the dump's start, or real at the end of a file) names the file
    // the following events are in.
    file_.assign(event->event.rotate.filename.str, event->event.rotate.filename.length);
    raw.file = file_;
    position_ = event->event.rotate.position;
    raw.next_position = position_;
    return raw;
  }
  raw.file = file_;
  if (!raw.heartbeat && event->next_event_pos != 0 &&
      event->next_event_pos >= event->event_length) {
    raw.position = event->next_event_pos - event->event_length;
    position_ = event->next_event_pos;
  }
  raw.next_position = position_;
  return raw;
}

uint32_t derive_server_id(std::string_view connector_name, std::string_view topic_prefix) {
  // FNV-1a over "name\0prefix": stable across builds and platforms.
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
  };
  mix(connector_name);
  mix(std::string_view("\0", 1));
  mix(topic_prefix);
  constexpr uint32_t kLow = 5400;
  constexpr uint32_t kHigh = 0x80000000U;
  return kLow + static_cast<uint32_t>(hash % (kHigh - kLow));
}

std::string_view replica_hosts_statement(std::string_view server_version) {
  constexpr std::string_view kOld = "SHOW SLAVE HOSTS";
  if (server_version.find("MariaDB") != std::string_view::npos) {
    return kOld;
  }
  // "8.0.36", "8.4.0-log", "9.1.0": major.minor.patch first.
  unsigned numbers[3] = {0, 0, 0};
  size_t part = 0;
  for (const char c : server_version) {
    if (c >= '0' && c <= '9') {
      numbers[part] = numbers[part] * 10 + static_cast<unsigned>(c - '0');
    } else if (c == '.' && part < 2) {
      ++part;
    } else {
      break;
    }
  }
  const bool renamed = numbers[0] > 8 || (numbers[0] == 8 && numbers[1] > 0) ||
                       (numbers[0] == 8 && numbers[1] == 0 && numbers[2] >= 22);
  return renamed ? "SHOW REPLICAS" : kOld;
}

}  // namespace siphon::source::binlog
