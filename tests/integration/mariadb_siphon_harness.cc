#include "integration/mariadb_siphon_harness.h"

#include <thread>

#include <gtest/gtest.h>

namespace siphon::testing {

MariaDbSiphonHarness::MariaDbSiphonHarness(const MariaDbServer& db, const std::string& name)
    : MariaDbSiphonHarness(db.port(), name) {}

MariaDbSiphonHarness::MariaDbSiphonHarness(int port, const std::string& name)
    : SiphonHarnessBase(name) {
  props.insert({
      {"debezium.source.connector.class", "io.debezium.connector.mariadb.MariaDbConnector"},
      {"debezium.source.database.hostname", "127.0.0.1"},
      {"debezium.source.database.port", std::to_string(port)},
      {"debezium.source.database.user", "root"},
      {"debezium.source.database.password", ""},
      // Most tests capture only what they write after the start (the shared server holds other
      // tests' databases too); snapshot tests set the mode themselves.
      {"debezium.source.snapshot.mode", "no_data"},
  });
}

std::string MariaDbSiphonHarness::topic(const std::string& db, const std::string& table) const {
  return prefix() + "." + db + "." + table;
}

void MariaDbSiphonHarness::wait_until_streaming(std::chrono::milliseconds timeout) const {
  if (!wait_for_log(kStreamingLogText, timeout)) {
    ADD_FAILURE() << "siphon never logged '" << kStreamingLogText << "'\n" << log();
  }
}

bool MariaDbSiphonHarness::wait_for_gtids(const std::string& gtids,
                                          std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto offset = stored_offset();
    if (offset && offset->value("gtids", "") == gtids) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace siphon::testing
