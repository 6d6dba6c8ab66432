#include "sink/file_sink.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/failpoint.h"
#include "sink/record_line.h"

namespace siphon::sink {
namespace {

// Topic names are already restricted to [A-Za-z0-9._-] by Debezium's naming rules; anything
// else is replaced so a topic can never name a path outside the directory.
std::string file_name_for(const std::string& topic) {
  std::string name = topic;
  for (char& c : name) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
    if (!safe) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "_" + name;
  return name + ".jsonl";
}

// Cuts a trailing partial line left by a crash in the middle of a write.
Status repair_torn_tail(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return make_error(ErrorKind::kFatal, "cannot stat {}: {}", path, std::strerror(errno));
  }
  off_t end = st.st_size;
  if (end == 0) return ok();
  char last = 0;
  if (::pread(fd, &last, 1, end - 1) != 1) {
    return make_error(ErrorKind::kFatal, "cannot read {}: {}", path, std::strerror(errno));
  }
  if (last == '\n') return ok();
  off_t pos = end;
  char buf[4096];
  while (pos > 0) {
    off_t chunk = std::min<off_t>(pos, sizeof buf);
    if (::pread(fd, buf, chunk, pos - chunk) != chunk) {
      return make_error(ErrorKind::kFatal, "cannot read {}: {}", path, std::strerror(errno));
    }
    for (off_t i = chunk - 1; i >= 0; --i) {
      if (buf[i] == '\n') {
        off_t keep = pos - chunk + i + 1;
        if (::ftruncate(fd, keep) != 0) {
          return make_error(ErrorKind::kFatal, "cannot truncate {}: {}", path,
                            std::strerror(errno));
        }
        return ok();
      }
    }
    pos -= chunk;
  }
  if (::ftruncate(fd, 0) != 0) {
    return make_error(ErrorKind::kFatal, "cannot truncate {}: {}", path, std::strerror(errno));
  }
  return ok();
}

Status write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::kFatal, "file sink write failed: {}", std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace

Status FileSink::open() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return make_error(ErrorKind::kConfig, "debezium.sink.file.dir: cannot create '{}': {}", dir_,
                      ec.message());
  }
  return ok();
}

Result<int> FileSink::file_for(const std::string& topic) {
  auto it = files_.find(topic);
  if (it != files_.end()) return it->second;
  std::string path = dir_ + "/" + file_name_for(topic);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(ErrorKind::kFatal, "cannot open {}: {}", path, std::strerror(errno));
  }
  if (auto repaired = repair_torn_tail(fd, path); !repaired) {
    ::close(fd);
    return tl::unexpected(repaired.error());
  }
  files_.emplace(topic, fd);
  return fd;
}

Status FileSink::write(std::vector<SinkRecord>& batch, const AckFn& ack) {
  delaypoint("sink.write");
  pending_.clear();
  for (const auto& rec : batch) {
    auto fd = file_for(rec.record.topic);
    if (!fd) return tl::unexpected(fd.error());
    append_record_line(pending_[*fd], rec.record, false);
  }
  for (const auto& [fd, bytes] : pending_) {
    if (auto w = write_all(fd, bytes); !w) return w;
  }
  if (fsync_) {
    for (const auto& [fd, bytes] : pending_) {
      if (::fdatasync(fd) != 0) {
        return make_error(ErrorKind::kFatal, "file sink fsync failed: {}", std::strerror(errno));
      }
    }
  }
  failpoint("sink.before_ack");
  for (const auto& rec : batch) ack(rec.sequence);
  return ok();
}

void FileSink::close() {
  for (auto& [topic, fd] : files_) ::close(fd);
  files_.clear();
}

}  // namespace siphon::sink
