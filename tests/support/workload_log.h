#pragma once
// The workload's transaction log, the ground truth crash tests check Siphon's output against.
// One JSON object per line, in commit order.
//
// PostgreSQL: txid is the 32-bit xid pgoutput reports.
//   {"txid":123,"changes":[{"table":"public.w_accounts","key":{"id":7},"op":"c"},...]}
// MariaDB: gtid is the transaction's GTID "domain-server-seq" (read with @@last_gtid right after
// COMMIT, what the source block's `gtid` says) and txid its seq number.
//   {"txid":57,"gtid":"0-1-57","changes":[{"table":"w1.accounts","key":{"id":7},"op":"u"}]}
// A MariaDB rollback never gets a GTID: its line has txid 0, no gtid, and each change carries the
// values it wrote ("after", absent for a delete), so a phantom copy can be recognised by content.
//   {"txid":0,"changes":[{"table":"w1.accounts","key":{"id":7},"op":"c",
//                          "after":{"v":-42,"note":null}}]}
// op is "c", "u" or "d". Readers ignore fields they do not know; "gtid" and "after" are optional.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace siphon::testing {

struct LoggedChange {
  std::string table{};     // "schema.table" (PostgreSQL) or "db.table" (MariaDB)
  nlohmann::json key{};    // the key columns, e.g. {"id":7}
  char op = 'c';           // 'c', 'u' or 'd'
  nlohmann::json after{};  // {"v":..,"note":..} for a MariaDB rollback's c/u; null otherwise
};

struct LoggedTransaction {
  uint64_t txid = 0;
  std::vector<LoggedChange> changes{};
  std::string gtid{};  // MariaDB committed transactions only

  // What identifies the transaction in the sink: the GTID if any, else the txid as text.
  std::string identity() const { return gtid.empty() ? std::to_string(txid) : gtid; }
};

class WorkloadLog {
 public:
  // Creates (truncates) the file; every append is flushed at once, so the file is complete up to
  // the last finished transaction even if the writer is killed.
  explicit WorkloadLog(const std::filesystem::path& path);
  void append(const LoggedTransaction& transaction);

  static std::string to_line(const LoggedTransaction& transaction);  // without newline
  // Throws std::runtime_error on malformed input.
  static LoggedTransaction parse_line(std::string_view line);
  // All transactions of a log file, skipping blank lines; throws if unreadable or malformed.
  static std::vector<LoggedTransaction> read(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace siphon::testing
