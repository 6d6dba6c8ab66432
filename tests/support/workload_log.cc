#include "support/workload_log.h"

#include <stdexcept>

#include <fmt/format.h>

namespace siphon::testing {

WorkloadLog::WorkloadLog(const std::filesystem::path& path)
    : path_(path), out_(path, std::ios::out | std::ios::trunc) {
  if (!out_) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

void WorkloadLog::append(const LoggedTransaction& transaction) {
  out_ << to_line(transaction) << '\n';
  out_.flush();
  if (!out_) throw std::runtime_error(fmt::format("cannot write {}", path_.string()));
}

std::string WorkloadLog::to_line(const LoggedTransaction& transaction) {
  // ordered_json keeps the documented field order (txid first) for people reading the file.
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const LoggedChange& change : transaction.changes) {
    nlohmann::ordered_json item;
    item["table"] = change.table;
    item["key"] = change.key;
    item["op"] = std::string(1, change.op);
    if (!change.after.is_null()) item["after"] = change.after;
    changes.push_back(std::move(item));
  }
  nlohmann::ordered_json line;
  line["txid"] = transaction.txid;
  if (!transaction.gtid.empty()) line["gtid"] = transaction.gtid;
  line["changes"] = std::move(changes);
  return line.dump();
}

LoggedTransaction WorkloadLog::parse_line(std::string_view line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("txid") || !json["txid"].is_number_integer() ||
      !json.contains("changes") || !json["changes"].is_array() ||
      (json.contains("gtid") && !json["gtid"].is_string())) {
    throw std::runtime_error(fmt::format("malformed workload log line: {}", line));
  }
  LoggedTransaction transaction;
  transaction.txid = json["txid"].get<uint64_t>();
  if (json.contains("gtid")) transaction.gtid = json["gtid"].get<std::string>();
  for (const nlohmann::json& item : json["changes"]) {
    if (!item.is_object() || !item.contains("table") || !item["table"].is_string() ||
        !item.contains("key") || !item.contains("op") || !item["op"].is_string() ||
        item["op"].get<std::string>().size() != 1) {
      throw std::runtime_error(fmt::format("malformed change in workload log line: {}", line));
    }
    transaction.changes.push_back(LoggedChange{item["table"].get<std::string>(), item["key"],
                                               item["op"].get<std::string>()[0],
                                               item.value("after", nlohmann::json())});
  }
  return transaction;
}

std::vector<LoggedTransaction> WorkloadLog::read(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
  std::vector<LoggedTransaction> result;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    result.push_back(parse_line(line));
  }
  return result;
}

}  // namespace siphon::testing
