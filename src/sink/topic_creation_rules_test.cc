#include "sink/topic_creation_rules.h"

#include <gtest/gtest.h>

namespace siphon::sink {
namespace {

using Settings = std::map<std::string, std::string>;

TopicCreationRules parse_ok(const Settings& settings) {
  auto rules = TopicCreationRules::parse(settings);
  EXPECT_TRUE(rules) << rules.error().message;
  EXPECT_TRUE(rules && rules->has_value());
  return **rules;
}

std::string parse_error(const Settings& settings) {
  auto rules = TopicCreationRules::parse(settings);
  EXPECT_FALSE(rules);
  return rules ? "" : rules.error().message;
}

TEST(TopicCreationRulesTest, OffWithoutTheDefaultGroupOrWhenDisabled) {
  auto none = TopicCreationRules::parse({});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto disabled = TopicCreationRules::parse(
      {{"enable", "false"}, {"default.replication.factor", "3"}, {"default.partitions", "10"}});
  ASSERT_TRUE(disabled);
  EXPECT_FALSE(disabled->has_value());
}

TEST(TopicCreationRulesTest, DefaultGroupAppliesToEveryTopicWithItsConfigs) {
  // The example of Debezium's "Configuring the default topic creation group" documentation.
  auto rules = parse_ok({{"default.replication.factor", "3"},
                         {"default.partitions", "10"},
                         {"default.cleanup.policy", "compact"},
                         {"default.compression.type", "lz4"}});
  NewTopicSpec spec = rules.spec_for("dbserver1.inventory.customers");
  EXPECT_EQ(spec.name, "dbserver1.inventory.customers");
  EXPECT_EQ(spec.replication_factor, 3);
  EXPECT_EQ(spec.partitions, 10);
  EXPECT_EQ(spec.configs, (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                              {"compression.type", "lz4"}}));
  EXPECT_EQ(rules.group_for("anything"), "default");
}

TEST(TopicCreationRulesTest, CustomGroupsMatchInOrderWithIncludeAndExclude) {
  auto rules = parse_ok({{"default.replication.factor", "3"},
                         {"default.partitions", "10"},
                         {"default.cleanup.policy", "compact"},
                         {"groups", "inventory, applicationlogs"},
                         {"inventory.include", "dbserver1\\.inventory\\..*"},
                         {"inventory.exclude", "dbserver1\\.inventory\\.secret"},
                         {"inventory.partitions", "20"},
                         {"inventory.cleanup.policy", "compact"},
                         {"inventory.delete.retention.ms", "7776000000"},
                         {"applicationlogs.include", "dbserver1\\.logs\\.applog-.*, other\\..*"},
                         {"applicationlogs.replication.factor", "1"},
                         {"applicationlogs.retention.ms", "7776000000"}});
  NewTopicSpec inv = rules.spec_for("dbserver1.inventory.orders");
  EXPECT_EQ(rules.group_for("dbserver1.inventory.orders"), "inventory");
  EXPECT_EQ(inv.partitions, 20);
  EXPECT_EQ(inv.replication_factor, 3);  // inherited from the default group
  EXPECT_EQ(inv.configs,
            (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                {"delete.retention.ms", "7776000000"}}));

  // Excluded from inventory, and no other group takes it.
  EXPECT_EQ(rules.group_for("dbserver1.inventory.secret"), "default");
  // The whole name must match, as Java's Pattern.matches does.
  EXPECT_EQ(rules.group_for("xdbserver1.inventory.orders"), "default");

  NewTopicSpec logs = rules.spec_for("other.things");
  EXPECT_EQ(rules.group_for("other.things"), "applicationlogs");
  EXPECT_EQ(logs.replication_factor, 1);
  EXPECT_EQ(logs.partitions, 10);
  // Topic configs are the group's own: the default's cleanup.policy is not inherited.
  EXPECT_EQ(logs.configs, (std::map<std::string, std::string>{{"retention.ms", "7776000000"}}));
}

TEST(TopicCreationRulesTest, BrokerDefaultsWithMinusOne) {
  auto rules = parse_ok({{"default.replication.factor", "-1"}, {"default.partitions", "-1"}});
  NewTopicSpec spec = rules.spec_for("t");
  EXPECT_EQ(spec.replication_factor, -1);
  EXPECT_EQ(spec.partitions, -1);
}

TEST(TopicCreationRulesTest, ErrorsNameTheFullKey) {
  EXPECT_NE(parse_error({{"default.replication.factor", "3"}})
                .find("debezium.source.topic.creation.default.partitions"),
            std::string::npos);
  EXPECT_NE(parse_error({{"default.replication.factor", "0"}, {"default.partitions", "1"}})
                .find("debezium.source.topic.creation.default.replication.factor: '0'"),
            std::string::npos);
  EXPECT_NE(parse_error({{"default.replication.factor", "1"},
                         {"default.partitions", "1"},
                         {"nogroup.partitions", "2"}})
                .find("unknown topic creation group 'nogroup'"),
            std::string::npos);
  EXPECT_NE(parse_error({{"default.replication.factor", "1"},
                         {"default.partitions", "1"},
                         {"groups", "g"},
                         {"g.include", "a(b"}})
                .find("debezium.source.topic.creation.g.include: 'a(b' is not a valid regular"),
            std::string::npos);
  EXPECT_NE(parse_error(
                {{"default.replication.factor", "1"}, {"default.partitions", "1"}, {"groups", "g"}})
                .find("group 'g' needs an include list"),
            std::string::npos);
  EXPECT_NE(parse_error({{"groups", "g"}, {"g.include", "x"}}).find("both are required"),
            std::string::npos);
  EXPECT_NE(parse_error({{"enable", "yes"}}).find("expected true or false"), std::string::npos);
  EXPECT_NE(parse_error({{"default.replication.factor", "1"},
                         {"default.partitions", "1"},
                         {"default.include", "x"}})
                .find("has no include or exclude list"),
            std::string::npos);
}

}  // namespace
}  // namespace siphon::sink
