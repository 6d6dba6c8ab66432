#pragma once
// A guard that stops a throwaway server even when the test process dies without running
// destructors (crash, SIGKILL on timeout): no server outlives its test.
#include <filesystem>
#include <string>

namespace siphon::testing {

// Starts a detached process that runs `stop_script dir` once the returned pipe end is closed,
// which happens when the caller closes it or when this process dies in any way.
// Throws std::runtime_error when the process cannot be started.
int start_stop_watchdog(const std::string& stop_script, const std::filesystem::path& dir);

}  // namespace siphon::testing
