// Partitioned tables from a real PostgreSQL 15: publish.via.partition.root decides whether a
// partition's changes arrive on the root table's topic or on the partition's own (as Debezium).
#include <gtest/gtest.h>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

class PostgresPartitions : public ::testing::Test {
 protected:
  // Each test has its own table, so tests may run in parallel on a shared server.
  void create(const std::string& name) {
    root = name;
    sql.exec("DROP TABLE IF EXISTS " + root);
    sql.exec("CREATE TABLE " + root +
             " (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)");
    sql.exec("CREATE TABLE " + root + "_eu PARTITION OF " + root + " FOR VALUES IN ('eu')");
    sql.exec("CREATE TABLE " + root + "_us PARTITION OF " + root + " FOR VALUES IN ('us')");
  }
  void insert_two_rows() {
    sql.exec("BEGIN; INSERT INTO " + root + " VALUES (1, 'eu'); INSERT INTO " + root +
             " VALUES (2, 'us'); COMMIT");
  }

  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  std::string root;
};

TEST_F(PostgresPartitions, ViaPartitionRootPublishesOnTheRootTopic) {
  create("part_via_root");
  SiphonHarness h(pg, "part_root");
  h.props["debezium.source.publish.via.partition.root"] = "true";
  h.props["debezium.source.table.include.list"] = "public\\.part_.*";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  EXPECT_EQ(sql.scalar("SELECT pubviaroot FROM pg_publication WHERE pubname = 'pub_part_root'"),
            "t");
  insert_two_rows();
  ASSERT_TRUE(h.wait_for_records(h.topic(root), 2)) << h.log();
  siphon.stop();
  auto recs = h.records(h.topic(root));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["value"]["payload"]["after"]["region"], "eu");
  EXPECT_EQ(recs[1]["value"]["payload"]["after"]["region"], "us");
  EXPECT_EQ(recs[0]["value"]["payload"]["source"]["table"], root);
  EXPECT_EQ(recs[1]["key"]["payload"], nlohmann::json::parse(R"({"id":2,"region":"us"})"));
  EXPECT_EQ(recs[0]["value"]["schema"]["name"], h.topic(root) + ".Envelope");
  // Both rows were one transaction, so nothing else of it can still be on its way.
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic(root + "_eu"))));
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic(root + "_us"))));
}

TEST_F(PostgresPartitions, WithoutTheOptionEachPartitionHasItsTopic) {
  create("part_per_leaf");
  SiphonHarness h(pg, "part_leaf");
  h.props["debezium.source.table.include.list"] = "public\\.part_.*";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  EXPECT_EQ(sql.scalar("SELECT pubviaroot FROM pg_publication WHERE pubname = 'pub_part_leaf'"),
            "f");
  insert_two_rows();
  ASSERT_TRUE(h.wait_for_records(h.topic(root + "_us"), 1)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic(root + "_eu"), 1)) << h.log();
  siphon.stop();
  EXPECT_EQ(h.records(h.topic(root + "_eu"))[0]["value"]["payload"]["source"]["table"],
            root + "_eu");
  EXPECT_EQ(h.records(h.topic(root + "_us"))[0]["value"]["payload"]["after"]["id"], 2);
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic(root))));
}

}  // namespace
}  // namespace siphon::testing
