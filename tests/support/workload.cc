#include "support/workload.h"

#include <limits>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace siphon::testing {
namespace {

using Clock = std::chrono::steady_clock;

// "public.w_accounts" -> "\"public\".\"w_accounts\"" (a name without schema stays unqualified).
std::string quote_table(const std::string& table) {
  auto quote = [](std::string_view part) {
    std::string quoted = "\"";
    for (char c : part) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  };
  size_t dot = table.find('.');
  if (dot == std::string::npos) return quote(table);
  return quote(std::string_view(table).substr(0, dot)) + "." +
         quote(std::string_view(table).substr(dot + 1));
}

}  // namespace

LoggedTransaction WorkloadTransaction::to_logged() const {
  LoggedTransaction logged{txid, {}};
  for (const WorkloadChange& change : changes) {
    logged.changes.push_back(LoggedChange{change.table, {{"id", change.id}}, change.op});
  }
  return logged;
}

Workload::Workload(WorkloadOptions options) : options_(std::move(options)), rng_(options_.seed) {
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

PgConnection& Workload::connection() {
  if (!conn_) {
    conn_.emplace(options_.conninfo);
    // Durable commits even on a server running with synchronous_commit = off: a commit that was
    // logged must survive an immediate (crash) restart, or the checker would see it "missing".
    conn_->exec("SET synchronous_commit = on; SET application_name = 'siphon-workload'");
    load_model();
  }
  return *conn_;
}

void Workload::connect_until_deadline() {
  conn_.reset();
  auto deadline = Clock::now() + options_.reconnect_timeout;
  while (true) {
    try {
      connection();
      return;
    } catch (const PgError& e) {
      conn_.reset();
      if (Clock::now() >= deadline) {
        throw PgError(fmt::format("workload: server unreachable for {} ms: {}",
                                  options_.reconnect_timeout.count(), e.what()),
                      e.sqlstate(), true);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Workload::create_tables() {
  std::string sql;
  for (const std::string& table : options_.tables) {
    sql += fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY, v bigint NOT NULL, note text);",
        quote_table(table));
  }
  connection().exec(sql);
  load_model();
}

void Workload::load_model() {
  model_.clear();
  for (const std::string& table : options_.tables) {
    TableModel& rows = model_[table];
    // Only once the tables exist (create_tables() may come later).
    std::string exists =
        conn_->scalar(fmt::format("SELECT to_regclass('{}') IS NOT NULL", quote_table(table)));
    if (exists != "t") continue;
    for (const PgRow& row :
         conn_->query(fmt::format("SELECT id, v, note FROM {}", quote_table(table)))) {
      rows[std::stoi(*row[0])] = WorkloadRow{std::stoll(*row[1]), row[2]};
    }
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

void Workload::apply(const WorkloadChange& change) {
  std::string table = quote_table(change.table);
  std::string id = std::to_string(change.id);
  long affected = 0;
  switch (change.op) {
    case 'c':
      affected =
          conn_->exec_params(fmt::format("INSERT INTO {} (id, v, note) VALUES ($1, $2, $3)", table),
                             {id, std::to_string(change.after->v), change.after->note});
      break;
    case 'u':
      affected =
          conn_->exec_params(fmt::format("UPDATE {} SET v = $2, note = $3 WHERE id = $1", table),
                             {id, std::to_string(change.after->v), change.after->note});
      break;
    default:
      affected = conn_->exec_params(fmt::format("DELETE FROM {} WHERE id = $1", table), {id});
      break;
  }
  if (affected != 1) {
    // Someone else writes these tables, or the model is wrong: the log would lie, so stop.
    throw std::logic_error(fmt::format("workload: {} of {} id {} affected {} rows", change.op,
                                       change.table, change.id, affected));
  }
}

bool Workload::resolve_commit(uint64_t full_xid) {
  // The connection broke during COMMIT: the server knows whether it happened. 'in progress' is
  // possible for a moment when only the connection (not the server) went away.
  for (int attempt = 0; attempt < 600; ++attempt) {
    std::optional<std::string> status;
    try {
      status = conn_->query(fmt::format("SELECT pg_xact_status('{}'::xid8)", full_xid)).at(0).at(0);
    } catch (const PgError& e) {
      // After a crash restart an xid whose assignment never reached the WAL is "in the future":
      // its transaction cannot have committed (a commit record would have advanced the counter).
      // SQLSTATE 22023: "transaction ID ... is in the future".
      if (!e.connection_lost() && e.sqlstate() == "22023") return false;
      throw;
    }
    if (status == "committed") return true;
    if (status != "in progress") return false;  // aborted, or NULL: never committed
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error(fmt::format("workload: xid {} stays in progress", full_xid));
}

void Workload::recover(WorkloadTransaction transaction, bool began, bool commit_sent,
                       WorkloadStats& stats) {
  // Without an xid nothing was written. A transaction cut off before COMMIT was aborted by the
  // server; one cut off during COMMIT may or may not have committed. The server may go away
  // again while we ask: then reconnect and ask again.
  bool pending = began && transaction.full_xid != 0;
  ++stats.reconnects;
  auto deadline = Clock::now() + options_.reconnect_timeout;
  while (true) {
    try {
      connect_until_deadline();
      if (pending) {
        bool committed = commit_sent && resolve_commit(transaction.full_xid);
        // The model was just reloaded from the tables; applying a committed transaction's
        // changes again is harmless (same rows, same deletions).
        finish(std::move(transaction), committed, stats);
      }
      return;
    } catch (const PgError& e) {
      if (!e.connection_lost() || Clock::now() >= deadline) throw;
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
  if (!conn_ || !conn_->ok()) connect_until_deadline();  // the server may be (re)starting

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
      conn_->exec("BEGIN");
      began = true;
      tx.full_xid = std::stoull(conn_->scalar("SELECT pg_current_xact_id()::text"));
      tx.txid = static_cast<uint32_t>(tx.full_xid & 0xffffffffULL);
      for (int i = 0; i < count; ++i) {
        std::optional<WorkloadChange> change = next_change(tx.changes);
        if (!change) break;
        tx.changes.push_back(std::move(*change));
        apply(tx.changes.back());
      }
      if (rollback) {
        conn_->exec("ROLLBACK");
        finish(std::move(tx), false, stats);
      } else {
        commit_sent = true;
        conn_->exec("COMMIT");
        finish(std::move(tx), true, stats);
      }
    } catch (const PgError&) {
      if (conn_ && conn_->ok()) throw;  // an SQL error, not a lost server: a bug somewhere
      recover(std::move(tx), began, commit_sent, stats);
    }
  }
  stats.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return stats;
}

}  // namespace siphon::testing
