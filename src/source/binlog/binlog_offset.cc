#include "source/binlog/binlog_offset.h"

#include <charconv>
#include <limits>
#include <tuple>

namespace siphon::source::binlog {
namespace {

Status read_number(const nlohmann::json& offset, const char* key, uint64_t max, uint64_t& out) {
  if (!offset.contains(key) || offset[key].is_null()) {
    return ok();
  }
  const nlohmann::json& value = offset[key];
  if (value.is_number_unsigned()) {
    out = value.get<uint64_t>();
  } else if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(value.get<int64_t>());
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      return make_error(ErrorKind::kConfig, "stored binlog offset: '{}' is not a number: {}", key,
                        value.dump());
    }
  } else {
    return make_error(ErrorKind::kConfig, "stored binlog offset: '{}' is not a number: {}", key,
                      value.dump());
  }
  if (out > max) {
    return make_error(ErrorKind::kConfig, "stored binlog offset: '{}' is out of range: {}", key,
                      value.dump());
  }
  return ok();
}

}  // namespace

Result<BinlogOffset> BinlogOffset::from_json(const nlohmann::json& offset) {
  if (!offset.is_object()) {
    return make_error(ErrorKind::kConfig, "stored binlog offset is not a JSON object: {}",
                      offset.dump());
  }
  BinlogOffset out;
  if (offset.contains("file") && !offset["file"].is_null()) {
    if (!offset["file"].is_string()) {
      return make_error(ErrorKind::kConfig, "stored binlog offset: 'file' is not a string: {}",
                        offset["file"].dump());
    }
    out.file = offset["file"].get<std::string>();
  }
  if (offset.contains("gtids") && !offset["gtids"].is_null()) {
    if (!offset["gtids"].is_string()) {
      return make_error(ErrorKind::kConfig, "stored binlog offset: 'gtids' is not a string: {}",
                        offset["gtids"].dump());
    }
    auto gtids = MariaDbGtidPosition::parse(offset["gtids"].get<std::string>());
    if (!gtids) {
      return make_error(ErrorKind::kConfig, "stored binlog offset: 'gtids': {}",
                        gtids.error().message);
    }
    out.gtids = std::move(*gtids);
  }
  if (out.file.empty() && !out.gtids) {
    return make_error(ErrorKind::kConfig, "stored binlog offset has neither 'file' nor 'gtids': {}",
                      offset.dump());
  }
  constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
  uint64_t server_id = 0;
  for (const auto& [key, target, max] :
       {std::tuple<const char*, uint64_t*, uint64_t>{"pos", &out.pos, kMax64},
        {"event", &out.event, kMax64},
        {"row", &out.row, kMax64},
        {"ts_sec", &out.ts_sec, kMax64},
        {"server_id", &server_id, std::numeric_limits<uint32_t>::max()}}) {
    if (auto status = read_number(offset, key, max, *target); !status) {
      return tl::unexpected(status.error());
    }
  }
  out.server_id = static_cast<uint32_t>(server_id);
  return out;
}

nlohmann::json BinlogOffset::to_json() const {
  nlohmann::json offset = nlohmann::json::object();
  offset["file"] = file;
  offset["pos"] = pos;
  if (gtids) {
    offset["gtids"] = gtids->to_string();
  }
  // Debezium writes event and row only inside a transaction, ts_sec always, server_id when set.
  if (event != 0) {
    offset["event"] = event;
  }
  if (row != 0) {
    offset["row"] = row;
  }
  offset["ts_sec"] = ts_sec;
  if (server_id != 0) {
    offset["server_id"] = server_id;
  }
  return offset;
}

}  // namespace siphon::source::binlog
