#pragma once
// What PgServer and MariaDbServer share: both drive a throwaway server through the scripts in
// scripts/ (start, stop) and report a failed script with its output and the server's log.
#include <cstddef>
#include <filesystem>
#include <string>

#include "support/process.h"

namespace siphon::testing {

// The repository root (scripts/, tests/golden/, ...).
std::filesystem::path repo_root();

// scripts/<name> under the repository root.
std::string script_path(const char* name);

// "<what> (<exit status>[, timed out])" followed by the script's stdout and stderr.
std::string describe_failure(const std::string& what, const CommandResult& result);

// The last `lines` lines of a server log, or `if_missing` when it cannot be read.
std::string file_tail(const std::filesystem::path& path, size_t lines, const char* if_missing);

}  // namespace siphon::testing
