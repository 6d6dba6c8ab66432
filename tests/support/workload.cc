#include "support/workload.h"

#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "support/mariadb_workload_driver.h"
#include "support/pg_workload_driver.h"

namespace siphon::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<WorkloadDriver> driver_for(const WorkloadOptions& options) {
  if (!options.conninfo.empty()) return std::make_unique<PgWorkloadDriver>(options.conninfo);
  if (options.mariadb_port > 0) {
    return std::make_unique<MariaDbWorkloadDriver>(options.mariadb_host, options.mariadb_port,
                                                   options.gtid_domains, options.seed,
                                                   options.mariadb_failover_port);
  }
  throw std::invalid_argument("Workload: neither conninfo nor mariadb_port given");
}

}  // namespace

LoggedTransaction WorkloadTransaction::to_logged() const {
  LoggedTransaction logged{txid, {}, gtid};
  // Without an identity (a MariaDB rollback) only the values can recognise a phantom copy.
  bool with_values = txid == 0 && gtid.empty();
  for (const WorkloadChange& change : changes) {
    nlohmann::json after;
    if (with_values && change.after) {
      after = {{"v", change.after->v},
               {"note", change.after->note ? nlohmann::json(*change.after->note) : nullptr}};
    }
    logged.changes.push_back(
        LoggedChange{change.table, {{"id", change.id}}, change.op, std::move(after)});
  }
  return logged;
}

Workload::Workload(WorkloadOptions options) : Workload(options, driver_for(options)) {}

Workload::Workload(WorkloadOptions options, std::unique_ptr<WorkloadDriver> driver)
    : options_(std::move(options)), driver_(std::move(driver)), rng_(options_.seed) {
  if (options_.tables.empty()) throw std::invalid_argument("Workload: no tables");
  if (options_.rows_per_table < 1 || options_.max_changes_per_tx < 1) {
    throw std::invalid_argument("Workload: rows_per_table and max_changes_per_tx must be >= 1");
  }
  if (!options_.committed_log.empty()) {
    committed_log_ = std::make_unique<WorkloadLog>(options_.committed_log);
  }
  if (!options_.rolled_back_log.empty()) {
    rolled_back_log_ = std::make_unique<WorkloadLog>(options_.rolled_back_log);
  }
}

Workload::~Workload() = default;

void Workload::ensure_connected() {
  if (!connected_) connect_until_deadline();
}

void Workload::connect_until_deadline() {
  connected_ = false;
  auto deadline = Clock::now() + options_.reconnect_timeout;
  while (true) {
    try {
      driver_->connect();
      load_model();
      connected_ = true;
      return;
    } catch (const std::exception& e) {
      if (!driver_->connection_lost(e)) throw;
      if (Clock::now() >= deadline) {
        throw std::runtime_error(fmt::format("workload: server unreachable for {} ms: {}",
                                             options_.reconnect_timeout.count(), e.what()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Workload::create_tables() {
  ensure_connected();
  driver_->create_tables(options_.tables);
  load_model();
}

void Workload::load_model() {
  model_.clear();
  for (const std::string& table : options_.tables) {
    // A table that does not exist yet (create_tables() may come later) has no rows.
    model_[table] = driver_->read_table(table).value_or(TableModel{});
  }
}

size_t Workload::live_rows() const {
  size_t n = 0;
  for (const auto& [table, rows] : model_) n += rows.size();
  return n;
}

std::string Workload::random_note() {
  ++note_counter_;
  switch (rng_() % 8) {
    case 0:
    case 1:
      return {};  // the caller stores NULL for an empty note
    case 2:
      // Characters a JSON writer must escape, and non-ASCII text.
      return fmt::format("q\"uote\\ {} \xc3\xa9\xe2\x9c\x93\ttab", note_counter_);
    default:
      return fmt::format("note-{}", note_counter_);
  }
}

std::optional<WorkloadChange> Workload::next_change(const std::vector<WorkloadChange>& so_far) {
  std::uniform_int_distribution<size_t> pick_table(0, options_.tables.size() - 1);
  std::uniform_int_distribution<int32_t> pick_id(1, options_.rows_per_table);
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::string& table = options_.tables[pick_table(rng_)];
    int32_t id = pick_id(rng_);
    bool touched = false;
    for (const WorkloadChange& c : so_far) touched = touched || (c.table == table && c.id == id);
    if (touched) continue;

    WorkloadChange change{table, id, 'c', std::nullopt};
    bool present = model_[table].contains(id);
    // Present keys: updates twice as often as deletes, so about 3/4 of the keys stay live.
    if (present) change.op = (rng_() % 3 == 0) ? 'd' : 'u';
    if (change.op != 'd') {
      std::string note = random_note();
      change.after = WorkloadRow{static_cast<int64_t>(rng_()),
                                 note.empty() ? std::nullopt : std::optional<std::string>(note)};
    }
    return change;
  }
  return std::nullopt;  // every key tried was already touched: end the transaction here
}

void Workload::recover(WorkloadTransaction transaction, bool began, bool commit_sent,
                       WorkloadStats& stats) {
  // A transaction that never began wrote nothing. One cut off before COMMIT was aborted by the
  // server; one cut off during COMMIT may or may not have committed. The server may go away
  // again while we ask: then reconnect and ask again.
  ++stats.reconnects;
  auto deadline = Clock::now() + options_.reconnect_timeout;
  while (true) {
    try {
      connect_until_deadline();
      if (began) {
        bool committed = commit_sent && driver_->resolve_commit(transaction);
        // The model was just reloaded from the tables; applying a committed transaction's
        // changes again is harmless (same rows, same deletions).
        finish(std::move(transaction), committed, stats);
      }
      return;
    } catch (const std::exception& e) {
      connected_ = false;
      if (!driver_->connection_lost(e) || Clock::now() >= deadline) throw;
    }
  }
}

void Workload::finish(WorkloadTransaction transaction, bool committed, WorkloadStats& stats) {
  if (committed) {
    for (const WorkloadChange& change : transaction.changes) {
      if (change.op == 'd') {
        model_[change.table].erase(change.id);
      } else {
        model_[change.table][change.id] = *change.after;
      }
    }
    if (committed_log_) committed_log_->append(transaction.to_logged());
    ++stats.committed;
    stats.changes_committed += static_cast<int64_t>(transaction.changes.size());
    committed_.push_back(std::move(transaction));
  } else {
    if (rolled_back_log_) rolled_back_log_->append(transaction.to_logged());
    ++stats.rolled_back;
    rolled_back_.push_back(std::move(transaction));
  }
}

WorkloadStats Workload::run(const WorkloadLimits& limits) {
  WorkloadStats stats;
  auto start = Clock::now();
  std::bernoulli_distribution roll_back(options_.rollback_fraction);
  std::uniform_int_distribution<int> pick_count(1, options_.max_changes_per_tx);
  ensure_connected();  // the server may be (re)starting

  for (int64_t n = 0;; ++n) {
    if (limits.stop.stop_requested()) break;
    if (limits.transactions > 0 && n >= limits.transactions) break;
    if (limits.duration.count() > 0 && Clock::now() - start >= limits.duration) break;
    if (options_.target_tx_per_sec > 0) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(n / options_.target_tx_per_sec));
      std::this_thread::sleep_until(due);
    }

    WorkloadTransaction tx;
    bool began = false;
    bool commit_sent = false;
    try {
      int count = pick_count(rng_);
      bool rollback = roll_back(rng_);
      driver_->begin(tx);
      began = true;
      for (int i = 0; i < count; ++i) {
        std::optional<WorkloadChange> change = next_change(tx.changes);
        if (!change) break;
        tx.changes.push_back(std::move(*change));
        const WorkloadChange& applied = tx.changes.back();
        if (int64_t affected = driver_->apply(applied); affected != 1) {
          // Someone else writes these tables, or the model is wrong: the log would lie, so stop.
          throw std::logic_error(fmt::format("workload: {} of {} id {} affected {} rows",
                                             applied.op, applied.table, applied.id, affected));
        }
      }
      if (rollback) {
        driver_->rollback();
        finish(std::move(tx), false, stats);
      } else {
        commit_sent = true;
        driver_->commit(tx);
        finish(std::move(tx), true, stats);
      }
    } catch (const std::exception& e) {
      if (!driver_->connection_lost(e)) throw;  // an SQL error, not a lost server: a bug
      connected_ = false;
      recover(std::move(tx), began, commit_sent, stats);
    }
  }
  stats.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return stats;
}

}  // namespace siphon::testing
