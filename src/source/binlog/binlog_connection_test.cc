#include "source/binlog/binlog_connection.h"

#include <set>

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

TEST(BinlogConnectionTest, DerivedServerIdIsStableAndInRange) {
  const uint32_t id = derive_server_id("inventory-connector", "dbserver1");
  EXPECT_EQ(id, derive_server_id("inventory-connector", "dbserver1"));
  std::set<uint32_t> ids;
  for (const char* name : {"a", "b", "inventory-connector", "orders"}) {
    for (const char* prefix : {"x", "dbserver1", "dbserver2"}) {
      const uint32_t derived = derive_server_id(name, prefix);
      EXPECT_GE(derived, 5400U);
      EXPECT_LT(derived, 0x80000000U);
      ids.insert(derived);
    }
  }
  EXPECT_EQ(ids.size(), 12U);
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(derive_server_id("ab", "c"), derive_server_id("a", "bc"));
}

TEST(BinlogConnectionTest, ReplicaHostsStatementFollowsTheServer) {
  EXPECT_EQ(replica_hosts_statement("10.11.6-MariaDB-0+deb12u1-log"), "SHOW SLAVE HOSTS");
  EXPECT_EQ(replica_hosts_statement("5.5.5-10.11.6-MariaDB"), "SHOW SLAVE HOSTS");
  EXPECT_EQ(replica_hosts_statement("11.4.2-MariaDB"), "SHOW SLAVE HOSTS");
  EXPECT_EQ(replica_hosts_statement("5.7.44-log"), "SHOW SLAVE HOSTS");
  EXPECT_EQ(replica_hosts_statement("8.0.21"), "SHOW SLAVE HOSTS");
  EXPECT_EQ(replica_hosts_statement("8.0.22"), "SHOW REPLICAS");
  EXPECT_EQ(replica_hosts_statement("8.0.36-28"), "SHOW REPLICAS");
  EXPECT_EQ(replica_hosts_statement("8.4.0-log"), "SHOW REPLICAS");
  EXPECT_EQ(replica_hosts_statement("9.1.0"), "SHOW REPLICAS");
}

}  // namespace
}  // namespace siphon::source::binlog
