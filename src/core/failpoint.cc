#include "core/failpoint.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include <unistd.h>

namespace siphon {
namespace {

struct FailpointSpec {
  bool armed = false;
  std::string name;
  long fire_on_hit = 1;
  std::atomic<long> hits{0};

  FailpointSpec() {
    const char* env = std::getenv("SIPHON_FAILPOINT");
    if (env == nullptr || *env == '\0') return;
    std::string spec(env);
    auto colon = spec.find(':');
    name = spec.substr(0, colon);
    if (colon != std::string::npos) fire_on_hit = std::max(1L, std::atol(spec.c_str() + colon + 1));
    armed = true;
  }
};

FailpointSpec& spec() {
  static FailpointSpec s;
  return s;
}

struct DelaySpec {
  std::string name;
  long millis = 0;
  DelaySpec() {
    const char* env = std::getenv("SIPHON_DELAY");
    if (env == nullptr) return;
    std::string spec(env);
    auto colon = spec.find(':');
    if (colon == std::string::npos) return;
    name = spec.substr(0, colon);
    millis = std::atol(spec.c_str() + colon + 1);
  }
};

}  // namespace

void delaypoint(std::string_view name) {
  static const DelaySpec spec;
  if (spec.millis <= 0 || name != spec.name) return;
  std::this_thread::sleep_for(std::chrono::milliseconds(spec.millis));
}

void failpoint(std::string_view name) {
  auto& s = spec();
  if (!s.armed || name != s.name) return;
  if (s.hits.fetch_add(1) + 1 < s.fire_on_hit) return;
  // Say which failpoint fired so the test can tell this death from a crash.
  std::string msg = "failpoint " + s.name + " fired\n";
  [[maybe_unused]] auto n = ::write(2, msg.data(), msg.size());
  ::kill(::getpid(), SIGKILL);
}

}  // namespace siphon
