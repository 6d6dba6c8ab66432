#pragma once
// A fresh directory under /tmp, removed with everything in it when the object goes away.
#include <filesystem>
#include <string>

namespace siphon::testing {

class TempDir {
 public:
  // Creates /tmp/<prefix>XXXXXX; throws std::runtime_error on failure.
  explicit TempDir(const std::string& prefix = "siphon-test.");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace siphon::testing
