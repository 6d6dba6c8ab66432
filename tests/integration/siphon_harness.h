#pragma once
// Runs build/siphon against a test PostgreSQL the way a user would (siphon_harness_base.h). Each
// harness has its own directory, slot, publication and topic prefix, so tests can share one
// server.
#include <chrono>
#include <cstdint>
#include <fstream>  // (kept for the tests that include this header for them)
#include <memory>
#include <string>
#include <thread>

#include "integration/siphon_harness_base.h"
#include "support/pg_server.h"

namespace siphon::testing {

class SiphonHarness : public SiphonHarnessBase {
 public:
  // `name` makes the slot, publication and topic prefix unique on a shared server.
  SiphonHarness(const PgServer& pg, const std::string& name);
  // Drops the harness's slot (if siphon left it and no process uses it), so tests that share
  // a server do not run out of max_replication_slots.
  ~SiphonHarness() override;

  std::string topic(const std::string& table) const;  // "<prefix>.public.<table>"
  // Waits until siphon streams from its slot (the slot is active and has its consistent
  // point), so every later commit is captured. Fails the test on timeout.
  void wait_until_streaming(PgConnection& sql,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  const std::string& slot() const { return slot_; }

 private:
  std::string conninfo_;
  std::string slot_;
};

// An LSN as PostgreSQL prints it ("16/B374D848") as a number; throws on anything else.
uint64_t lsn_of(const std::string& text);

}  // namespace siphon::testing
