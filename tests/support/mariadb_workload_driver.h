#pragma once
// The workload's MariaDB driver (Connector/C, root). Tables are "db.table" and may be in several
// databases (created with the tables). Each commit's GTID is read with SELECT @@last_gtid right
// after COMMIT on the same session. With `gtid_domains` each transaction runs in a domain picked
// at random from the list (SET gtid_domain_id), so GTID positions span several domains.
//
// An interrupted COMMIT is resolved by the rows: once the old session is no longer committing,
// the transaction committed iff every row it changed holds its new state (values are random, so
// old and new never coincide). Its GTID is then the domain's entry in @@gtid_binlog_pos, which
// must be the seq read before COMMIT plus one; the workload must be the domain's only writer.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/workload_driver.h"

namespace siphon::testing {

class MariaDbWorkloadDriver : public WorkloadDriver {
 public:
  // `failover_port`, when given and non-zero at a connect, replaces `port` (a promoted replica).
  MariaDbWorkloadDriver(std::string host, int port, std::vector<uint32_t> gtid_domains,
                        uint64_t seed, std::shared_ptr<std::atomic<int>> failover_port = {});

  void connect() override;
  bool connection_lost(const std::exception& error) const override;
  void create_tables(const std::vector<std::string>& tables) override;
  std::optional<std::map<int32_t, WorkloadRow>> read_table(const std::string& table) override;
  void begin(WorkloadTransaction& tx) override;
  int64_t apply(const WorkloadChange& change) override;
  void commit(WorkloadTransaction& tx) override;
  void rollback() override;
  bool resolve_commit(WorkloadTransaction& tx) override;

  // "w1.accounts" -> "`w1`.`accounts`"; throws std::invalid_argument without a database.
  static std::string quote_table(const std::string& table);

 private:
  MariaDbConnection& conn();
  std::string literal(const std::string& text);
  // The domain's entry in @@gtid_binlog_pos (nullopt when the domain has none).
  std::optional<MariaDbGtid> binlog_gtid(uint32_t domain);
  void wait_until_session_idle(uint64_t session_id);

  std::string host_;
  int port_;
  std::shared_ptr<std::atomic<int>> failover_port_;
  std::vector<uint32_t> gtid_domains_;
  std::mt19937_64 rng_;
  std::optional<MariaDbConnection> conn_;
  uint64_t session_id_ = 0;          // CONNECTION_ID() of the current session
  uint32_t default_domain_ = 0;      // @@gtid_domain_id when gtid_domains is empty
  uint32_t domain_ = 0;              // the current transaction's domain
  uint64_t seq_before_commit_ = 0;   // the domain's last seq when COMMIT was sent
  uint64_t committing_session_ = 0;  // the session COMMIT was sent on
};

}  // namespace siphon::testing
