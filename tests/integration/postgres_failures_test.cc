// Positions, restarts, configuration and server errors, against real PostgreSQL servers.
#include <gtest/gtest.h>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PostgresPositions : public ::testing::Test {
 protected:
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
};

TEST_F(PostgresPositions, GracefulStopStoresTheOffsetAndConfirmsTheSlot) {
  sql.exec("CREATE TABLE stop_t (id int PRIMARY KEY)");
  SiphonHarness h(pg, "stop");
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  for (int i = 1; i <= 20; ++i) sql.exec("INSERT INTO stop_t VALUES (" + std::to_string(i) + ")");
  ASSERT_TRUE(h.wait_for_records(h.topic("stop_t"), 20)) << h.log();
  auto status = siphon.stop();
  ASSERT_TRUE(status.success()) << status.describe() << h.log();

  // The stored position is past the last change (its Commit end LSN, or a later idle keepalive
  // position that was stored too), and the slot is confirmed exactly there: Siphon confirms
  // only what it has stored.
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset) << h.log();
  uint64_t stored = (*offset)["lsn_proc"];
  uint64_t slot = lsn_of(sql.scalar(
      "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + h.slot() + "'"));
  EXPECT_EQ(slot, stored);
  auto last = h.records(h.topic("stop_t")).back();
  EXPECT_GT(stored, last["value"]["payload"]["source"]["lsn"].get<uint64_t>());
  EXPECT_FALSE(offset->contains("siphon.tx_final_lsn"));  // no partly delivered transaction

  // A restart delivers only what is new: nothing twice.
  for (int i = 21; i <= 25; ++i) sql.exec("INSERT INTO stop_t VALUES (" + std::to_string(i) + ")");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("stop_t"), 25)) << h.log();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(again.stop().success()) << h.log();
  auto recs = h.records(h.topic("stop_t"));
  ASSERT_EQ(recs.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(recs[i]["key"]["payload"]["id"], i + 1);
}

TEST_F(PostgresPositions, ResumesFromItsOwnOffsetEvenWhenTheSlotIsBehind) {
  // The slot is created first and never confirmed past these inserts; the offset file says
  // the first two transactions were delivered. Only the third may come out.
  sql.exec("CREATE TABLE behind_t (id int PRIMARY KEY)");
  sql.exec("CREATE PUBLICATION pub_behind FOR TABLE behind_t");
  sql.exec("SELECT pg_create_logical_replication_slot('slot_behind', 'pgoutput')");
  sql.exec("INSERT INTO behind_t VALUES (1)");
  sql.exec("INSERT INTO behind_t VALUES (2)");
  std::string after_two = sql.scalar("SELECT pg_current_wal_insert_lsn()");
  sql.exec("INSERT INTO behind_t VALUES (3)");
  SiphonHarness h(pg, "behind");
  {
    std::ofstream out(h.offset_file());
    out << json::array({{{"key", json::array({"siphon", {{"server", h.prefix()}}})},
                         {"value",
                          {{"lsn_proc", lsn_of(after_two)},
                           {"lsn_commit", lsn_of(after_two)},
                           {"lsn", lsn_of(after_two)}}}}})
               .dump();
  }
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("behind_t"), 1)) << h.log();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto recs = h.records(h.topic("behind_t"));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["key"]["payload"]["id"], 3);
}

TEST_F(PostgresPositions, AnIdleConnectorKeepsTheSlotMoving) {
  // Only unpublished tables are written: no change reaches Siphon, but keepalives must still
  // move confirmed_flush_lsn so the slot never pins WAL.
  sql.exec("CREATE TABLE idle_pub (id int PRIMARY KEY)");
  sql.exec("CREATE TABLE idle_other (id int PRIMARY KEY)");
  SiphonHarness h(pg, "idle");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.idle_pub";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  for (int i = 0; i < 50; ++i)
    sql.exec("INSERT INTO idle_other VALUES (" + std::to_string(i) + ")");
  sql.exec("SELECT pg_switch_wal()");  // nudge the walsender with more WAL
  uint64_t target = lsn_of(sql.scalar("SELECT pg_current_wal_lsn()"));
  uint64_t confirmed = 0;
  for (int i = 0; i < 300 && confirmed < target; ++i) {
    std::this_thread::sleep_for(100ms);
    confirmed = lsn_of(
        sql.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" +
                   h.slot() + "'"));
  }
  EXPECT_GE(confirmed, target) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("idle_other"))));
  // The idle position was stored before it was confirmed.
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset) << h.log();
  EXPECT_GE((*offset)["lsn_proc"].get<uint64_t>(), confirmed);
}

// A slot confirmed past the stored offset (here moved by hand, as another consumer of the slot
// would) has skipped changes Siphon never delivered: `initial` fails naming the slot and both
// positions; `when_needed` takes a snapshot, so the skipped rows arrive as snapshot rows.
TEST_F(PostgresPositions, ASlotConfirmedPastTheStoredOffsetFailsOrIsResnapshotted) {
  sql.exec("CREATE TABLE ahead_t (id int PRIMARY KEY)");
  SiphonHarness h(pg, "ahead");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.ahead_t";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO ahead_t VALUES (1)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ahead_t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  // Never delivered: the slot is moved past it. The advance stops at the flushed WAL, so the
  // commit is flushed first (the test server runs with synchronous_commit off).
  sql.exec("SET synchronous_commit = on; INSERT INTO ahead_t VALUES (2)");
  sql.exec("SELECT pg_replication_slot_advance('" + h.slot() + "', pg_current_wal_flush_lsn())");
  ASSERT_GT(lsn_of(sql.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE "
                              "slot_name = '" +
                              h.slot() + "'")),
            h.stored_offset()->at("lsn_proc").get<uint64_t>());
  auto failed = h.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("replication slot '" + h.slot() + "' is confirmed up to"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("when_needed"), std::string::npos) << failed.err;

  h.props["debezium.source.snapshot.mode"] = "when_needed";
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("ahead_t"), 3)) << h.log();
  for (int i = 0; i < 200 && h.log().find("streaming from slot") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  sql.exec("INSERT INTO ahead_t VALUES (3)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ahead_t"), 4)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();
  std::vector<std::string> ops;
  for (const auto& r : h.records(h.topic("ahead_t"))) {
    ops.push_back(r["value"]["payload"]["op"].get<std::string>() + ":" +
                  r["key"]["payload"]["id"].dump());
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"c:1", "r:1", "r:2", "c:3"}));
}

class ConfigurationErrors : public ::testing::Test {
 protected:
  PgServer& pg = shared_pg_server();
};

// A slot the server invalidated (wal_status = lost, PostgreSQL 13+) cannot serve the stored
// offset: the WAL since it is gone. A dedicated server with a tiny max_slot_wal_keep_size loses
// the slot once enough WAL is written and checkpointed while Siphon is stopped. `initial` fails
// naming the slot and the reason; `when_needed` drops the slot, recreates it and snapshots again.
TEST(PostgresLostSlot, ALostSlotFailsUnderInitialAndIsResnapshottedUnderWhenNeeded) {
  auto server = PgServer::start({"max_slot_wal_keep_size = 1MB"});
  PgConnection sql = server->connect();
  sql.exec("CREATE TABLE lost_t (id int PRIMARY KEY, pad text)");
  sql.exec("INSERT INTO lost_t VALUES (1, 'a'), (2, 'b')");
  SiphonHarness h(*server, "lostslot");
  h.props["debezium.source.snapshot.mode"] = "when_needed";
  {
    auto siphon = h.start();
    ASSERT_TRUE(h.wait_for_records(h.topic("lost_t"), 2)) << h.log();
    h.wait_until_streaming(sql);
    ASSERT_TRUE(siphon.stop().success()) << h.log();
  }
  ASSERT_TRUE(h.stored_offset());
  std::string status;
  for (int i = 0; i < 20 && status != "lost"; ++i) {
    sql.exec("INSERT INTO lost_t SELECT g, repeat('x', 500) FROM generate_series(" +
             std::to_string(1000 + i * 2000) + ", " + std::to_string(2999 + i * 2000) + ") g");
    sql.exec("SELECT pg_switch_wal()");
    sql.exec("CHECKPOINT");
    status = sql.scalar("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" +
                        h.slot() + "'");
  }
  ASSERT_EQ(status, "lost") << "the server did not invalidate the slot";

  h.props["debezium.source.snapshot.mode"] = "initial";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("replication slot '" + h.slot() +
                       "' was invalidated by the server "
                       "(wal_status = lost"),
            std::string::npos)
      << r.err;

  h.props["debezium.source.snapshot.mode"] = "when_needed";
  size_t rows = std::stoul(sql.scalar("SELECT count(*) FROM lost_t"));
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("lost_t"), 2 + rows, 120s)) << h.log();
  h.wait_until_streaming(sql);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(sql.scalar("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" +
                       h.slot() + "'"),
            "reserved");
  auto recs = h.records(h.topic("lost_t"));
  ASSERT_EQ(recs.size(), 2 + rows);
  for (size_t k = 2; k < recs.size(); ++k) {
    ASSERT_EQ(recs[k]["value"]["payload"]["op"], "r") << k;
  }
}

TEST_F(ConfigurationErrors, AnUnknownKeyExitsTwoAndNamesIt) {
  SiphonHarness h(pg, "cfg_unknown");
  h.props["debezium.source.databse.hostname"] = "127.0.0.1";
  auto r = h.run_to_exit(30s);
  EXPECT_EQ(r.status.code, 2) << r.err;
  EXPECT_NE(r.err.find("debezium.source.databse.hostname"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("debezium.source.database.hostname"), std::string::npos) << r.err;
}

TEST_F(ConfigurationErrors, AnInvalidValueExitsTwoAndSaysWhatIsAllowed) {
  SiphonHarness h(pg, "cfg_invalid");
  h.props["debezium.source.publication.autocreate.mode"] = "everything";
  auto r = h.run_to_exit(30s);
  EXPECT_EQ(r.status.code, 2) << r.err;
  EXPECT_NE(r.err.find("debezium.source.publication.autocreate.mode"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("all_tables"), std::string::npos) << r.err;
}

TEST_F(ConfigurationErrors, EnvironmentOverridesAndVariablesKeepSecretsOutOfTheFile) {
  PgConnection sql = pg.connect();
  sql.exec("CREATE TABLE envt (id int PRIMARY KEY)");
  SiphonHarness h(pg, "envt");
  std::string port = h.props["debezium.source.database.port"];
  h.props["debezium.source.database.port"] = "${TEST_PG_PORT}";
  h.props["debezium.source.database.password"] = "not-the-real-one";
  auto siphon = h.start({{"TEST_PG_PORT", port},
                         {"DEBEZIUM_SOURCE_DATABASE_PASSWORD", "s3cr3t-from-env"},
                         {"DEBEZIUM_SOURCE_TOPIC_PREFIX", "from_env"}});
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO envt VALUES (1)");
  ASSERT_TRUE(h.wait_for_records("from_env.public.envt", 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(h.log().find("s3cr3t-from-env"), std::string::npos);
  EXPECT_EQ(h.log().find("not-the-real-one"), std::string::npos);
}

TEST_F(ConfigurationErrors, AnUnsupportedDebeziumKeyWarnsAndQuarkusKeysAreIgnored) {
  PgConnection sql = pg.connect();
  SiphonHarness h(pg, "cfg_warn");
  h.props["debezium.source.xmin.fetch.interval.ms"] = "5000";
  h.props["quarkus.log.level"] = "INFO";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_NE(h.log().find("debezium.source.xmin.fetch.interval.ms"), std::string::npos) << h.log();
  EXPECT_NE(h.log().find("quarkus.log.level"), std::string::npos) << h.log();
}

TEST(ServerErrors, WalLevelReplicaIsRefusedWithWhatToChange) {
  auto server = PgServer::start({"wal_level = replica"});
  SiphonHarness h(*server, "wal");
  h.props["debezium.source.database.password"] = "pw-must-not-leak";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("wal_level"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("logical"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("pw-must-not-leak"), std::string::npos);
}

TEST(ServerErrors, AMissingPublicationWithAutocreateDisabledIsNamed) {
  PgServer& pg = shared_pg_server();
  SiphonHarness h(pg, "nopub");
  h.props["debezium.source.publication.autocreate.mode"] = "disabled";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("pub_nopub"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

TEST(ServerErrors, TablesThatCannotPublishUpdatesAreWarnedAboutAtStart) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("CREATE TABLE nokey_t (a int, b text)");
  sql.exec("CREATE TABLE nothing_t (id int PRIMARY KEY)");
  sql.exec("ALTER TABLE nothing_t REPLICA IDENTITY NOTHING");
  sql.exec("CREATE TABLE fine_t (id int PRIMARY KEY)");
  SiphonHarness h(pg, "nokey");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.(nokey|nothing|fine)_t";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  std::string log = h.log();
  EXPECT_NE(log.find("table public.nokey_t has no primary key and REPLICA IDENTITY DEFAULT"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("table public.nothing_t has REPLICA IDENTITY NOTHING"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("public.fine_t has"), std::string::npos) << log;
}

TEST(ServerErrors, ARoleWithoutReplicationIsToldWhatToGrant) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec(
      "DO $$ BEGIN CREATE ROLE plain_user LOGIN; EXCEPTION WHEN duplicate_object THEN "
      "NULL; END $$");
  SiphonHarness h(pg, "noprivilege");
  h.props["debezium.source.database.user"] = "plain_user";
  h.props["debezium.source.database.password"] = "pw-not-printed";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("ALTER ROLE plain_user REPLICATION"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("pw-not-printed"), std::string::npos);
}

TEST(ServerErrors, ASlotInUseByAnotherConnectorIsRetriedThenReported) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  SiphonHarness first(pg, "busyslot");
  auto holder = first.start();
  first.wait_until_streaming(sql);
  SiphonHarness second(pg, "busyslot2");
  second.props["debezium.source.slot.name"] = first.slot();
  second.props["debezium.source.errors.max.retries"] = "2";
  second.props["debezium.source.retriable.restart.connector.wait.ms"] = "200";
  auto r = second.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("in use by another process"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("giving up after 2 retries"), std::string::npos) << r.err;
  EXPECT_TRUE(holder.stop().success()) << first.log();
}

TEST(ServerErrors, AnUnreachableServerIsRetriedWithBackOffThenReported) {
  PgServer& pg = shared_pg_server();
  SiphonHarness h(pg, "unreachable");
  h.props["debezium.source.database.port"] = "1";  // nothing listens there
  h.props["debezium.source.database.password"] = "pw-not-printed";
  h.props["debezium.source.errors.max.retries"] = "3";
  h.props["debezium.source.retriable.restart.connector.wait.ms"] = "400";
  auto started = std::chrono::steady_clock::now();
  auto r = h.run_to_exit(60s);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("giving up after 3 retries"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot connect to PostgreSQL at 127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("retry 3 in"), std::string::npos) << r.err;  // each attempt is logged
  EXPECT_EQ(r.err.find("pw-not-printed"), std::string::npos);
  EXPECT_GE(took, 600ms);  // it did wait between attempts (backs off: 400 + 400 + 400 ms)
}

TEST(ServerErrors, AWrongPasswordFailsAtOnceWithoutPrintingIt) {
  // A server that asks for passwords (scram) from everyone but the harness's superuser.
  TempDir conf("siphon-hba.");
  std::filesystem::permissions(conf.path(), std::filesystem::perms::all);
  std::filesystem::path hba = conf / "pg_hba.conf";
  std::ofstream(hba) << "local all all trust\n"
                        "host all postgres 127.0.0.1/32 trust\n"
                        "host replication postgres 127.0.0.1/32 trust\n"
                        "host all all 127.0.0.1/32 scram-sha-256\n"
                        "host replication all 127.0.0.1/32 scram-sha-256\n";
  std::filesystem::permissions(hba, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::group_read |
                                        std::filesystem::perms::others_read);
  auto server = PgServer::start({"hba_file = '" + hba.string() + "'"});
  PgConnection sql = server->connect();
  sql.exec("CREATE ROLE pw_user LOGIN REPLICATION PASSWORD 'the-right-one'");
  sql.exec("CREATE PUBLICATION pub_wrongpw FOR ALL TABLES");  // needs a superuser
  SiphonHarness h(*server, "wrongpw");
  h.props["debezium.source.database.user"] = "pw_user";
  h.props["debezium.source.database.password"] = "wrong-secret-4711";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-secret-4711"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("retry"), std::string::npos) << "a wrong password is not retried\n" << r.err;

  // And with the right one, given through the environment, it streams.
  h.props["debezium.source.database.password"] = "";
  auto siphon = h.start({{"DEBEZIUM_SOURCE_DATABASE_PASSWORD", "the-right-one"}});
  h.wait_until_streaming(sql);
  EXPECT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(h.log().find("the-right-one"), std::string::npos);
}

}  // namespace
}  // namespace siphon::testing
