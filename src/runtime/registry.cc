#include "runtime/registry.h"

#include <algorithm>

#include "core/log.h"
#include "format/debezium_json_serializer.h"
#include "offset/file_offset_store.h"
#include "offset/kafka_offset_store.h"
#include "offset/kafka_schema_history.h"
#include "sink/file_sink.h"
#include "sink/kafka_producer_config.h"
#include "sink/kafka_sink.h"
#include "sink/null_sink.h"
#include "sink/stdout_sink.h"
#include "sink/topic_creation_rules.h"
#include "source/binlog/binlog_connection.h"
#include "source/binlog/file_schema_history.h"
#include "source/binlog/mariadb_source.h"
#include "source/postgres/postgres_source.h"

namespace siphon::runtime {
namespace {

using config::Config;
namespace pg = source::postgres;
namespace binlog = source::binlog;

constexpr const char* kPostgresConnector = "io.debezium.connector.postgresql.PostgresConnector";
constexpr const char* kMariaDbConnector = "io.debezium.connector.mariadb.MariaDbConnector";
constexpr const char* kMySqlConnector = "io.debezium.connector.mysql.MySqlConnector";

Result<pg::PostgresSourceConfig> postgres_config(const Config& c) {
  pg::PostgresSourceConfig p;
  p.connection.host = c.get("debezium.source.database.hostname");
  p.connection.port = static_cast<int>(c.get_int("debezium.source.database.port"));
  p.connection.user = c.get("debezium.source.database.user");
  p.connection.password = c.get("debezium.source.database.password");
  p.connection.dbname = c.get("debezium.source.database.dbname");
  p.connection.sslmode = c.get("debezium.source.database.sslmode");
  p.connection.sslrootcert = c.get("debezium.source.database.sslrootcert");
  p.connection.connect_timeout_seconds = static_cast<int>(
      std::max<int64_t>(1, c.get_int("debezium.source.connect.timeout.ms") / 1000));
  p.connection.application_name = "siphon-" + c.get("debezium.source.name");
  p.topic_prefix = c.get("debezium.source.topic.prefix");
  p.topic_delimiter = c.get("debezium.source.topic.delimiter");
  p.transaction_topic = c.get("debezium.source.topic.transaction");
  p.slot_name = c.get("debezium.source.slot.name");
  p.publication_name = c.get("debezium.source.publication.name");
  p.publication_autocreate_mode = c.get("debezium.source.publication.autocreate.mode");
  p.drop_slot_on_stop = c.get_bool("debezium.source.slot.drop.on.stop");
  p.publish_via_partition_root = c.get_bool("debezium.source.publish.via.partition.root");
  p.skipped_operations.clear();
  for (const auto& op : c.get_list("debezium.source.skipped.operations")) {
    if (op != "none") p.skipped_operations.insert(op[0]);
  }
  p.provide_transaction_metadata = c.get_bool("debezium.source.provide.transaction.metadata");
  const std::string& decimal = c.get("debezium.source.decimal.handling.mode");
  p.converter.decimal = decimal == "double"   ? pg::DecimalHandling::kDouble
                        : decimal == "string" ? pg::DecimalHandling::kString
                                              : pg::DecimalHandling::kPrecise;
  const std::string& time = c.get("debezium.source.time.precision.mode");
  p.converter.time = time == "connect"        ? pg::TimePrecision::kConnect
                     : time == "microseconds" ? pg::TimePrecision::kMicroseconds
                     : time == "adaptive_time_microseconds"
                         ? pg::TimePrecision::kAdaptiveTimeMicroseconds
                         : pg::TimePrecision::kAdaptive;
  const std::string& binary = c.get("debezium.source.binary.handling.mode");
  p.converter.binary = binary == "base64"            ? pg::BinaryHandling::kBase64
                       : binary == "base64-url-safe" ? pg::BinaryHandling::kBase64UrlSafe
                       : binary == "hex"             ? pg::BinaryHandling::kHex
                                                     : pg::BinaryHandling::kBytes;
  p.converter.interval = c.get("debezium.source.interval.handling.mode") == "string"
                             ? pg::IntervalHandling::kString
                             : pg::IntervalHandling::kNumeric;
  p.converter.hstore = c.get("debezium.source.hstore.handling.mode") == "map"
                           ? pg::HstoreHandling::kMap
                           : pg::HstoreHandling::kJson;
  p.converter.money_fraction_digits =
      static_cast<int>(c.get_int("debezium.source.money.fraction.digits"));
  p.converter.include_unknown_datatypes = c.get_bool("debezium.source.include.unknown.datatypes");
  p.converter.unavailable_placeholder = c.get("debezium.source.unavailable.value.placeholder");
  p.heartbeat_interval =
      std::chrono::milliseconds(c.get_int("debezium.source.heartbeat.interval.ms"));
  p.heartbeat_action_query = c.get("debezium.source.heartbeat.action.query");
  p.heartbeat_topic_prefix = c.get("debezium.source.topic.heartbeat.prefix");
  p.snapshot_mode = c.get("debezium.source.snapshot.mode");
  if (p.snapshot_mode == "schema_only") p.snapshot_mode = "no_data";
  if (p.snapshot_mode == "recovery" || p.snapshot_mode == "schema_only_recovery") {
    return make_error(ErrorKind::kConfig,
                      "debezium.source.snapshot.mode: '{}' rebuilds a schema history, which the "
                      "PostgreSQL connector does not keep; use no_data to stream from the slot",
                      p.snapshot_mode);
  }
  p.status_update_interval =
      std::chrono::milliseconds(c.get_int("debezium.source.status.update.interval.ms"));
  auto messages =
      source::NameFilter::create(c.get_list("debezium.source.message.prefix.include.list"),
                                 c.get_list("debezium.source.message.prefix.exclude.list"));
  if (!messages) return tl::unexpected(messages.error());
  p.message_filter = std::move(*messages);
  for (auto [key, target] :
       {std::pair{"debezium.source.column.propagate.source.type", &p.propagate_columns},
        std::pair{"debezium.source.datatype.propagate.source.type", &p.propagate_datatypes}}) {
    if (!c.is_set(key)) continue;
    auto filter = source::NameFilter::create(c.get_list(key), {});
    if (!filter) return tl::unexpected(filter.error());
    *target = std::move(*filter);
  }
  return p;
}

constexpr std::string_view kFileSchemaHistory =
    "io.debezium.storage.file.history.FileSchemaHistory";
constexpr std::string_view kKafkaSchemaHistory =
    "io.debezium.storage.kafka.history.KafkaSchemaHistory";

Result<binlog::MariaDbSourceConfig> mariadb_config(const Config& c, bool mysql) {
  binlog::MariaDbSourceConfig m;
  m.connection.host = c.get("debezium.source.database.hostname");
  m.connection.port = c.is_set("debezium.source.database.port")
                          ? static_cast<int>(c.get_int("debezium.source.database.port"))
                          : 3306;
  m.connection.user = c.get("debezium.source.database.user");
  m.connection.password = c.get("debezium.source.database.password");
  m.connection.connect_timeout_seconds = static_cast<unsigned>(
      std::max<int64_t>(1, c.get_int("debezium.source.connect.timeout.ms") / 1000));
  m.server_id = c.is_set("debezium.source.database.server.id")
                    ? static_cast<uint32_t>(c.get_int("debezium.source.database.server.id"))
                    : binlog::derive_server_id(c.get("debezium.source.name"),
                                               c.get("debezium.source.topic.prefix"));
  m.connector_name = mysql ? "mysql" : "mariadb";
  m.topic_prefix = c.get("debezium.source.topic.prefix");
  m.topic_delimiter = c.get("debezium.source.topic.delimiter");
  m.transaction_topic = c.get("debezium.source.topic.transaction");
  m.skipped_operations.clear();
  for (const auto& op : c.get_list("debezium.source.skipped.operations")) {
    if (op != "none") m.skipped_operations.insert(op[0]);
  }
  m.provide_transaction_metadata = c.get_bool("debezium.source.provide.transaction.metadata");
  const std::string& decimal = c.get("debezium.source.decimal.handling.mode");
  m.converter.decimal = decimal == "double"   ? binlog::DecimalHandling::kDouble
                        : decimal == "string" ? binlog::DecimalHandling::kString
                                              : binlog::DecimalHandling::kPrecise;
  // The binlog connectors' own default when the key is not set.
  const std::string time = c.is_set("debezium.source.time.precision.mode")
                               ? c.get("debezium.source.time.precision.mode")
                               : "adaptive_time_microseconds";
  if (time == "microseconds") {
    return make_error(ErrorKind::kConfig,
                      "debezium.source.time.precision.mode: 'microseconds' applies to "
                      "PostgreSQL only; the {} connector takes adaptive_time_microseconds, "
                      "adaptive or connect",
                      m.connector_name);
  }
  m.converter.time = time == "connect"    ? binlog::TimePrecision::kConnect
                     : time == "adaptive" ? binlog::TimePrecision::kAdaptive
                                          : binlog::TimePrecision::kAdaptiveTimeMicroseconds;
  const std::string& binary = c.get("debezium.source.binary.handling.mode");
  m.converter.binary = binary == "base64"            ? binlog::BinaryHandling::kBase64
                       : binary == "base64-url-safe" ? binlog::BinaryHandling::kBase64UrlSafe
                       : binary == "hex"             ? binlog::BinaryHandling::kHex
                                                     : binlog::BinaryHandling::kBytes;
  m.converter.bigint_unsigned = c.get("debezium.source.bigint.unsigned.handling.mode") == "precise"
                                    ? binlog::BigintUnsignedHandling::kPrecise
                                    : binlog::BigintUnsignedHandling::kLong;
  m.converter.invalid_text = c.get("siphon.binlog.invalid.text.handling.mode") == "replace"
                                 ? binlog::InvalidTextHandling::kReplace
                                 : binlog::InvalidTextHandling::kFail;
  m.heartbeat_seconds =
      static_cast<double>(c.get_int("siphon.binlog.heartbeat.interval.ms")) / 1000.0;
  for (auto [key, target] :
       {std::pair{"debezium.source.column.propagate.source.type", &m.propagate_columns},
        std::pair{"debezium.source.datatype.propagate.source.type", &m.propagate_datatypes}}) {
    if (!c.is_set(key)) continue;
    auto filter = source::NameFilter::create(c.get_list(key), {});
    if (!filter) return tl::unexpected(filter.error());
    *target = std::move(*filter);
  }
  if (c.is_set("debezium.source.gtid.source.includes") &&
      c.is_set("debezium.source.gtid.source.excludes")) {
    return make_error(ErrorKind::kConfig,
                      "debezium.source.gtid.source.includes and "
                      "debezium.source.gtid.source.excludes are both set: give one of them");
  }
  if (c.is_set("debezium.source.gtid.source.includes") ||
      c.is_set("debezium.source.gtid.source.excludes")) {
    auto filter = source::NameFilter::create(c.get_list("debezium.source.gtid.source.includes"),
                                             c.get_list("debezium.source.gtid.source.excludes"));
    if (!filter) return tl::unexpected(filter.error());
    m.gtid_sources = std::move(*filter);
  }
  m.filter_dml_of_excluded_gtid_sources =
      c.get_bool("debezium.source.gtid.source.filter.dml.events");
  m.include_schema_changes = c.get_bool("debezium.source.include.schema.changes");
  const std::string& history = c.get("debezium.source.schema.history.internal");
  if (!history.empty()) {
    if (history != kFileSchemaHistory && history != kKafkaSchemaHistory) {
      return make_error(ErrorKind::kConfig,
                        "debezium.source.schema.history.internal: '{}' is not supported; use {} "
                        "or {}",
                        history, kFileSchemaHistory, kKafkaSchemaHistory);
    }
  }
  if (history == kFileSchemaHistory) {
    const std::string path = c.get("debezium.source.schema.history.internal.file.filename");
    if (path.empty()) {
      return make_error(ErrorKind::kConfig,
                        "debezium.source.schema.history.internal.file.filename: required with "
                        "FileSchemaHistory (the file the history is kept in)");
    }
    m.schema_history = [path] { return std::make_unique<binlog::FileSchemaHistory>(path); };
  }
  m.snapshot_mode = c.get("debezium.source.snapshot.mode");
  if ((m.snapshot_mode == "recovery" || m.snapshot_mode == "schema_only_recovery") &&
      c.get("debezium.source.schema.history.internal").empty()) {
    return make_error(ErrorKind::kConfig,
                      "debezium.source.snapshot.mode: '{}' rebuilds the schema history; set "
                      "debezium.source.schema.history.internal to "
                      "io.debezium.storage.file.history.FileSchemaHistory with its file name",
                      m.snapshot_mode);
  }
  const std::string& locking = c.get("debezium.source.snapshot.locking.mode");
  if (locking != "minimal" && locking != "none") {
    return make_error(ErrorKind::kConfig,
                      "debezium.source.snapshot.locking.mode: '{}' is not supported by the {} "
                      "connector; use minimal (a global read lock while the schemas are read) "
                      "or none",
                      locking, m.connector_name);
  }
  m.snapshot_global_lock = locking == "minimal";
  m.snapshot_lock_timeout_seconds = static_cast<unsigned>(
      std::max<int64_t>(1, c.get_int("debezium.source.snapshot.lock.timeout.ms") / 1000));
  m.start_gtids = c.get("siphon.binlog.start.gtids");
  m.start_file = c.get("siphon.binlog.start.file");
  m.start_pos = static_cast<uint64_t>(c.get_int("siphon.binlog.start.pos"));
  if (!m.start_gtids.empty() && !m.start_file.empty()) {
    return make_error(ErrorKind::kConfig,
                      "siphon.binlog.start.gtids and siphon.binlog.start.file are both set: "
                      "give one start position");
  }
  const bool snapshots = m.snapshot_mode != "no_data" && m.snapshot_mode != "schema_only" &&
                         m.snapshot_mode != "never" && m.snapshot_mode != "recovery" &&
                         m.snapshot_mode != "schema_only_recovery";
  if (snapshots && (!m.start_gtids.empty() || !m.start_file.empty())) {
    return make_error(ErrorKind::kConfig,
                      "siphon.binlog.start.{}: a start position applies without a snapshot; "
                      "set debezium.source.snapshot.mode to never (it is '{}')",
                      m.start_gtids.empty() ? "file" : "gtids", m.snapshot_mode);
  }
  return m;
}

// The librdkafka properties that say where the cluster is and how to authenticate, for Kafka
// clients other than the sink's producer (the offset store).
std::vector<sink::LibrdkafkaProperty> connection_properties(const sink::ProducerSettings& p) {
  std::vector<sink::LibrdkafkaProperty> out;
  for (const sink::LibrdkafkaProperty& prop : p.properties) {
    const std::string& n = prop.name;
    if (n == "bootstrap.servers" || n.starts_with("security.") || n.starts_with("sasl.") ||
        n.starts_with("ssl.")) {
      out.push_back(prop);
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Connector>> build_connector(const Config& c) {
  ConnectorOptions options;
  options.queue_max_bytes =
      static_cast<size_t>(c.get_int("debezium.source.max.queue.size.in.bytes"));
  options.queue_max_records = static_cast<size_t>(c.get_int("debezium.source.max.queue.size"));
  options.max_batch_size = static_cast<size_t>(c.get_int("debezium.source.max.batch.size"));
  options.offset_flush_interval =
      std::chrono::milliseconds(c.get_int("debezium.source.offset.flush.interval.ms"));
  options.max_retries = c.get_int("debezium.source.errors.max.retries");
  options.retry_wait =
      std::chrono::milliseconds(c.get_int("debezium.source.retriable.restart.connector.wait.ms"));
  options.tombstones_on_delete = c.get_bool("debezium.source.tombstones.on.delete");
  options.shutdown_timeout = std::chrono::milliseconds(c.get_int("siphon.shutdown.timeout.ms"));

  SourceFactory factory;
  // The binlog source is made once the Kafka client settings (for a Kafka schema history) are
  // known.
  std::optional<std::pair<binlog::MariaDbSourceConfig, source::TableFilter>> binlog_source;
  const std::string& connector_class = c.get("debezium.source.connector.class");
  if (connector_class == kPostgresConnector) {
    auto pg_config = postgres_config(c);
    if (!pg_config) return tl::unexpected(pg_config.error());
    auto filter = source::TableFilter::create(c.get_list("debezium.source.schema.include.list"),
                                              c.get_list("debezium.source.schema.exclude.list"),
                                              c.get_list("debezium.source.table.include.list"),
                                              c.get_list("debezium.source.table.exclude.list"),
                                              c.get_list("debezium.source.column.include.list"),
                                              c.get_list("debezium.source.column.exclude.list"));
    if (!filter) return tl::unexpected(filter.error());
    factory = [pg_config = *pg_config, filter = *filter] {
      return std::make_unique<pg::PostgresSource>(pg_config, filter);
    };
  } else if (connector_class == kMariaDbConnector || connector_class == kMySqlConnector) {
    auto m = mariadb_config(c, connector_class == kMySqlConnector);
    if (!m) return tl::unexpected(m.error());
    // Debezium's binlog filters: databases, then db.table; the table lists' schema part is the
    // database.
    auto filter = source::TableFilter::create(c.get_list("debezium.source.database.include.list"),
                                              c.get_list("debezium.source.database.exclude.list"),
                                              c.get_list("debezium.source.table.include.list"),
                                              c.get_list("debezium.source.table.exclude.list"),
                                              c.get_list("debezium.source.column.include.list"),
                                              c.get_list("debezium.source.column.exclude.list"));
    if (!filter) return tl::unexpected(filter.error());
    binlog_source.emplace(std::move(*m), std::move(*filter));
  } else {
    return make_error(ErrorKind::kConfig, "debezium.source.connector.class: '{}' is not supported",
                      connector_class);
  }

  format::JsonFormatOptions json;
  json.key_schemas_enable = c.get_bool("debezium.format.key.schemas.enable");
  json.value_schemas_enable = c.get_bool("debezium.format.value.schemas.enable");
  auto serializer = std::make_unique<format::DebeziumJsonSerializer>(json);

  std::unique_ptr<sink::Sink> sink;
  std::vector<sink::LibrdkafkaProperty> kafka_client;  // for the Kafka offset store
  const std::string& sink_type = c.get("debezium.sink.type");
  if (sink_type == "file") {
    sink = std::make_unique<sink::FileSink>(c.get("debezium.sink.file.dir"),
                                            c.get_bool("debezium.sink.file.fsync"));
  } else if (sink_type == "null") {
    sink = std::make_unique<sink::NullSink>();
  } else if (sink_type == "stdout") {
    sink = std::make_unique<sink::StdoutSink>();
  } else if (sink_type == "kafka") {
    auto producer = sink::translate_producer_config(c.get_family("debezium.sink.kafka.producer."));
    if (!producer) return tl::unexpected(producer.error());
    for (const std::string& warning : producer->warnings) log::warn("{}", warning);
    // Secrets are masked by describe(); Config::describe() leaves these keys out.
    log::info("Kafka producer settings (librdkafka):\n{}", producer->describe());
    sink::KafkaSinkOptions kafka;
    kafka.producer = *producer;
    auto creation =
        sink::TopicCreationRules::parse(c.get_family(std::string(sink::kTopicCreationPrefix)));
    if (!creation) return tl::unexpected(creation.error());
    kafka.topic_creation = std::move(*creation);
    kafka_client = connection_properties(*producer);
    sink = std::make_unique<sink::KafkaSink>(std::move(kafka));
  } else {
    return make_error(ErrorKind::kConfig, "debezium.sink.type: '{}' is not supported", sink_type);
  }

  if (binlog_source) {
    auto& [m, filter] = *binlog_source;
    if (c.get("debezium.source.schema.history.internal") == kKafkaSchemaHistory) {
      offset::KafkaSchemaHistoryOptions o;
      o.client = kafka_client;
      if (std::string bootstrap =
              c.get("debezium.source.schema.history.internal.kafka.bootstrap.servers");
          !bootstrap.empty()) {
        std::erase_if(o.client, [](const auto& p) { return p.name == "bootstrap.servers"; });
        o.client.push_back({"bootstrap.servers", bootstrap, false});
      }
      if (std::none_of(o.client.begin(), o.client.end(),
                       [](const auto& p) { return p.name == "bootstrap.servers"; })) {
        return make_error(ErrorKind::kConfig,
                          "debezium.source.schema.history.internal.kafka.bootstrap.servers: "
                          "required for KafkaSchemaHistory when debezium.sink.type is not kafka; "
                          "expected host:port[,host:port...]");
      }
      o.topic = c.get("debezium.source.schema.history.internal.kafka.topic");
      if (o.topic.empty()) {
        return make_error(ErrorKind::kConfig,
                          "debezium.source.schema.history.internal.kafka.topic: required for "
                          "KafkaSchemaHistory (the topic the history is kept in)");
      }
      m.schema_history = [o] { return std::make_unique<offset::KafkaSchemaHistory>(o); };
    }
    factory = [m = m, filter = filter] {
      return std::make_unique<binlog::MariaDbSource>(m, filter);
    };
  }

  std::unique_ptr<offset::OffsetStore> offsets;
  if (c.get("debezium.source.offset.storage") ==
      "org.apache.kafka.connect.storage.KafkaOffsetBackingStore") {
    offset::KafkaOffsetStoreOptions o;
    o.client = std::move(kafka_client);
    if (std::string bootstrap = c.get("debezium.source.bootstrap.servers"); !bootstrap.empty()) {
      std::erase_if(o.client, [](const auto& p) { return p.name == "bootstrap.servers"; });
      o.client.push_back({"bootstrap.servers", bootstrap, false});
    }
    if (std::none_of(o.client.begin(), o.client.end(),
                     [](const auto& p) { return p.name == "bootstrap.servers"; })) {
      return make_error(ErrorKind::kConfig,
                        "debezium.source.bootstrap.servers: required for the Kafka offset store "
                        "when debezium.sink.type is not kafka; expected host:port[,host:port...]");
    }
    o.topic = c.get("debezium.source.offset.storage.topic");
    o.partitions = static_cast<int>(c.get_int("debezium.source.offset.storage.partitions"));
    o.replication_factor =
        static_cast<int>(c.get_int("debezium.source.offset.storage.replication.factor"));
    o.connector_name = c.get("debezium.source.name");
    o.server_name = c.get("debezium.source.topic.prefix");
    offsets = std::make_unique<offset::KafkaOffsetStore>(std::move(o));
  } else {
    offsets = std::make_unique<offset::FileOffsetStore>(
        c.get("debezium.source.offset.storage.file.filename"), c.get("debezium.source.name"),
        c.get("debezium.source.topic.prefix"));
  }

  return std::make_unique<Connector>(options, std::move(factory), std::move(serializer),
                                     std::move(sink), std::move(offsets));
}

}  // namespace siphon::runtime
