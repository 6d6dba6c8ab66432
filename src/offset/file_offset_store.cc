#include "offset/file_offset_store.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace siphon::offset {
namespace {

Status write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::kFatal, "cannot write offset file {}: {}", path,
                        std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::optional<nlohmann::json>> FileOffsetStore::load() {
  std::ifstream in(path_);
  if (!in) {
    if (errno == ENOENT) return std::optional<nlohmann::json>{};
    return make_error(ErrorKind::kFatal, "cannot read offset file {}: {}", path_,
                      std::strerror(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  auto doc = nlohmann::json::parse(buf.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return make_error(ErrorKind::kFatal,
                      "offset file {} is not a JSON array of offset records; refusing to guess "
                      "where to resume (move it away to start afresh)",
                      path_);
  }
  for (const auto& rec : doc) {
    if (!rec.is_object() || !rec.contains("key") || !rec.contains("value")) continue;
    const auto& key = rec["key"];
    if (key.is_array() && key.size() == 2 && key[1].is_object() &&
        key[1].value("server", "") == server_) {
      return std::optional<nlohmann::json>(rec["value"]);
    }
  }
  return std::optional<nlohmann::json>{};
}

Status FileOffsetStore::store(const nlohmann::json& offset) {
  nlohmann::json doc = nlohmann::json::array();
  doc.push_back(
      {{"key", nlohmann::json::array({connector_, {{"server", server_}}})}, {"value", offset}});
  std::string text = doc.dump() + "\n";
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(ErrorKind::kFatal, "cannot create {}: {}", tmp, std::strerror(errno));
  }
  auto written = write_all(fd, text, tmp);
  if (written && ::fsync(fd) != 0) {
    written = make_error(ErrorKind::kFatal, "cannot fsync {}: {}", tmp, std::strerror(errno));
  }
  ::close(fd);
  if (!written) return written;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    return make_error(ErrorKind::kFatal, "cannot rename {} to {}: {}", tmp, path_,
                      std::strerror(errno));
  }
  int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok();
}

}  // namespace siphon::offset
