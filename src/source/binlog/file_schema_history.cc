#include "source/binlog/file_schema_history.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace siphon::source::binlog {

Result<std::vector<nlohmann::json>> FileSchemaHistory::read() {
  std::vector<nlohmann::json> out;
  std::ifstream in(path_);
  if (!in) {
    if (!std::filesystem::exists(path_)) return out;
    return make_error(ErrorKind::kFatal, "cannot read the schema history {}: {}", path_,
                      std::strerror(errno));
  }
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      if (in.peek() == EOF) break;  // a torn last line: the append never completed
      return make_error(ErrorKind::kFatal,
                        "the schema history {} has a malformed record at line {}", path_, number);
    }
    out.push_back(std::move(record));
  }
  return out;
}

bool FileSchemaHistory::exists() const {
  std::error_code ec;
  return std::filesystem::file_size(path_, ec) > 0 && !ec;
}

Status FileSchemaHistory::append(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(ErrorKind::kFatal, "cannot open the schema history {}: {}", path_,
                      std::strerror(errno));
  }
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return make_error(ErrorKind::kFatal, "cannot write the schema history {}: {}", path_,
                        std::strerror(error));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    return make_error(ErrorKind::kFatal, "cannot fsync the schema history {}: {}", path_,
                      std::strerror(error));
  }
  ::close(fd);
  return ok();
}

}  // namespace siphon::source::binlog
