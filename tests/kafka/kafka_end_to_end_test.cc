// Siphon from a real PostgreSQL into Kafka (librdkafka's mock cluster in its own process): what
// a consumer reads equals what the file sink writes for the same changes, on the partitions
// Java's producer would choose; faults and outages lose nothing; a permanently failing topic
// stops the connector with the offset before the failed record.
#include <signal.h>

#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "kafka/kafka_pipeline.h"
#include "sink/murmur2.h"
#include "support/checker.h"
#include "support/mariadb_server.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The envelope's processing-time fields differ between two connectors reading the same change;
// everything else (source block, before/after, transaction) must be identical.
json without_processing_time(json value) {
  if (value.is_object() && value.contains("payload") && value["payload"].is_object()) {
    for (const char* f : {"ts_ms", "ts_us", "ts_ns"}) value["payload"].erase(f);
  }
  return value;
}

// Records per key, in the order a consumer of that key sees them.
std::map<std::string, std::vector<json>> by_key(const std::vector<std::string>& lines) {
  std::map<std::string, std::vector<json>> out;
  for (const std::string& line : lines) {
    json doc = json::parse(line);
    json value = doc["value"].is_null() ? json() : without_processing_time(doc["value"]);
    json entry = {{"value", value}, {"headers", doc.value("headers", json::object())}};
    out[doc["key"].dump()].push_back(entry);
  }
  return out;
}

std::vector<std::string> lines_of(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> out;
  for (const ConsumedRecord& r : records) out.push_back(sink_line(r));
  return out;
}

void small_workload(PgConnection& sql, const std::string& table) {
  for (int tx = 0; tx < 20; ++tx) {
    std::ostringstream s;
    s << "BEGIN;";
    for (int i = 0; i < 10; ++i) {
      int id = tx * 10 + i + 1;
      s << "INSERT INTO " << table << " VALUES (" << id << ", 'row " << id << "', " << id
        << ".25);";
    }
    s << "COMMIT;";
    sql.exec(s.str());
  }
  sql.exec("UPDATE " + table + " SET v = v || ' updated', n = n * 2 WHERE id % 3 = 0");
  sql.exec("DELETE FROM " + table + " WHERE id % 7 = 0");
  sql.exec("UPDATE " + table + " SET id = 1000 WHERE id = 1");  // key change: d, tombstone, c
  sql.exec("BEGIN; UPDATE " + table + " SET v = 'big tx' WHERE id <= 100; COMMIT;");
}

TEST(KafkaEndToEndTest, ConsumersReadWhatTheFileSinkWritesOnJavaMurmur2Partitions) {
  PgServer& pg = shared_pg_server();
  MockClusterProcess kafka({.brokers = 3, .topics = {"it_kfile.public.kx_items:3:3"}});
  const std::string table = "kx_items";
  PgConnection sql = pg.connect();
  sql.exec("DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table +
           " (id int PRIMARY KEY, v text, n numeric(12,2))");

  // Two connectors on the same changes: one to files, one to Kafka, same topic prefix.
  SiphonHarness file(pg, "kfile");
  SiphonHarness to_kafka(pg, "kkafka");
  for (SiphonHarness* h : {&file, &to_kafka}) {
    h->props["debezium.source.topic.prefix"] = "it_kfile";
    h->props["debezium.source.table.include.list"] = "public." + table;
    h->props["debezium.source.publication.autocreate.mode"] = "filtered";
    h->props["debezium.source.snapshot.mode"] = "no_data";
    h->props["debezium.source.provide.transaction.metadata"] = "true";
  }
  to_kafka.props["debezium.source.heartbeat.interval.ms"] = "500";
  use_kafka(to_kafka, kafka.bootstrap());
  auto file_siphon = file.start();
  auto kafka_siphon = to_kafka.start();
  file.wait_until_streaming(sql);
  to_kafka.wait_until_streaming(sql);

  small_workload(sql, table);
  const std::string topic = "it_kfile.public." + table;
  const std::string tx_topic = "it_kfile.transaction";
  const size_t changes = 200 + 67 + 28 + 3 + 100;  // inserts, updates, deletes, key move, big tx
  ASSERT_TRUE(file.wait_for_records(topic, changes, 60s)) << file.log();
  std::this_thread::sleep_for(1s);  // let both finish the last transaction
  std::vector<std::string> file_lines = file.raw_lines(topic);
  std::vector<ConsumedRecord> consumed = read_topic(kafka.bootstrap(), topic, file_lines.size());
  ASSERT_EQ(consumed.size(), file_lines.size()) << to_kafka.log();

  // Key by key, in order, the same records (tombstones and headers included).
  EXPECT_EQ(by_key(lines_of(consumed)), by_key(file_lines));
  // Every record on the partition Java's producer picks for its key bytes.
  std::set<int32_t> used;
  for (const ConsumedRecord& r : consumed) {
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(r.partition, sink::partition_for_key(*r.key, 3)) << *r.key;
    used.insert(r.partition);
  }
  EXPECT_EQ(used.size(), 3u);

  // Transaction metadata on <prefix>.transaction, record for record.
  ASSERT_TRUE(file.wait_for_records(tx_topic, 2, 10s));
  std::vector<std::string> file_tx = file.raw_lines(tx_topic);
  std::vector<ConsumedRecord> kafka_tx = read_topic(kafka.bootstrap(), tx_topic, file_tx.size());
  EXPECT_EQ(by_key(lines_of(kafka_tx)), by_key(file_tx));

  // Heartbeats on __debezium-heartbeat.<prefix>, keyed by the server name.
  std::vector<ConsumedRecord> beats =
      read_topic(kafka.bootstrap(), "__debezium-heartbeat.it_kfile", 1);
  ASSERT_FALSE(beats.empty()) << to_kafka.log();
  EXPECT_NE(beats[0].key->find("it_kfile"), std::string::npos) << *beats[0].key;

  EXPECT_TRUE(kafka_siphon.stop().success()) << to_kafka.log();
  EXPECT_TRUE(file_siphon.stop().success()) << file.log();
  // A graceful stop stores the offset of everything delivered.
  auto stored = to_kafka.stored_offset();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(lsn_of(sql.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE "
                              "slot_name = '" +
                              to_kafka.slot() + "'")),
            (*stored)["lsn_proc"].get<uint64_t>());
}

TEST(KafkaEndToEndTest, KcatInAnotherProcessReadsWhatSiphonProduced) {
  PgServer& pg = shared_pg_server();
  MockClusterProcess kafka({.brokers = 1, .topics = {"it_kcat.public.kc_items:2"}});
  PgConnection sql = pg.connect();
  sql.exec("DROP TABLE IF EXISTS kc_items; CREATE TABLE kc_items (id int PRIMARY KEY, v text)");
  SiphonHarness h(pg, "kcat");
  h.props["debezium.source.table.include.list"] = "public.kc_items";
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  use_kafka(h, kafka.bootstrap());
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO kc_items SELECT g, 'kcat ' || g FROM generate_series(1, 50) g");
  sql.exec("DELETE FROM kc_items WHERE id <= 5");
  std::vector<ConsumedRecord> consumed = read_topic(kafka.bootstrap(), h.topic("kc_items"), 60);
  ASSERT_EQ(consumed.size(), 60u) << h.log();

  CommandResult kcat =
      run_command({"kcat", "-b", kafka.bootstrap(), "-C", "-t", h.topic("kc_items"), "-e", "-q",
                   "-o", "beginning", "-Z", "-f", "%p\t%o\t%k\t%s\n"},
                  30s, {});
  ASSERT_TRUE(kcat.status.success()) << kcat.out << kcat.err;
  std::set<std::string> from_kcat;
  std::istringstream lines(kcat.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) from_kcat.insert(line);
  }
  std::set<std::string> from_consumer;
  for (const ConsumedRecord& r : consumed) {
    // kcat -Z prints a null value as NULL; tombstones are the deletes' second records.
    from_consumer.insert(std::to_string(r.partition) + "\t" + std::to_string(r.offset) + "\t" +
                         r.key.value_or("NULL") + "\t" + r.value.value_or("NULL"));
  }
  EXPECT_EQ(from_kcat, from_consumer);
  EXPECT_TRUE(siphon.stop().success()) << h.log();
}

// The MariaDB half of the comparison: the same binlog changes through a file-sink connector and
// a Kafka connector, read back key by key; every record on Java murmur2's partition.
TEST(KafkaEndToEndTest, MariaDbConsumersReadWhatTheFileSinkWrites) {
  MariaDbServer& server = shared_mariadb_server();
  MockClusterProcess kafka(
      {.brokers = 3, .topics = {"it_mfile.kx_shop.items:3:3", "it_mfile.history:1:3"}});
  MariaDbConnection sql = server.connect();
  sql.exec(
      "DROP DATABASE IF EXISTS kx_shop; CREATE DATABASE kx_shop;"
      "CREATE TABLE kx_shop.items (id INT PRIMARY KEY, v VARCHAR(40), n DECIMAL(12,2))");
  MariaDbSiphonHarness file(server, "mfile");
  MariaDbSiphonHarness to_kafka(server, "mkafka");
  int server_id = 6101;
  for (MariaDbSiphonHarness* h : {&file, &to_kafka}) {
    h->props["debezium.source.topic.prefix"] = "it_mfile";
    h->props["debezium.source.database.include.list"] = "kx_shop";
    h->props["debezium.source.provide.transaction.metadata"] = "true";
    // Same name and prefix would derive the same server id: two replicas need two.
    h->props["debezium.source.database.server.id"] = std::to_string(server_id++);
  }
  use_kafka(to_kafka, kafka.bootstrap());
  // The schema history in Kafka too (the sink's cluster).
  to_kafka.props["debezium.source.schema.history.internal"] =
      "io.debezium.storage.kafka.history.KafkaSchemaHistory";
  to_kafka.props["debezium.source.schema.history.internal.kafka.topic"] = "it_mfile.history";
  auto file_siphon = file.start();
  auto kafka_siphon = to_kafka.start();
  file.wait_until_streaming();
  to_kafka.wait_until_streaming();

  sql.exec("ALTER TABLE kx_shop.items ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  for (int tx = 0; tx < 20; ++tx) {
    std::ostringstream s;
    s << "BEGIN;";
    for (int i = 0; i < 10; ++i) {
      int id = tx * 10 + i + 1;
      s << "INSERT INTO kx_shop.items (id, v, n) VALUES (" << id << ", 'row " << id << "', " << id
        << ".25);";
    }
    s << "COMMIT;";
    sql.exec(s.str());
  }
  sql.exec("UPDATE kx_shop.items SET v = CONCAT(v, ' updated'), n = n * 2 WHERE id % 3 = 0");
  sql.exec("DELETE FROM kx_shop.items WHERE id % 7 = 0");
  sql.exec("UPDATE kx_shop.items SET id = 1000 WHERE id = 1");  // key change: d, tombstone, c
  const std::string topic = "it_mfile.kx_shop.items";
  const size_t changes = 200 + 66 + 28 * 2 + 3;  // inserts, updates, deletes + tombstones, move
  ASSERT_TRUE(file.wait_for_records(topic, changes, 60s)) << file.log();
  std::this_thread::sleep_for(1s);
  std::vector<std::string> file_lines = file.raw_lines(topic);
  ASSERT_EQ(file_lines.size(), changes);
  std::vector<ConsumedRecord> consumed = read_topic(kafka.bootstrap(), topic, file_lines.size());
  ASSERT_EQ(consumed.size(), file_lines.size()) << to_kafka.log();
  EXPECT_EQ(by_key(lines_of(consumed)), by_key(file_lines));
  std::set<int32_t> used;
  for (const ConsumedRecord& r : consumed) {
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(r.partition, sink::partition_for_key(*r.key, 3)) << *r.key;
    used.insert(r.partition);
  }
  EXPECT_EQ(used.size(), 3u);
  std::vector<std::string> file_tx = file.raw_lines("it_mfile.transaction");
  std::vector<ConsumedRecord> kafka_tx =
      read_topic(kafka.bootstrap(), "it_mfile.transaction", file_tx.size());
  EXPECT_EQ(by_key(lines_of(kafka_tx)), by_key(file_tx));
  // Schema changes on <prefix>: the same statements and table changes (ts_ms is when each
  // connector read them).
  auto schema_changes = [](const std::vector<std::string>& lines) {
    std::vector<nlohmann::json> out;
    for (const std::string& line : lines) {
      nlohmann::json v = payload_of(nlohmann::json::parse(line)["value"]);
      out.push_back({v["databaseName"], v["ddl"], v["tableChanges"], v["source"]["gtid"]});
    }
    return out;
  };
  // The schema snapshot's CREATE (snapshot.mode=no_data), then the ALTER.
  std::vector<std::string> file_ddl = file.raw_lines("it_mfile");
  ASSERT_EQ(file_ddl.size(), 2u) << file.log();
  std::vector<ConsumedRecord> kafka_ddl = read_topic(kafka.bootstrap(), "it_mfile", 2);
  EXPECT_EQ(schema_changes(lines_of(kafka_ddl)), schema_changes(file_ddl));
  EXPECT_TRUE(kafka_siphon.stop().success()) << to_kafka.log();
  EXPECT_TRUE(file_siphon.stop().success()) << file.log();
  auto stored = to_kafka.stored_offset();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ((*stored)["gtids"], sql.scalar("SELECT @@global.gtid_binlog_pos"));

  // The history topic: the table as the connector first found it, then the ALTER; a restart
  // replays both up to its offset.
  std::vector<ConsumedRecord> history = read_topic(kafka.bootstrap(), "it_mfile.history", 2);
  ASSERT_EQ(history.size(), 2u) << to_kafka.log();
  EXPECT_FALSE(history[0].key.has_value());
  nlohmann::json first = nlohmann::json::parse(*history[0].value);
  nlohmann::json alter = nlohmann::json::parse(*history[1].value);
  EXPECT_EQ(first["tableChanges"][0]["type"], "CREATE");
  EXPECT_EQ(alter["ddl"], "ALTER TABLE kx_shop.items ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  EXPECT_EQ(alter["source"]["server"], "it_mfile");
  auto again = to_kafka.start();
  EXPECT_TRUE(to_kafka.wait_for_log("2 records replayed up to the stored offset", 30s))
      << to_kafka.log();
  std::this_thread::sleep_for(500ms);  // past start-up: SIGTERM is then a clean stop
  EXPECT_TRUE(again.stop().success()) << to_kafka.log();
}

// A workload, a Siphon writing to Kafka, and the checker on what Kafka holds; the source is
// PostgreSQL, or MariaDB (two databases, two GTID domains) when `source` says so.
enum class Source { kPostgres, kMariaDb };

class KafkaCheckedRun {
 public:
  KafkaCheckedRun(const std::string& name, uint64_t seed, MockClusterProcess& kafka,
                  const std::string& offsets_topic = "", Source source = Source::kPostgres)
      : name_(name), source_(source), kafka_(kafka), offsets_topic_(offsets_topic) {
    WorkloadOptions o;
    if (source == Source::kPostgres) {
      PgServer& pg = shared_pg_server();
      auto h = std::make_unique<SiphonHarness>(pg, name);
      h->props["debezium.source.table.include.list"] =
          "public." + name + "_accounts,public." + name + "_orders";
      h->props["debezium.source.publication.autocreate.mode"] = "filtered";
      pg_ = &pg;
      o.conninfo = pg.conninfo();
      o.tables = {"public." + name + "_accounts", "public." + name + "_orders"};
      h_ = std::move(h);
    } else {
      MariaDbServer& mariadb = shared_mariadb_server();
      auto h = std::make_unique<MariaDbSiphonHarness>(mariadb, name);
      h->props["debezium.source.database.include.list"] = name + "_.*";
      mariadb_ = &mariadb;
      o.mariadb_port = mariadb.port();
      o.tables = {name + "_shop.accounts", name + "_billing.orders"};
      o.gtid_domains = {0, 3};
      h_ = std::move(h);
    }
    h_->props["debezium.source.provide.transaction.metadata"] = "true";
    // Without schemas records are a fifth of the size: the mock cluster keeps only the last few
    // MiB of each partition, and the checker needs every record.
    h_->props["debezium.format.key.schemas.enable"] = "false";
    h_->props["debezium.format.value.schemas.enable"] = "false";
    use_kafka(*h_, kafka.bootstrap(), offsets_topic);
    o.rows_per_table = 100;
    o.seed = seed;
    o.target_tx_per_sec = 60;
    o.committed_log = h_->dir() / "committed.jsonl";
    o.rolled_back_log = h_->dir() / "rolled_back.jsonl";
    workload_ = std::make_unique<Workload>(o);
    workload_->create_tables();
    // One partition per topic: offset order is the order Siphon produced in, which the
    // checker's duplicate rules rely on.
    for (const std::string& t : topics()) kafka.command("topic " + t + " 1 1");
  }
  ~KafkaCheckedRun() { stop_workload(); }

  std::vector<std::string> topics() const {
    const std::string& p = h_->prefix();
    if (source_ == Source::kMariaDb) {
      return {p + "." + name_ + "_shop.accounts", p + "." + name_ + "_billing.orders",
              p + ".transaction"};
    }
    return {p + ".public." + name_ + "_accounts", p + ".public." + name_ + "_orders",
            p + ".transaction"};
  }
  SiphonHarnessBase& harness() { return *h_; }

  void start_workload() {
    writer_ = std::jthread([this](std::stop_token stop) { stats_ = workload_->run(stop); });
  }
  void stop_workload() {
    if (writer_.joinable()) {
      writer_.request_stop();
      writer_.join();
    }
  }

  std::optional<json> stored_offset() const {
    return offsets_topic_.empty() ? h_->stored_offset()
                                  : kafka_stored_offset(*h_, kafka_.bootstrap(), offsets_topic_);
  }

  // What Siphon had stored, and how far each topic had got, at a moment Siphon could not
  // deliver (killed, or failed and restarting): later copies past the offset are allowed.
  void record_mark() {
    json lines = json::object();
    for (const std::string& t : topics()) {
      lines[t + ".jsonl"] = count_records(kafka_.bootstrap(), t);
    }
    json mark = kill_mark(stored_offset(), std::move(lines));
    std::ofstream(h_->dir() / "marks.jsonl", std::ios::app) << mark.dump() << "\n";
    ++marks_;
  }

  CheckInputs inputs(bool with_state) const {
    CheckInputs in;
    in.sink_dir = h_->dir() / "from-kafka";
    in.committed_log = h_->dir() / "committed.jsonl";
    in.rolled_back_log = h_->dir() / "rolled_back.jsonl";
    if (marks_ > 0) in.kill_marks = h_->dir() / "marks.jsonl";
    in.prefix = h_->prefix();
    if (with_state && pg_ != nullptr) in.conninfo = pg_->conninfo();
    if (with_state && mariadb_ != nullptr) in.mariadb_port = mariadb_->port();
    return in;
  }

  // Stops the workload, lets Siphon catch up, stops it, and checks what Kafka holds.
  CheckReport finish(ChildProcess& siphon) {
    stop_workload();
    CheckReport report;
    for (int i = 0; i < 60; ++i) {
      for (const std::string& t : topics())
        dump_topic(kafka_.bootstrap(), t, inputs(false).sink_dir);
      report = check(inputs(false));
      if (report.missing == 0) break;
      std::this_thread::sleep_for(1s);
    }
    auto status = siphon.stop();
    EXPECT_TRUE(status.success()) << status.describe() << "\n" << h_->log();
    for (const std::string& t : topics()) dump_topic(kafka_.bootstrap(), t, inputs(false).sink_dir);
    return check(inputs(true));
  }

  // A transaction committed before Siphon streams is not captured as a change (PostgreSQL:
  // before the slot's consistent point it is a snapshot row; MariaDB: before the start
  // position), so the workload starts only once Siphon streams.
  void wait_until_streaming() {
    const char* text = source_ == Source::kPostgres ? "streaming from slot"
                                                    : MariaDbSiphonHarness::kStreamingLogText;
    for (int i = 0; i < 600 && h_->log().find(text) == std::string::npos; ++i) {
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_NE(h_->log().find(text), std::string::npos) << h_->log();
    wait_for_first_offset();
  }

  // Kills begin once a first offset is stored: without one a restart starts over (MariaDB:
  // at the server's position of that moment, as Debezium does; PostgreSQL: with a snapshot on
  // the existing slot), which is not the resume path these tests are about.
  void wait_for_first_offset() {
    for (int i = 0; i < 150 && !stored_offset(); ++i) std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(stored_offset()) << h_->log();
  }
  const WorkloadStats& stats() const { return stats_; }

 private:
  std::string name_;
  Source source_;
  PgServer* pg_ = nullptr;
  MariaDbServer* mariadb_ = nullptr;
  std::unique_ptr<SiphonHarnessBase> h_;
  MockClusterProcess& kafka_;
  std::string offsets_topic_;
  std::unique_ptr<Workload> workload_;
  std::jthread writer_;
  WorkloadStats stats_;
  int marks_ = 0;
};

void expect_clean(const CheckReport& report, const SiphonHarnessBase& h) {
  EXPECT_EQ(report.missing, 0) << report.to_string() << "\n" << h.log();
  EXPECT_EQ(report.phantom, 0) << report.to_string();
  EXPECT_EQ(report.duplicates_violation, 0) << report.to_string();
  EXPECT_EQ(report.reordered_changes, 0) << report.to_string();
  EXPECT_EQ(report.state_mismatches(), 0) << report.to_string();
  EXPECT_TRUE(report.state_checked);
  EXPECT_GT(report.committed_transactions, 50) << report.summary();
  std::cout << report.summary() << std::endl;
}

TEST(KafkaEndToEndTest, OutageLongerThanTheDeliveryTimeoutLosesNothing) {
  MockClusterProcess kafka({.brokers = 3});
  KafkaCheckedRun run("koutage", 11, kafka);
  auto& h = run.harness();
  // A user-set finite delivery timeout: failed deliveries become a retriable connector error,
  // and the connector restarts from the stored offset.
  h.props["debezium.sink.kafka.producer.delivery.timeout.ms"] = "2000";
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(kafka.command("down all"), "");
  std::this_thread::sleep_for(6s);  // three delivery timeouts
  // Nothing was delivered or stored while the cluster was down. Siphon is frozen while the
  // cluster comes back and the mark is read, so the mark shows the state of the outage.
  ASSERT_EQ(::kill(siphon.pid(), SIGSTOP), 0);
  EXPECT_EQ(kafka.command("up all"), "");
  run.record_mark();
  ASSERT_EQ(::kill(siphon.pid(), SIGCONT), 0);
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(siphon.running()) << h.log();
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  EXPECT_NE(h.log().find("retry"), std::string::npos) << h.log();
}

TEST(KafkaEndToEndTest, OutageWithDefaultsBlocksAndResumesWithoutRestart) {
  MockClusterProcess kafka({.brokers = 3});
  KafkaCheckedRun run("kblock", 12, kafka);
  auto& h = run.harness();
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(kafka.command("down all"), "");
  std::this_thread::sleep_for(8s);
  EXPECT_EQ(kafka.command("up all"), "");
  std::this_thread::sleep_for(2s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  EXPECT_EQ(report.duplicates(), 0) << report.to_string();  // nothing failed, nothing resent
  EXPECT_EQ(h.log().find("retry"), std::string::npos) << h.log();
}

TEST(KafkaEndToEndTest, LeaderChangesAndRetriableErrorsLoseNothing) {
  MockClusterProcess kafka({.brokers = 3});
  KafkaCheckedRun run("kleader", 13, kafka);
  auto& h = run.harness();
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(700ms);
    for (const std::string& t : run.topics()) {
      kafka.command("leader " + t + " 0 " + std::to_string(1 + (i % 3)));
    }
    kafka.command(
        "errors produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT NOT_ENOUGH_REPLICAS "
        "LEADER_NOT_AVAILABLE");
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
}

TEST(KafkaEndToEndTest, PermanentlyFailingTopicStopsTheConnectorBeforeTheFailedRecord) {
  PgServer& pg = shared_pg_server();
  MockClusterProcess kafka({.brokers = 1});
  PgConnection sql = pg.connect();
  sql.exec(
      "DROP TABLE IF EXISTS kp_good, kp_bad; CREATE TABLE kp_good (id int PRIMARY KEY); "
      "CREATE TABLE kp_bad (id int PRIMARY KEY)");
  SiphonHarness h(pg, "kperm");
  h.props["debezium.source.table.include.list"] = "public.kp_good,public.kp_bad";
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  use_kafka(h, kafka.bootstrap());
  kafka.command("topic " + h.topic("kp_good") + " 1 1");
  kafka.command("topic " + h.topic("kp_bad") + " 1 1");
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO kp_good VALUES (1)");
  ASSERT_EQ(read_topic(kafka.bootstrap(), h.topic("kp_good"), 1).size(), 1u) << h.log();
  const uint64_t before_bad = lsn_of(sql.scalar("SELECT pg_current_wal_lsn()"));

  // The broker refuses the next produce request, the one carrying kp_bad's record, for good.
  kafka.command("errors produce TOPIC_AUTHORIZATION_FAILED");
  sql.exec("INSERT INTO kp_bad VALUES (1)");
  auto status = siphon.wait(60s);
  ASSERT_TRUE(status) << "the connector did not stop\n" << h.log();
  EXPECT_EQ(status->code, 1) << status->describe() << "\n" << h.log();
  const std::string log = h.log();
  EXPECT_NE(log.find(h.topic("kp_bad")), std::string::npos) << log;
  EXPECT_NE(log.find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos) << log;
  EXPECT_NE(log.find("partition"), std::string::npos) << log;
  auto stored = h.stored_offset();
  ASSERT_TRUE(stored.has_value());
  EXPECT_LE((*stored)["lsn_proc"].get<uint64_t>(), before_bad);  // the offset is before it

  // Fixed (the injected error is used up): the record is delivered after the restart, nothing
  // was skipped.
  auto again = h.start();
  auto bad = read_topic(kafka.bootstrap(), h.topic("kp_bad"), 1);
  ASSERT_EQ(bad.size(), 1u) << h.log();
  EXPECT_NE(bad[0].value->find("\"op\":\"c\""), std::string::npos);
  EXPECT_TRUE(again.stop().success()) << h.log();
}

// Six SIGKILLs while producing, with offsets in Kafka; the checker then reads what Kafka holds.
// Returns the offset stored at the end.
std::optional<json> sigkills_while_producing(KafkaCheckedRun& run, uint64_t seed) {
  auto& h = run.harness();
  std::mt19937_64 rng(seed);
  auto siphon = h.start();
  run.wait_until_streaming();
  run.start_workload();
  std::uniform_int_distribution<int> pause_ms(400, 1500);
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    siphon.kill9();
    EXPECT_EQ(siphon.wait().signal, SIGKILL);
    std::this_thread::sleep_for(300ms);  // requests already on the wire land first
    run.record_mark();
    siphon = h.start();
    std::this_thread::sleep_for(500ms);
  }
  std::this_thread::sleep_for(1s);
  CheckReport report = run.finish(siphon);
  expect_clean(report, h);
  return run.stored_offset();
}

TEST(KafkaEndToEndTest, SigkillsWhileProducingLoseNothingWithOffsetsInKafka) {
  MockClusterProcess kafka({.brokers = 3});
  KafkaCheckedRun run("kcrash", 14, kafka, "siphon-offsets");
  auto stored = sigkills_while_producing(run, 14);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->contains("lsn_proc"));
}

// The MariaDB half: a workload over two databases and two GTID domains.
TEST(KafkaEndToEndTest, MariaDbSigkillsWhileProducingLoseNothingWithOffsetsInKafka) {
  MockClusterProcess kafka({.brokers = 3});
  KafkaCheckedRun run("kmcrash", 15, kafka, "siphon-offsets", Source::kMariaDb);
  auto stored = sigkills_while_producing(run, 15);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->contains("gtids"));
}

}  // namespace
}  // namespace siphon::testing
