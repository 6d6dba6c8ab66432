#pragma once
// PostgreSQL capture through logical replication with pgoutput (protocol version 1).
//
// Position invariant: a transaction is acknowledged to the slot with its Commit's end LSN, and
// only after every record of it is delivered and the offset that covers it is stored. The
// stored offset, not the slot, says where to resume: the server may resend transactions the
// slot already confirmed (spec/pgoutput.md §2.6), so transactions whose commit precedes the
// stored position are skipped, and a partly delivered transaction is replayed without its
// delivered records.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/lsn.h"
#include "event/transaction_monitor.h"
#include "source/postgres/pg_connection.h"
#include "source/postgres/pg_value_converter.h"
#include "source/postgres/relation_cache.h"
#include "source/source.h"
#include "source/table_filter.h"

namespace siphon::source::postgres {

struct PostgresSourceConfig {
  PgConnectionParams connection;
  std::string topic_prefix;
  std::string topic_delimiter = ".";
  std::string transaction_topic = "transaction";
  std::string slot_name = "debezium";
  std::string publication_name = "dbz_publication";
  std::string publication_autocreate_mode = "all_tables";
  // Publications Siphon creates publish partitions' changes as their partitioned root table.
  bool publish_via_partition_root = false;
  bool drop_slot_on_stop = false;
  std::set<char> skipped_operations = {'t'};
  bool provide_transaction_metadata = false;
  PgConverterOptions converter;
  std::chrono::milliseconds status_update_interval{10000};
  std::chrono::milliseconds heartbeat_interval{0};  // 0 = no heartbeats
  std::string heartbeat_action_query;
  std::string heartbeat_topic_prefix = "__debezium-heartbeat";
  // initial, initial_only, no_data (schema_only), never, always, when_needed.
  std::string snapshot_mode = "initial";
  std::string debezium_version = "3.1.2.Final";
  // Which logical decoding messages (pg_logical_emit_message) are emitted, by prefix.
  NameFilter message_filter;
  // column.propagate.source.type / datatype.propagate.source.type; nullopt when not set.
  std::optional<NameFilter> propagate_columns;
  std::optional<NameFilter> propagate_datatypes;
};

class PostgresSource : public Source {
 public:
  PostgresSource(PostgresSourceConfig config, TableFilter filter);
  ~PostgresSource() override;

  Status start(const std::optional<nlohmann::json>& stored_offset) override;
  Status stream(Dispatcher& dispatcher, const std::atomic<bool>& stop) override;
  nlohmann::json offset_for(const offset::SourcePosition& delivered) const override;
  void confirm(const offset::SourcePosition& delivered) override;
  void close() override;
  bool finished() const override { return finished_; }

  static const schema::FieldSchema& source_schema();

 private:
  struct Transaction {
    uint32_t xid = 0;
    Lsn final_lsn;
    int64_t commit_ts_us = 0;  // Unix microseconds
    bool skip = false;         // already delivered before a restart
  };

  Status check_server(PgConnection& sql);
  Status ensure_publication(PgConnection& sql);
  Status ensure_slot(PgConnection& sql);
  void warn_about_unpublishable_tables(PgConnection& sql);
  std::optional<CatalogTable> catalog_of(uint32_t relation_id, const std::string& schema,
                                         const std::string& table);
  static bool has_unknown_enum_label(const RelationEntry& rel, const TupleData& tuple);

  // The initial snapshot (postgres_snapshot.cc).
  bool snapshot_wanted(const std::optional<nlohmann::json>& stored) const;
  // Opens the snapshot transaction: importing `exported_snapshot` when the slot was just
  // created, a fresh REPEATABLE READ transaction otherwise (empty name).
  Status prepare_snapshot(bool slot_existed, const std::string& exported_snapshot);
  Status run_snapshot(Dispatcher& dispatcher, const std::atomic<bool>& stop);

  Status handle_message(const XLogDataFrame& frame, Dispatcher& dispatcher);
  Status handle_change(const PgOutputMessage& message, Lsn lsn, Dispatcher& dispatcher);
  Status handle_logical_message(const LogicalMessage& message, Lsn lsn, Dispatcher& dispatcher);
  Status emit_change(const RelationEntry& rel, event::Op op, std::optional<Row> before,
                     std::optional<Row> after, Lsn lsn, std::vector<event::Header> headers,
                     Dispatcher& dispatcher);
  Result<Row> build_row(const RelationEntry& rel, const TupleData& tuple, Lsn lsn) const;
  Row key_only(const RelationEntry& rel, const Row& row) const;
  offset::SourcePosition position_at(Lsn lsn) const;
  event::SourceBlock source_block(const RelationEntry* rel, Lsn lsn) const;
  Status send_status(bool reply_requested);
  Status maybe_heartbeat(Dispatcher& dispatcher);
  Status maybe_send_status();
  void store_idle_position(Dispatcher& dispatcher);

  PostgresSourceConfig config_;
  TableFilter filter_;
  PgValueConverter converter_;
  RelationCache relations_;
  event::TransactionMonitor transactions_;

  std::unique_ptr<PgConnection> sql_;          // catalog lookups
  std::unique_ptr<PgConnection> replication_;  // the stream
  std::unique_ptr<PgConnection> snapshot_;     // the snapshot transaction, while one is due
  int server_version_num_ = 0;
  bool streaming_ = false;
  bool finished_ = false;

  // The snapshot: wanted at start, the interrupted one found in the stored offset, and where
  // streaming takes over from it.
  bool snapshot_wanted_ = false;
  bool snapshot_interrupted_ = false;
  // Whether the interrupted snapshot had created its slot (nothing was ever streamed from
  // it, so it can be dropped), and whether this run's snapshot creates its slot.
  bool interrupted_snapshot_created_slot_ = false;
  bool snapshot_creates_slot_ = false;
  bool has_stored_offset_ = false;
  Lsn snapshot_lsn_;
  int64_t snapshot_txid_ = 0;
  int64_t snapshot_ts_us_ = 0;

  // Where to resume, from the stored offset.
  Lsn start_lsn_;
  Lsn partial_final_lsn_;
  uint32_t partial_records_done_ = 0;

  // Stream state (source thread only).
  std::optional<Transaction> tx_;
  Lsn last_commit_end_;            // end LSN of the last Commit processed: Debezium's lsn_commit
  int64_t last_commit_ts_us_ = 0;  // commit time of the last transaction seen
  Lsn received_;                   // highest LSN received: the status update's write position
  Lsn last_keepalive_end_;
  Lsn idle_dispatched_;  // the last keepalive position sent through the pipeline
  Lsn sent_flush_;
  std::chrono::steady_clock::time_point last_status_{};
  std::chrono::steady_clock::time_point last_heartbeat_ = std::chrono::steady_clock::now();

  std::atomic<uint64_t> confirmed_{0};  // set from the sink thread
};

}  // namespace siphon::source::postgres
