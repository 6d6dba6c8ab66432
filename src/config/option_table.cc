#include "config/option_table.h"

#include <cctype>
#include <unordered_map>

namespace siphon::config {
namespace {

// Connector classes Siphon implements. Adding a connector means adding its class here and its
// keys (with `applies_when` on the connector class) to the table below.
constexpr std::string_view kPostgresConnector =
    "io.debezium.connector.postgresql.PostgresConnector";
constexpr std::string_view kMariaDbConnector = "io.debezium.connector.mariadb.MariaDbConnector";
constexpr std::string_view kMySqlConnector = "io.debezium.connector.mysql.MySqlConnector";
// applies_when of the keys only the binlog connectors read.
constexpr std::string_view kBinlogOnly =
    "debezium.source.connector.class=io.debezium.connector.mariadb.MariaDbConnector|"
    "io.debezium.connector.mysql.MySqlConnector";
constexpr std::string_view kFileOffsetStore =
    "org.apache.kafka.connect.storage.FileOffsetBackingStore";
constexpr std::string_view kKafkaOffsetStore =
    "org.apache.kafka.connect.storage.KafkaOffsetBackingStore";

constexpr std::string_view kConnection = "Source: connection";
constexpr std::string_view kCapture = "Source: capture";
constexpr std::string_view kBinlog = "Source: MariaDB and MySQL";
constexpr std::string_view kEvents = "Source: events";
constexpr std::string_view kOffsets = "Source: offsets";
constexpr std::string_view kQueues = "Source: queues and retries";
constexpr std::string_view kSink = "Sink";
constexpr std::string_view kFormat = "Format";
constexpr std::string_view kSiphon = "Siphon";

std::vector<OptionSpec> build_table() {
  using T = OptionType;
  return {
      // --- Source: connection ---
      {.key = "debezium.source.connector.class",
       .type = T::kEnum,
       .required = true,
       .allowed = {kPostgresConnector, kMariaDbConnector, kMySqlConnector},
       .meaning = "The connector to run: PostgreSQL (logical replication with pgoutput), or "
                  "MariaDB / MySQL (the binlog, read as a replica). The MySQL class reads a "
                  "MariaDB server the same way; it is not tested against a live MySQL 8 server.",
       .section = kConnection},
      {.key = "debezium.source.name",
       .type = T::kString,
       .default_value = "siphon",
       .meaning = "Connector name; offsets are stored under it, so after a rename the stored "
                  "position is not found.",
       .section = kConnection},
      {.key = "debezium.source.database.hostname",
       .type = T::kString,
       .required = true,
       .meaning = "Host name or IP address of the database server.",
       .section = kConnection},
      {.key = "debezium.source.database.port",
       .type = T::kInt,
       .default_value = "5432",
       .min = 1,
       .max = 65535,
       .meaning = "TCP port of the database server. When it is not set, the MariaDB and MySQL "
                  "connectors use 3306.",
       .section = kConnection},
      {.key = "debezium.source.database.user",
       .type = T::kString,
       .required = true,
       .meaning = "User to connect as. PostgreSQL: it needs the REPLICATION attribute. "
                  "MariaDB/MySQL: it needs REPLICATION SLAVE and REPLICATION CLIENT (BINLOG "
                  "MONITOR), SELECT on information_schema, and REPLICATION MASTER ADMIN to list "
                  "replicas, as for Debezium.",
       .section = kConnection},
      {.key = "debezium.source.database.password",
       .type = T::kPassword,
       .meaning = "Password of `database.user`. Never printed; prefer setting it through "
                  "`DEBEZIUM_SOURCE_DATABASE_PASSWORD`.",
       .section = kConnection},
      {.key = "debezium.source.database.dbname",
       .type = T::kString,
       .required = true,
       .meaning = "Database to capture changes from.",
       .applies_when = "debezium.source.connector.class=io.debezium.connector.postgresql."
                       "PostgresConnector",
       .section = kConnection},
      {.key = "debezium.source.database.sslmode",
       .type = T::kEnum,
       .default_value = "prefer",
       .allowed = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"},
       .meaning = "TLS mode of the connection, with libpq's meaning of each mode.",
       .section = kConnection},
      {.key = "debezium.source.database.sslrootcert",
       .type = T::kString,
       .meaning = "File with the certificate authorities used to verify the server with "
                  "`verify-ca` and `verify-full`; empty means libpq's default location.",
       .section = kConnection},
      {.key = "debezium.source.connect.timeout.ms",
       .type = T::kLong,
       .default_value = "30000",
       .min = 1,
       .meaning = "How long one attempt to connect to PostgreSQL may take before it counts as "
                  "failed.",
       .section = kConnection},

      // --- Source: MariaDB / MySQL ---
      {.key = "debezium.source.database.server.id",
       .type = T::kLong,
       .min = 1,
       .max = 4294967295,
       .meaning = "Server id Siphon registers with as a replica; unique among the server's "
                  "replicas. Without it a stable id in [5400, 2^31) is derived from "
                  "`debezium.source.name` and `topic.prefix`. Siphon refuses an id a live replica "
                  "already uses (SHOW SLAVE HOSTS) and the server's own.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.database.include.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; only databases whose whole name matches "
                  "one are captured, all from one binlog stream. Cannot be combined with "
                  "`database.exclude.list`.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.database.exclude.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; databases whose whole name matches one "
                  "are not captured. Cannot be combined with `database.include.list`.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.bigint.unsigned.handling.mode",
       .type = T::kEnum,
       .default_value = "long",
       .allowed = {"long", "precise"},
       .meaning = "Representation of BIGINT UNSIGNED: `long` (values above 2^63-1 wrap, as in "
                  "Debezium) or `precise` (Connect `Decimal`).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "siphon.binlog.invalid.text.handling.mode",
       .type = T::kEnum,
       .default_value = "fail",
       .allowed = {"fail", "replace"},
       .meaning = "Text bytes that are invalid in their column's character set: `fail` stops "
                  "the connector naming the binlog position, table and column; `replace` emits "
                  "U+FFFD for each invalid sequence. Never `?`.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.snapshot.locking.mode",
       .type = T::kEnum,
       .default_value = "minimal",
       .allowed = {"minimal", "none", "extended", "minimal_percona",
                   "minimal_percona_no_table_locks", "shared", "custom"},
       .meaning = "How a MariaDB snapshot keeps DDL out while it reads the table schemas. "
                  "`minimal`: a global read lock (FLUSH TABLES WITH READ LOCK, needs the RELOAD "
                  "privilege) from just before the consistent-snapshot transaction starts until "
                  "the schemas are read; its duration is logged. The rows themselves are then "
                  "read without locks in the consistent-snapshot transaction. Where the global "
                  "lock is refused (no RELOAD, managed servers) it falls back, as Debezium does, "
                  "to read locks on the captured tables (LOCK TABLES ... READ, needs the LOCK "
                  "TABLES privilege) held until their rows are read: writes to those tables wait "
                  "that long, the duration is logged. `none`: no lock, safe only when no DDL "
                  "runs while a snapshot starts. Debezium's other modes (`extended`, the Percona "
                  "ones, `custom`) are refused.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.snapshot.lock.timeout.ms",
       .type = T::kLong,
       .default_value = "10000",
       .min = 1000,
       .meaning = "How long the snapshot waits for its global read lock (lock_wait_timeout, in "
                  "whole seconds) before it fails and is retried.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.gtid.source.includes",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against the whole GTID source, "
                  "`domain-server` for MariaDB (`0-1` for GTID `0-1-19`), as Debezium's MariaDB "
                  "connector does: only GTIDs whose source matches one are tracked in the "
                  "stored offset's `gtids` and used to restart; a domain left out is resumed "
                  "by the server from the start of the binlog file the others need. Cannot be "
                  "combined with `gtid.source.excludes`.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.gtid.source.excludes",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; GTIDs whose source (`domain-server`) "
                  "matches one are not tracked in the stored offset's `gtids`. Cannot be "
                  "combined with `gtid.source.includes`.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.gtid.source.filter.dml.events",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "With `gtid.source.includes` or `gtid.source.excludes`: `true` drops the row "
                  "changes of transactions whose GTID source the filter refuses (no change "
                  "events, no transaction metadata; DDL is still tracked and the position moves "
                  "past them), as Debezium does; `false` emits them and only keeps their GTIDs "
                  "out of the stored offset.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "siphon.binlog.start.gtids",
       .type = T::kString,
       .meaning = "Without a stored offset and without a snapshot (snapshot.mode `never` or "
                  "`no_data`): the MariaDB GTID position (`domain-server-seq`, comma-separated "
                  "per domain) to start streaming after, e.g. the position of a backup or a "
                  "clone the sink was loaded from (mariabackup's xtrabackup_binlog_info). Empty: "
                  "the server's current position.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "siphon.binlog.start.file",
       .type = T::kString,
       .meaning = "Like siphon.binlog.start.gtids, as a binlog file name (with "
                  "siphon.binlog.start.pos), for servers without GTIDs.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "siphon.binlog.start.pos",
       .type = T::kLong,
       .default_value = "4",
       .min = 4,
       .meaning = "The position in siphon.binlog.start.file to start at (4 = the file's first "
                  "event).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.include.schema.changes",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "Schema-change records (Debezium's SchemaChangeKey/SchemaChangeValue) on the "
                  "topic named `topic.prefix`: one `CREATE` per captured table at a snapshot, "
                  "and one per database whose captured tables a DDL created, altered or dropped "
                  "(and for CREATE/ALTER/DROP DATABASE), with the statement as `ddl` and the "
                  "tables' definitions in `tableChanges` as information_schema reports them "
                  "once the DDL ran (Siphon does not parse DDL).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.schema.history.internal",
       .type = T::kString,
       .meaning = "The schema history store: `io.debezium.storage.file.history.FileSchemaHistory` "
                  "(with `schema.history.internal.file.filename`); empty keeps none. It records "
                  "each captured table's definition (Debezium's history records: position, ddl, "
                  "tableChanges) at the snapshot or start and at each DDL, fsync'd before the "
                  "DDL's position can be stored as an offset; a restart replays it up to the "
                  "stored offset, so events before a DDL that ran while Siphon was stopped get "
                  "the defaults and MariaDB types (JSON, UUID, INET) of their time. With an "
                  "offset stored and the history missing Siphon refuses to start; "
                  "`snapshot.mode=recovery` rebuilds it from the current table structures. "
                  "`io.debezium.storage.kafka.history.KafkaSchemaHistory` keeps the same records "
                  "in a Kafka topic (`schema.history.internal.kafka.topic`).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.schema.history.internal.kafka.topic",
       .type = T::kString,
       .meaning = "With KafkaSchemaHistory: the topic the history records are kept in (one "
                  "partition, infinite retention; created so when the cluster serves "
                  "CreateTopics).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.schema.history.internal.kafka.bootstrap.servers",
       .type = T::kString,
       .meaning = "With KafkaSchemaHistory: the cluster; empty = the Kafka sink's. Security "
                  "settings are the Kafka sink's.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "debezium.source.schema.history.internal.file.filename",
       .type = T::kString,
       .meaning = "The schema history file (JSON lines, Debezium's FileSchemaHistory format).",
       .applies_when = kBinlogOnly,
       .section = kBinlog},
      {.key = "siphon.binlog.heartbeat.interval.ms",
       .type = T::kLong,
       .default_value = "1000",
       .min = 100,
       .max = 60000,
       .meaning = "How often an idle server sends a replication heartbeat; a stop request is "
                  "noticed within this time.",
       .applies_when = kBinlogOnly,
       .section = kBinlog},

      // --- Source: capture ---
      {.key = "debezium.source.plugin.name",
       .type = T::kEnum,
       .default_value = "pgoutput",
       .allowed = {"pgoutput"},
       .meaning = "Logical decoding plugin. Debezium's default is `decoderbufs`; Siphon supports "
                  "only `pgoutput`, which is built into PostgreSQL 10 and later, and uses it by "
                  "default.",
       .section = kCapture},
      {.key = "debezium.source.slot.name",
       .type = T::kString,
       .default_value = "debezium",
       .meaning = "Replication slot to stream from; created when it does not exist. Lower-case "
                  "letters, digits and `_` only, at most 63 characters (PostgreSQL's rule).",
       .section = kCapture},
      {.key = "debezium.source.slot.drop.on.stop",
       .type = T::kBool,
       .default_value = "false",
       .meaning = "Drop the replication slot when Siphon stops cleanly. Only for tests: changes "
                  "made while Siphon is down are then lost.",
       .section = kCapture},
      {.key = "debezium.source.publication.name",
       .type = T::kString,
       .default_value = "dbz_publication",
       .meaning = "Publication that selects the tables `pgoutput` sends.",
       .section = kCapture},
      {.key = "debezium.source.publication.autocreate.mode",
       .type = T::kEnum,
       .default_value = "all_tables",
       .allowed = {"all_tables", "disabled", "filtered", "no_tables"},
       .meaning = "How the publication is created when it does not exist: `all_tables` for all "
                  "tables, `filtered` for the tables the include/exclude lists select, "
                  "`no_tables` empty, `disabled` never (it must exist).",
       .section = kCapture},
      {.key = "debezium.source.publish.via.partition.root",
       .type = T::kBool,
       .default_value = "false",
       .meaning = "When Siphon creates the publication, create it WITH (publish_via_partition_root "
                  "= true): changes of a partition are published as its partitioned root table, "
                  "on the root's topic. When false, each partition has its own topic. An existing "
                  "publication keeps its setting.",
       .section = kCapture},
      {.key = "debezium.source.schema.include.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; only schemas whose whole name matches one "
                  "are captured. Cannot be combined with `schema.exclude.list`. Patterns use "
                  "ECMAScript syntax (Debezium uses Java's): no inline flags or possessive "
                  "quantifiers.",
       .section = kCapture},
      {.key = "debezium.source.schema.exclude.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; schemas whose whole name matches one are "
                  "not captured. Cannot be combined with `schema.include.list`.",
       .section = kCapture},
      {.key = "debezium.source.table.include.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against `schema.table`; only "
                  "matching tables are captured. Cannot be combined with `table.exclude.list`.",
       .section = kCapture},
      {.key = "debezium.source.table.exclude.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against `schema.table`; matching "
                  "tables are not captured. Cannot be combined with `table.include.list`.",
       .section = kCapture},
      {.key = "debezium.source.column.include.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against `schema.table.column` "
                  "(MariaDB/MySQL: `database.table.column`); only matching columns are in the "
                  "events' values. Cannot be combined with `column.exclude.list`. Unlike "
                  "Debezium, a primary-key column stays in the value as well as the key.",
       .section = kCapture},
      {.key = "debezium.source.column.exclude.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against `schema.table.column` "
                  "(MariaDB/MySQL: `database.table.column`); matching columns are left out of "
                  "the events' values. Cannot be combined with `column.include.list`. A "
                  "primary-key column stays.",
       .section = kCapture},
      {.key = "debezium.source.message.prefix.include.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; only logical decoding messages "
                  "(`pg_logical_emit_message`, PostgreSQL 14+) whose whole prefix matches one are "
                  "emitted, on topic `<topic.prefix>.message`. Cannot be combined with "
                  "`message.prefix.exclude.list`.",
       .section = kCapture},
      {.key = "debezium.source.message.prefix.exclude.list",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions; logical decoding messages whose whole "
                  "prefix matches one are not emitted. Cannot be combined with "
                  "`message.prefix.include.list`.",
       .section = kCapture},
      {.key = "debezium.source.skipped.operations",
       .type = T::kList,
       .default_value = "t",
       .allowed = {"c", "u", "d", "t", "none"},
       .meaning = "Comma-separated operations not to emit: `c` inserts, `u` updates, `d` deletes, "
                  "`t` truncates; `none` skips nothing.",
       .section = kCapture},
      {.key = "debezium.source.snapshot.mode",
       .type = T::kEnum,
       .default_value = "initial",
       .allowed = {"initial", "initial_only", "no_data", "schema_only", "never", "always",
                   "when_needed", "recovery", "schema_only_recovery"},
       .meaning =
           "When to read the captured tables' current rows (events with op `r`) before "
           "streaming. `initial`: when no offset is stored (or the stored snapshot was "
           "interrupted); `initial_only`: the same, then stop; `no_data` (legacy "
           "`schema_only`) and `never`: never, stream from the stored offset (PostgreSQL: or "
           "the slot; MariaDB/MySQL, as Debezium's binlog connectors: `no_data` without a "
           "stored offset snapshots the schemas only, under the same lock and at a position of "
           "its own, writing their CREATE schema-change and history records, and streams from "
           "there, or from siphon.binlog.start.* when given; `never` takes no snapshot of any "
           "kind and streams every change from the oldest binlog the server still has, or from "
           "siphon.binlog.start.*); "
           "`always`: at every start; `when_needed`: when no offset is stored, or when the "
           "stored offset can no longer be served (PostgreSQL: the slot is missing or was "
           "invalidated, `wal_status = lost`, and is then dropped and recreated; MariaDB: the "
           "binlogs holding the stored position were purged); other modes fail then, naming "
           "the slot or the position. PostgreSQL: a "
           "slot confirmed past the stored `lsn_proc` was moved by something else (Siphon "
           "confirms only stored positions, idle ones included): the changes between are lost, "
           "so `when_needed` snapshots again on that slot and other modes fail. A new slot is "
           "created with an exported snapshot, so the snapshot and the stream meet exactly: "
           "each transaction arrives once. With an existing slot (`always`, or `initial` on a "
           "slot created earlier) the snapshot is read in a transaction of its own and "
           "streaming resumes at the slot's position: changes made between that position and "
           "the snapshot arrive again after it (duplicates, never loss). An interrupted "
           "snapshot is taken again: from a new slot if it had created its slot (nothing was "
           "streamed from it yet), else on the same slot, which still holds every change "
           "since its position. MariaDB: the tables are read in a transaction started WITH "
           "CONSISTENT SNAPSHOT and streaming starts at the binlog position (and GTID "
           "position) that transaction sees, so each transaction arrives once; an interrupted "
           "snapshot is taken again. `recovery` (legacy `schema_only_recovery`; MariaDB/MySQL "
           "with a schema history): streams from the stored offset like `no_data` and rebuilds "
           "the schema history from the current table structures.",
       .section = kCapture},
      {.key = "debezium.source.heartbeat.interval.ms",
       .type = T::kLong,
       .default_value = "0",
       .min = 0,
       .meaning = "Every this many milliseconds (0 = never) a heartbeat record "
                  "(`{\"ts_ms\": now}`, key `{\"serverName\": prefix}`) goes to "
                  "`<topic.heartbeat.prefix>.<topic.prefix>`. It carries the current position, so "
                  "its delivery stores the offset and confirms the slot even when no captured "
                  "table changes.",
       .section = kEvents},
      {.key = "debezium.source.heartbeat.action.query",
       .type = T::kString,
       .meaning = "SQL run on the source at every heartbeat, e.g. an INSERT into a published "
                  "table, so a database whose captured tables are idle still produces changes "
                  "in this database's WAL (useful when other databases of the server are busy).",
       .section = kEvents},
      {.key = "debezium.source.topic.heartbeat.prefix",
       .type = T::kString,
       .default_value = "__debezium-heartbeat",
       .meaning = "Prefix of the heartbeat topic.",
       .section = kEvents},
      {.key = "debezium.source.status.update.interval.ms",
       .type = T::kInt,
       .default_value = "10000",
       .min = 1,
       .meaning = "How often Siphon reports its position to the server (standby status update), "
                  "which also keeps the replication connection alive.",
       .section = kCapture},

      // --- Source: events ---
      {.key = "debezium.source.topic.prefix",
       .type = T::kString,
       .required = true,
       .meaning = "Prefix of every topic name (`prefix.schema.table`) and the logical server "
                  "name in the `source` block. Letters, digits, `_`, `.` and `-` only.",
       .section = kEvents},
      {.key = "debezium.source.topic.delimiter",
       .type = T::kString,
       .default_value = ".",
       .meaning = "Separator between the parts of a topic name.",
       .section = kEvents},
      {.key = "debezium.source.topic.transaction",
       .type = T::kString,
       .default_value = "transaction",
       .meaning = "Last part of the transaction metadata topic name (`prefix.transaction`).",
       .section = kEvents},
      {.key = "debezium.source.tombstones.on.delete",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "Emit a tombstone (a record with a null value) after each delete event.",
       .section = kEvents},
      {.key = "debezium.source.provide.transaction.metadata",
       .type = T::kBool,
       .default_value = "false",
       .meaning = "Emit BEGIN/END transaction events to the transaction topic and add the "
                  "`transaction` block to change events.",
       .section = kEvents},
      {.key = "debezium.source.decimal.handling.mode",
       .type = T::kEnum,
       .default_value = "precise",
       .allowed = {"precise", "double", "string"},
       .meaning = "Representation of `numeric`/`decimal` columns: `precise` as Connect `Decimal` "
                  "(bytes), `double`, or `string`.",
       .section = kEvents},
      {.key = "debezium.source.time.precision.mode",
       .type = T::kEnum,
       .default_value = "adaptive",
       .allowed = {"adaptive", "adaptive_time_microseconds", "connect", "microseconds"},
       .meaning = "Representation of date and time columns, as in Debezium. When it is not set, "
                  "the MariaDB and MySQL connectors use `adaptive_time_microseconds`, their "
                  "Debezium default.",
       .section = kEvents},
      {.key = "debezium.source.binary.handling.mode",
       .type = T::kEnum,
       .default_value = "bytes",
       .allowed = {"bytes", "base64", "base64-url-safe", "hex"},
       .meaning = "Representation of `bytea` columns (and of unknown types kept by "
                  "`include.unknown.datatypes`).",
       .section = kEvents},
      {.key = "debezium.source.interval.handling.mode",
       .type = T::kEnum,
       .default_value = "numeric",
       .allowed = {"numeric", "string"},
       .meaning = "Representation of `interval` columns: `numeric` as `MicroDuration` (int64 "
                  "microseconds, a month counted as 365.25/12 days) or `string` as ISO-8601 "
                  "`Interval` (`P1Y2M3DT4H5M6.78S`).",
       .section = kEvents},
      {.key = "debezium.source.column.propagate.source.type",
       .type = T::kRegexList,
       .meaning = "Comma-separated regular expressions matched against `schema.table.column` "
                  "(MariaDB/MySQL: `database.table.column`); the schemas of matching columns "
                  "get Debezium's parameters `__debezium.source.column.type` (the type name, "
                  "upper case; MariaDB/MySQL keep `UNSIGNED`, e.g. `BIGINT UNSIGNED`), "
                  "`.length`, `.scale` (PostgreSQL: as pgjdbc reports them; MariaDB/MySQL: the "
                  "declared `(length[,scale])`) and `.name`. Column comments (`.comment`) are "
                  "not propagated.",
       .section = kEvents},
      {.key = "debezium.source.datatype.propagate.source.type",
       .type = T::kRegexList,
       .meaning = "Like `column.propagate.source.type`, matched against `schema.table.typename` "
                  "(PostgreSQL: e.g. `.+\\.float4`, `.+\\.varchar`; MariaDB/MySQL: the upper-case "
                  "name, e.g. `.+\\.VARCHAR`, `.+\\.INT UNSIGNED`).",
       .section = kEvents},
      {.key = "debezium.source.hstore.handling.mode",
       .type = T::kEnum,
       .default_value = "json",
       .allowed = {"json", "map"},
       .meaning = "Representation of `hstore` columns: `json` as a `Json` string "
                  "(`{\"key\":\"value\"}`), or `map` as a Connect map of strings (schema "
                  "`{\"type\":\"map\",\"keys\":{\"type\":\"string\",...},\"values\":...}`), "
                  "written as a JSON object.",
       .section = kEvents},
      {.key = "debezium.source.money.fraction.digits",
       .type = T::kInt,
       .default_value = "2",
       .min = 0,
       .max = 100,
       .meaning = "Scale of `money` columns as `Decimal` (decimal.handling.mode=precise), "
                  "rounding half up.",
       .section = kEvents},
      {.key = "debezium.source.include.unknown.datatypes",
       .type = T::kBool,
       .default_value = "false",
       .meaning = "Keep columns of types Debezium does not map (composite types, geometric types "
                  "other than `point`, arrays of domains, ...) as their text's bytes in the "
                  "`binary.handling.mode` representation; when false they are left out of events.",
       .section = kEvents},
      {.key = "debezium.source.unavailable.value.placeholder",
       .type = T::kString,
       .default_value = "__debezium_unavailable_value",
       .meaning = "Value emitted for unchanged TOASTed columns the server did not send (tables "
                  "without `REPLICA IDENTITY FULL`).",
       .section = kEvents},

      // --- Source: offsets ---
      {.key = "debezium.source.offset.storage",
       .type = T::kEnum,
       .default_value = kFileOffsetStore,
       .allowed = {kFileOffsetStore, kKafkaOffsetStore},
       .meaning = "Where the position reached is stored: a local file, or a Kafka topic in "
                  "Kafka Connect's format (key `[\"<name>\",{\"server\":\"<topic.prefix>\"}]`, "
                  "value the offset map as JSON), so offsets written by Kafka Connect or "
                  "Debezium Server are read and the topic stays readable by them.",
       .section = kOffsets},
      {.key = "debezium.source.offset.storage.topic",
       .type = T::kString,
       .required = true,
       .meaning = "Compacted topic holding the offsets (created with `cleanup.policy=compact` "
                  "when the cluster serves CreateTopics; otherwise it must exist or be "
                  "auto-created).",
       .applies_when = "debezium.source.offset.storage="
                       "org.apache.kafka.connect.storage.KafkaOffsetBackingStore",
       .section = kOffsets},
      {.key = "debezium.source.offset.storage.partitions",
       .type = T::kInt,
       .default_value = "25",
       .min = -1,
       .meaning = "Partitions of the offsets topic when Siphon creates it (`-1`: the broker's "
                  "default), as in Kafka Connect.",
       .applies_when = "debezium.source.offset.storage="
                       "org.apache.kafka.connect.storage.KafkaOffsetBackingStore",
       .section = kOffsets},
      {.key = "debezium.source.offset.storage.replication.factor",
       .type = T::kInt,
       .default_value = "3",
       .min = -1,
       .meaning = "Replication factor of the offsets topic when Siphon creates it (`-1`: the "
                  "broker's default), as in Kafka Connect.",
       .applies_when = "debezium.source.offset.storage="
                       "org.apache.kafka.connect.storage.KafkaOffsetBackingStore",
       .section = kOffsets},
      {.key = "debezium.source.bootstrap.servers",
       .type = T::kString,
       .default_value = "",
       .meaning = "Kafka brokers of the offsets topic. Empty: those of the Kafka sink "
                  "(`debezium.sink.kafka.producer.bootstrap.servers`), whose security settings "
                  "(`security.protocol`, `sasl.*`, `ssl.*`) the offset store always uses.",
       .applies_when = "debezium.source.offset.storage="
                       "org.apache.kafka.connect.storage.KafkaOffsetBackingStore",
       .section = kOffsets},
      {.key = "debezium.source.offset.storage.file.filename",
       .type = T::kString,
       .required = true,
       .meaning = "File the file offset store writes.",
       .applies_when = "debezium.source.offset.storage="
                       "org.apache.kafka.connect.storage.FileOffsetBackingStore",
       .section = kOffsets},
      {.key = "debezium.source.offset.flush.interval.ms",
       .type = T::kLong,
       .default_value = "0",
       .min = 0,
       .meaning = "Minimum time between two offset writes; `0` stores the offset after every "
                  "batch the sink has delivered.",
       .section = kOffsets},

      // --- Source: queues and retries ---
      {.key = "debezium.source.max.batch.size",
       .type = T::kInt,
       .default_value = "2048",
       .min = 1,
       .meaning = "Maximum number of records handed to the sink at once.",
       .section = kQueues},
      {.key = "debezium.source.max.queue.size",
       .type = T::kInt,
       .default_value = "8192",
       .min = 1,
       .meaning = "Maximum number of records buffered between the source and the sink; must be "
                  "larger than `max.batch.size`, as in Debezium.",
       .section = kQueues},
      {.key = "debezium.source.max.queue.size.in.bytes",
       .type = T::kLong,
       .default_value = "16777216",
       .min = 0,
       .meaning = "Maximum bytes buffered between the source and the sink. Debezium's default "
                  "`0` means unbounded; Siphon always bounds memory, so `0` means the default "
                  "(16 MiB).",
       .section = kQueues},
      {.key = "debezium.source.retriable.restart.connector.wait.ms",
       .type = T::kLong,
       .default_value = "10000",
       .min = 0,
       .meaning = "Wait before the connector is restarted after a retriable error (for example a "
                  "lost connection).",
       .section = kQueues},
      {.key = "debezium.source.errors.max.retries",
       .type = T::kInt,
       .default_value = "-1",
       .min = -1,
       .meaning = "Retriable errors tolerated in a row before Siphon gives up; `-1` retries "
                  "forever, `0` never retries.",
       .section = kQueues},

      // --- Sink ---
      {.key = "debezium.sink.type",
       .type = T::kEnum,
       .required = true,
       .allowed = {"file", "stdout", "null", "kafka"},
       .meaning = "Where records go: `kafka` (Kafka, through librdkafka: docs/kafka.md), `file` "
                  "(Siphon's own durable file sink, not a Debezium Server sink), `stdout` "
                  "(standard output, one JSON line per record with its topic) or `null` (records "
                  "are discarded and acknowledged: for benchmarks and tests of everything but "
                  "the destination).",
       .section = kSink},
      {.key = "debezium.sink.file.dir",
       .type = T::kString,
       .required = true,
       .meaning = "Directory the file sink writes to.",
       .applies_when = "debezium.sink.type=file",
       .section = kSink},
      {.key = "debezium.sink.file.fsync",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "`true`: records are fsynced before they are acknowledged, so an acknowledged "
                  "offset never points past data lost in a crash. `false` only for benchmarks "
                  "on tmpfs.",
       .applies_when = "debezium.sink.type=file",
       .section = kSink},
      {.key = "debezium.sink.kafka.producer.",
       .type = T::kPassThrough,
       .meaning = "Kafka producer properties with the Java client's names, as Debezium Server "
                  "passes them to its producer: `bootstrap.servers` is required. Siphon "
                  "translates them to librdkafka properties; docs/kafka.md lists every Java key "
                  "and what becomes of it (translated, ignored with a warning, or an error), and "
                  "Siphon's safety defaults (idempotence, `acks=all`, no delivery timeout). An "
                  "environment variable overrides a key that is in the file; use `${VAR}` in the "
                  "file for secrets.",
       .applies_when = "debezium.sink.type=kafka",
       .section = kSink},
      {.key = "debezium.source.topic.creation.",
       .type = T::kPassThrough,
       .meaning = "Kafka Connect's topic creation groups, as Debezium documents them: "
                  "`default.replication.factor` and `default.partitions` (both required to turn "
                  "creation on; `-1` takes the broker's default), `default.<topic config>`, "
                  "`groups=a,b`, `<group>.include`/`.exclude` (comma-separated regular "
                  "expressions matched against the whole topic name), `<group>.replication."
                  "factor`/`.partitions`/`.<topic config>`, `enable=false`. Each topic is created "
                  "with CreateTopics before its first record; an existing topic is fine. A "
                  "cluster that does not serve CreateTopics gets one warning and its own "
                  "auto-creation (docs/kafka.md).",
       .applies_when = "debezium.sink.type=kafka",
       .section = kSink},

      // --- Format ---
      {.key = "debezium.format.key",
       .type = T::kEnum,
       .default_value = "json",
       .allowed = {"json"},
       .meaning = "Format of record keys. Only `json` is implemented.",
       .section = kFormat},
      {.key = "debezium.format.value",
       .type = T::kEnum,
       .default_value = "json",
       .allowed = {"json"},
       .meaning = "Format of record values. Only `json` is implemented.",
       .section = kFormat},
      {.key = "debezium.format.key.schemas.enable",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "Wrap keys in the `{\"schema\":...,\"payload\":...}` envelope.",
       .section = kFormat},
      {.key = "debezium.format.value.schemas.enable",
       .type = T::kBool,
       .default_value = "true",
       .meaning = "Wrap values in the `{\"schema\":...,\"payload\":...}` envelope.",
       .section = kFormat},

      // --- Siphon ---
      {.key = "siphon.log.level",
       .type = T::kEnum,
       .default_value = "info",
       .allowed = {"debug", "info", "warn", "error"},
       .meaning = "Lowest level written to the log (stderr). Siphon-only key; Debezium Server "
                  "uses `quarkus.log.level`, which Siphon ignores.",
       .section = kSiphon},
      {.key = "siphon.shutdown.timeout.ms",
       .type = T::kLong,
       .default_value = "10000",
       .min = 0,
       .meaning = "On SIGTERM/SIGINT, how long the sink may go on delivering what was already "
                  "read (for example while Kafka is unreachable) before Siphon stops without "
                  "it. Nothing is lost either way: the stored offset stays before every record "
                  "that was not delivered.",
       .section = kSiphon},
  };
}

std::vector<UnsupportedKey> build_unsupported() {
  constexpr std::string_view kNoSnapshot =
      "this snapshot option is not implemented yet (snapshot.mode is); snapshots read each "
      "table with one query (PostgreSQL COPY, MariaDB a streamed SELECT)";
  constexpr std::string_view kNotConfigurable = "not configurable in Siphon yet";
  constexpr std::string_view kNoClientCert =
      "client-certificate authentication is not implemented yet";
  constexpr std::string_view kNotPostgres = "does not apply to the PostgreSQL connector";
  constexpr std::string_view kUseFormat =
      "Siphon does not use Kafka Connect converters; see "
      "debezium.format.*";
  constexpr std::string_view kOtherSink =
      "this Debezium Server sink is not implemented; debezium.sink.type is kafka, file, stdout "
      "or null";
  constexpr std::string_view kOtherOffsetStore =
      "only the file and Kafka offset stores are implemented";
  constexpr std::string_view kConverterOption = "JSON converter option not configurable yet";
  return {
      // Snapshots and signals.
      {"debezium.source.snapshot.fetch.size", kNoSnapshot},
      {"debezium.source.snapshot.delay.ms", kNoSnapshot},
      {"debezium.source.snapshot.max.threads", kNoSnapshot},
      {"debezium.source.snapshot.include.collection.list", kNoSnapshot},
      {"debezium.source.snapshot.select.statement.overrides", kNoSnapshot},
      {"debezium.source.snapshot.isolation.mode", kNoSnapshot},
      {"debezium.source.snapshot.query.mode", kNoSnapshot},
      {"debezium.source.snapshot.mode.custom.name", kNoSnapshot},
      {"debezium.source.snapshot.tables.order.by.row.count", kNoSnapshot},
      {"debezium.source.snapshot.mode.configuration.based.", kNoSnapshot},
      {"debezium.source.snapshot.select.statement.overrides.", kNoSnapshot},
      {"debezium.source.incremental.snapshot.", "incremental snapshots are not implemented yet"},
      {"debezium.source.signal.", "signals are not implemented yet"},
      {"debezium.source.notification.", "notifications are not implemented yet"},
      {"debezium.source.read.only", kNotPostgres},
      // Heartbeats.
      {"debezium.source.heartbeat.topics.prefix",
       "the pre-2.0 name of topic.heartbeat.prefix; use topic.heartbeat.prefix"},
      // Event content.
      {"debezium.source.message.key.columns", "custom message keys are not implemented yet"},
      {"debezium.source.column.mask.", "column masking is not implemented yet"},
      {"debezium.source.column.truncate.", "column truncation is not implemented yet"},
      {"debezium.source.schema.name.adjustment.mode", kNotConfigurable},
      {"debezium.source.field.name.adjustment.mode", kNotConfigurable},
      {"debezium.source.converters", "custom converters are not supported"},
      {"debezium.source.post.processors", "post processors are not supported"},
      {"debezium.source.post.processors.", "post processors are not supported"},
      {"debezium.source.skip.messages.without.change", kNotConfigurable},
      {"debezium.source.extended.headers.enabled", "record headers are not implemented yet"},
      {"debezium.source.sourceinfo.struct.maker", "the source block has a fixed layout"},
      {"debezium.source.toasted.value.placeholder",
       "deprecated in Debezium; use debezium.source.unavailable.value.placeholder"},
      {"debezium.source.truncate.handling.mode",
       "deprecated in Debezium; use debezium.source.skipped.operations"},
      {"debezium.source.topic.naming.strategy",
       "topic names follow Debezium's default naming strategy"},
      {"debezium.source.topic.cache.size", kNotConfigurable},
      {"debezium.source.schema.history.internal.kafka.recovery.poll.interval.ms",
       "the Kafka schema history is read whole with one consumer; not configurable"},
      {"debezium.source.schema.history.internal.kafka.recovery.attempts",
       "the Kafka schema history is read whole with one consumer; not configurable"},
      {"debezium.source.schema.history.internal.kafka.query.timeout.ms",
       "not configurable in Siphon yet"},
      {"debezium.source.schema.history.internal.kafka.create.timeout.ms",
       "not configurable in Siphon yet"},
      {"debezium.source.schema.history.internal.producer.",
       "the Kafka schema history uses the sink's connection and security settings"},
      {"debezium.source.schema.history.internal.consumer.",
       "the Kafka schema history uses the sink's connection and security settings"},
      {"debezium.source.schema.history.internal.skip.unparseable.ddl",
       "Siphon does not parse DDL (definitions come from information_schema)"},
      {"debezium.source.schema.history.internal.store.only.captured.tables.ddl",
       "the schema history always holds only the captured tables"},
      {"debezium.source.schema.history.internal.store.only.captured.databases.ddl",
       "the schema history always holds only the captured tables"},
      {"debezium.source.database.history.", kNotPostgres},
      {"debezium.source.schema.refresh.mode", kNotConfigurable},
      {"debezium.source.event.processing.failure.handling.mode", kNotConfigurable},
      {"debezium.source.custom.metric.tags", "metrics are not implemented yet"},
      // Connection and replication.
      {"debezium.source.database.initial.statements", "not implemented yet"},
      {"debezium.source.database.tcpKeepAlive", kNotConfigurable},
      {"debezium.source.database.sslcert", kNoClientCert},
      {"debezium.source.database.sslkey", kNoClientCert},
      {"debezium.source.database.sslpassword", kNoClientCert},
      {"debezium.source.database.sslfactory", "TLS is handled by libpq"},
      {"debezium.source.include.query", "not implemented yet (MariaDB/MySQL)"},
      {"debezium.source.connect.keep.alive", "Siphon reconnects through its retry loop"},
      {"debezium.source.connect.keep.alive.interval.ms",
       "Siphon reconnects through its retry loop"},
      {"debezium.source.inconsistent.schema.handling.mode",
       "the schema comes from the binlog's FULL row metadata"},
      {"debezium.source.database.ssl.mode", "TLS to MariaDB/MySQL is not configurable yet"},
      {"debezium.source.enable.time.adjuster", kNotConfigurable},
      {"debezium.source.table.ignore.builtin", kNotConfigurable},
      {"debezium.source.database.query.timeout.ms", kNotConfigurable},
      {"debezium.source.query.fetch.size", kNotConfigurable},
      {"debezium.source.slot.max.retries", kNotConfigurable},
      {"debezium.source.slot.retry.delay.ms", kNotConfigurable},
      {"debezium.source.slot.stream.params", kNotConfigurable},
      {"debezium.source.slot.failover", "failover slots are not implemented yet"},
      {"debezium.source.xmin.fetch.interval.ms", "xmin tracking is not implemented"},
      {"debezium.source.replica.identity.autoset.values",
       "Siphon never changes the REPLICA IDENTITY of tables"},
      {"debezium.source.lsn.flush.mode", kNotConfigurable},
      {"debezium.source.flush.lsn.source", kNotConfigurable},
      {"debezium.source.offset.mismatch.strategy", kNotConfigurable},
      // Engine and offsets.
      {"debezium.source.tasks.max", "the PostgreSQL connector runs a single task"},
      {"debezium.source.poll.interval.ms", "not applicable to Siphon's pipeline"},
      {"debezium.source.errors.retry.delay.initial.ms",
       "the wait between retries is debezium.source.retriable.restart.connector.wait.ms"},
      {"debezium.source.errors.retry.delay.max.ms",
       "the wait between retries is debezium.source.retriable.restart.connector.wait.ms"},
      {"debezium.source.record.processing.", "records are processed by Siphon's own pipeline"},
      {"debezium.source.offset.flush.timeout.ms", kNotConfigurable},
      {"debezium.source.offset.commit.policy", kNotConfigurable},
      {"debezium.source.offset.storage.redis.", kOtherOffsetStore},
      {"debezium.source.offset.storage.jdbc.", kOtherOffsetStore},
      {"debezium.source.key.converter*", kUseFormat},
      {"debezium.source.value.converter*", kUseFormat},
      {"debezium.source.header.converter*", kUseFormat},
      // Debezium Server.
      {"debezium.transforms", "single message transforms are not implemented yet"},
      {"debezium.transforms.", "single message transforms are not implemented yet"},
      {"debezium.predicates", "predicates (for transforms) are not implemented yet"},
      {"debezium.predicates.", "predicates (for transforms) are not implemented yet"},
      {"debezium.format.header*", "record headers are not implemented yet"},
      {"debezium.format.key.schemas.cache.size", kConverterOption},
      {"debezium.format.value.schemas.cache.size", kConverterOption},
      {"debezium.format.key.decimal.format", kConverterOption},
      {"debezium.format.value.decimal.format", kConverterOption},
      {"debezium.format.key.replace.null.with.default", kConverterOption},
      {"debezium.format.value.replace.null.with.default", kConverterOption},
      {"debezium.sink.kinesis.", kOtherSink},
      {"debezium.sink.pubsub.", kOtherSink},
      {"debezium.sink.pulsar.", kOtherSink},
      {"debezium.sink.redis.", kOtherSink},
      {"debezium.sink.http.", kOtherSink},
      {"debezium.sink.nats-streaming.", kOtherSink},
      {"debezium.sink.nats-jetstream.", kOtherSink},
      {"debezium.sink.eventhubs.", kOtherSink},
      {"debezium.sink.pravega.", kOtherSink},
      {"debezium.sink.rabbitmq.", kOtherSink},
      {"debezium.sink.rocketmq.", kOtherSink},
      {"debezium.sink.infinispan.", kOtherSink},
  };
}

bool is_family(std::string_view entry) {
  return !entry.empty() && (entry.back() == '.' || entry.back() == '*');
}

// What a family entry's keys start with: "a.b." for "a.b." and "a.b" for "a.b*".
std::string_view family_prefix(std::string_view entry) {
  return entry.back() == '*' ? entry.substr(0, entry.size() - 1) : entry;
}

}  // namespace

const std::vector<OptionSpec>& option_table() {
  static const std::vector<OptionSpec> table = build_table();
  return table;
}

const OptionSpec* find_option(std::string_view key) {
  // Config::get() looks keys up on every call, so avoid a linear scan.
  static const std::unordered_map<std::string_view, const OptionSpec*> index = [] {
    std::unordered_map<std::string_view, const OptionSpec*> m;
    for (const OptionSpec& spec : option_table()) m.emplace(spec.key, &spec);
    return m;
  }();
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

const OptionSpec* find_pass_through(std::string_view key) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.type == OptionType::kPassThrough && key.starts_with(spec.key) &&
        key.size() > spec.key.size()) {
      return &spec;
    }
  }
  return nullptr;
}

const std::vector<UnsupportedKey>& unsupported_debezium_keys() {
  static const std::vector<UnsupportedKey> keys = build_unsupported();
  return keys;
}

const UnsupportedKey* find_unsupported(std::string_view key) {
  const UnsupportedKey* best = nullptr;
  for (const UnsupportedKey& entry : unsupported_debezium_keys()) {
    std::string_view k = entry.key_or_prefix;
    if (!is_family(k)) {
      if (k == key) return &entry;
      continue;
    }
    std::string_view prefix = family_prefix(k);
    if (key.starts_with(prefix) &&
        (best == nullptr || prefix.size() > family_prefix(best->key_or_prefix).size())) {
      best = &entry;
    }
  }
  return best;
}

std::string environment_variable_for(std::string_view key) {
  std::string name;
  name.reserve(key.size());
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    name.push_back(std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_');
  }
  return name;
}

}  // namespace siphon::config
