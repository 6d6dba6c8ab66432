#pragma once
// The database-specific half of the workload (workload.h): sessions, SQL and how to tell what
// happened to a COMMIT the connection lost. The Workload owns the model, the random choices, the
// logs and the recovery loop; a driver only talks to its server.
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/workload_types.h"

namespace siphon::testing {

class WorkloadDriver {
 public:
  virtual ~WorkloadDriver() = default;

  // Drops any session and opens a new one; throws when the server cannot be reached.
  virtual void connect() = 0;
  // Whether `error`, thrown by a call of this driver, means the server is gone, restarting or
  // unreachable (reconnect and go on) rather than a bug or an unexpected SQL error (stop).
  virtual bool connection_lost(const std::exception& error) const = 0;

  virtual void create_tables(const std::vector<std::string>& tables) = 0;
  // The rows of a table (id -> row); nullopt when the table does not exist (yet).
  virtual std::optional<std::map<int32_t, WorkloadRow>> read_table(const std::string& table) = 0;

  // Starts a transaction; may fill in its identity (PostgreSQL's xid).
  virtual void begin(WorkloadTransaction& tx) = 0;
  // Runs one change; returns the number of rows it affected.
  virtual int64_t apply(const WorkloadChange& change) = 0;
  // Commits; fills in the identity known only after the commit (MariaDB's GTID).
  virtual void commit(WorkloadTransaction& tx) = 0;
  virtual void rollback() = 0;
  // On a new session, after the connection was lost during commit(tx): whether tx committed. If
  // it did, fills in its identity as commit() would have.
  virtual bool resolve_commit(WorkloadTransaction& tx) = 0;
};

}  // namespace siphon::testing
