#pragma once
// Runs build/siphon against a test MariaDB (support/mariadb_server.h) the way a user would
// (siphon_harness_base.h). It writes these Debezium Server properties, which the MariaDB source
// reads; tests may change or add any through `props`:
//   debezium.source.connector.class=io.debezium.connector.mariadb.MariaDbConnector
//   debezium.source.database.hostname=127.0.0.1
//   debezium.source.database.port=<the server's port>
//   debezium.source.database.user=root
//   debezium.source.database.password=            (empty: the test server's root has none)
// No database.server.id: the source derives one from the name and prefix (unique per harness).
//   debezium.source.topic.prefix=it_<name>
//   debezium.source.offset.storage.file.filename=<dir>/offsets.json
//   debezium.source.retriable.restart.connector.wait.ms=1000
//   debezium.source.snapshot.mode=no_data       (streams from the current binlog position when
//                                                 no offset is stored; snapshot tests set it)
//   debezium.sink.type=file
//   debezium.sink.file.dir=<dir>/sink
// For MySQL's connector class set props["debezium.source.connector.class"] to
// io.debezium.connector.mysql.MySqlConnector.
//
// Streaming contract with the source: once siphon has asked the server for the binlog (so every
// later commit is captured), the source logs one line whose message starts with exactly
// kStreamingLogText ("streaming from binlog ..."); wait_until_streaming() waits for that text in
// siphon's log.
#include <chrono>
#include <string>

#include "integration/siphon_harness_base.h"
#include "support/mariadb_server.h"

namespace siphon::testing {

class MariaDbSiphonHarness : public SiphonHarnessBase {
 public:
  static constexpr const char* kStreamingLogText = "streaming from binlog";

  // `name` makes the directory and topic prefix unique; tests sharing a server use their own
  // databases.
  MariaDbSiphonHarness(const MariaDbServer& db, const std::string& name);
  // With only a port (a server the test manages otherwise).
  MariaDbSiphonHarness(int port, const std::string& name);

  // "<prefix>.<db>.<table>", the topic (and sink file name without ".jsonl") of a table.
  std::string topic(const std::string& db, const std::string& table) const;
  // Waits until siphon's log says it streams from the binlog (see above). Fails the test, with
  // the log, on timeout.
  void wait_until_streaming(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // Waits until the stored offset's `gtids` is exactly `gtids` (typically the server's
  // @@global.gtid_binlog_pos after a workload: then Siphon has delivered all of it). False on
  // timeout; callers assert with the log.
  bool wait_for_gtids(const std::string& gtids,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
};

}  // namespace siphon::testing
