#pragma once
// The workload's PostgreSQL driver (libpq). Its session uses synchronous_commit = on so that a
// commit it logged survives an immediate restart; an interrupted COMMIT is resolved with
// pg_xact_status() of the transaction's full xid.
#include <optional>
#include <string>

#include "support/pg_connection.h"
#include "support/workload_driver.h"

namespace siphon::testing {

class PgWorkloadDriver : public WorkloadDriver {
 public:
  explicit PgWorkloadDriver(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  void connect() override;
  bool connection_lost(const std::exception& error) const override;
  void create_tables(const std::vector<std::string>& tables) override;
  std::optional<std::map<int32_t, WorkloadRow>> read_table(const std::string& table) override;
  void begin(WorkloadTransaction& tx) override;
  int64_t apply(const WorkloadChange& change) override;
  void commit(WorkloadTransaction& tx) override;
  void rollback() override;
  bool resolve_commit(WorkloadTransaction& tx) override;

 private:
  PgConnection& conn();

  std::string conninfo_;
  std::optional<PgConnection> conn_;
};

}  // namespace siphon::testing
