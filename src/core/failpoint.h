#pragma once
// Failpoints for crash tests: SIPHON_FAILPOINT="name" (or "name:N" to fire on the N-th hit)
// makes the process kill itself with SIGKILL when execution reaches failpoint("name").
// Unset, a failpoint costs one predictable branch.
#include <string_view>

namespace siphon {

void failpoint(std::string_view name);

// Delay points for tests that need a slow stage: SIPHON_DELAY="name:ms" makes every
// delaypoint("name") sleep that long.
void delaypoint(std::string_view name);

}  // namespace siphon
