#include "support/server_scripts.h"

#include <deque>
#include <fstream>

#include <fmt/format.h>

#ifndef SIPHON_REPO_ROOT
#error "SIPHON_REPO_ROOT must name the repository root (set by tests/support/CMakeLists.txt)"
#endif

namespace siphon::testing {

std::filesystem::path repo_root() {
  return SIPHON_REPO_ROOT;
}

std::string script_path(const char* name) {
  return (repo_root() / "scripts" / name).string();
}

std::string describe_failure(const std::string& what, const CommandResult& result) {
  return fmt::format("{} ({}{})\n--- stdout ---\n{}\n--- stderr ---\n{}", what,
                     result.status.describe(), result.timed_out ? ", timed out" : "", result.out,
                     result.err);
}

std::string file_tail(const std::filesystem::path& path, size_t lines, const char* if_missing) {
  std::ifstream in(path);
  if (!in) return if_missing;
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const std::string& l : tail) text += l + "\n";
  return text;
}

}  // namespace siphon::testing
