#pragma once
// Wall-clock time in the units the event formats use.
#include <chrono>
#include <cstdint>

namespace siphon {

// Microseconds between 1970-01-01 and 2000-01-01 (PostgreSQL's epoch).
inline constexpr int64_t kPostgresEpochOffsetMicros = 946'684'800'000'000LL;

inline int64_t now_unix_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t now_unix_micros() {
  return now_unix_nanos() / 1000;
}

}  // namespace siphon
