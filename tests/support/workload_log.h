#pragma once
// The workload's transaction log, the ground truth crash tests check Siphon's output against.
// One JSON object per line, in commit order:
//   {"txid":123,"changes":[{"table":"public.w_accounts","key":{"id":7},"op":"c"},...]}
// txid is the 32-bit xid pgoutput reports; op is "c", "u" or "d".
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace siphon::testing {

struct LoggedChange {
  std::string table{};   // "schema.table"
  nlohmann::json key{};  // the key columns, e.g. {"id":7}
  char op = 'c';         // 'c', 'u' or 'd'
};

struct LoggedTransaction {
  uint32_t txid = 0;
  std::vector<LoggedChange> changes{};
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
