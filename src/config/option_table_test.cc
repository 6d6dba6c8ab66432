#include "config/option_table.h"

#include <algorithm>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace siphon::config {
namespace {

TEST(OptionTableTest, KeysAreUniqueAndPrefixed) {
  std::set<std::string_view> seen;
  for (const OptionSpec& spec : option_table()) {
    EXPECT_TRUE(seen.insert(spec.key).second) << "duplicate key " << spec.key;
    EXPECT_TRUE(spec.key.starts_with("debezium.") || spec.key.starts_with("siphon.")) << spec.key;
    EXPECT_FALSE(spec.meaning.empty()) << spec.key;
    EXPECT_FALSE(spec.section.empty()) << spec.key;
  }
}

TEST(OptionTableTest, FindOptionFindsEveryKeyAndNothingElse) {
  for (const OptionSpec& spec : option_table()) EXPECT_EQ(find_option(spec.key), &spec);
  EXPECT_EQ(find_option("debezium.source.database"), nullptr);
  EXPECT_EQ(find_option("debezium.source.snapshot.fetch.size"), nullptr);
}

TEST(OptionTableTest, PassThroughFamiliesEndInADotAndMatchOnlyKeysUnderThem) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.type != OptionType::kPassThrough) continue;
    EXPECT_TRUE(spec.key.ends_with('.')) << spec.key;
    EXPECT_TRUE(spec.default_value.empty() && !spec.required) << spec.key;
  }
  const OptionSpec* kafka = find_pass_through("debezium.sink.kafka.producer.bootstrap.servers");
  ASSERT_NE(kafka, nullptr);
  EXPECT_EQ(kafka->key, "debezium.sink.kafka.producer.");
  EXPECT_EQ(find_pass_through("debezium.sink.kafka.producer."), nullptr);
  EXPECT_EQ(find_pass_through("debezium.sink.kafka.producerx"), nullptr);
  EXPECT_EQ(find_pass_through("debezium.sink.file.dir"), nullptr);
}

TEST(OptionTableTest, EnumDefaultsAreAllowedValues) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.type == OptionType::kEnum) {
      EXPECT_FALSE(spec.allowed.empty()) << spec.key;
      if (!spec.default_value.empty()) {
        EXPECT_NE(std::find(spec.allowed.begin(), spec.allowed.end(), spec.default_value),
                  spec.allowed.end())
            << spec.key;
      }
    } else if (spec.type != OptionType::kList) {
      EXPECT_TRUE(spec.allowed.empty()) << spec.key << ": allowed only applies to enums/lists";
    }
  }
}

TEST(OptionTableTest, RequiredKeysHaveNoDefault) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.required) {
      EXPECT_TRUE(spec.default_value.empty()) << spec.key;
    }
  }
}

TEST(OptionTableTest, AppliesWhenNamesAKeyAndOneOfItsValues) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.applies_when.empty()) continue;
    size_t eq = spec.applies_when.find('=');
    ASSERT_NE(eq, std::string_view::npos) << spec.key;
    const OptionSpec* condition = find_option(spec.applies_when.substr(0, eq));
    ASSERT_NE(condition, nullptr) << spec.key;
    ASSERT_EQ(condition->type, OptionType::kEnum) << spec.key;
    // One value, or alternatives separated by '|'; each must be an allowed value.
    std::string_view values = spec.applies_when.substr(eq + 1);
    while (true) {
      size_t bar = values.find('|');
      std::string_view value = values.substr(0, bar);
      EXPECT_NE(std::find(condition->allowed.begin(), condition->allowed.end(), value),
                condition->allowed.end())
          << spec.key << ": " << value;
      if (bar == std::string_view::npos) break;
      values.remove_prefix(bar + 1);
    }
  }
}

TEST(OptionTableTest, UnsupportedEntriesDoNotShadowSupportedKeys) {
  std::set<std::string_view> seen;
  for (const UnsupportedKey& entry : unsupported_debezium_keys()) {
    EXPECT_TRUE(seen.insert(entry.key_or_prefix).second) << entry.key_or_prefix;
    EXPECT_TRUE(entry.key_or_prefix.starts_with("debezium.")) << entry.key_or_prefix;
    EXPECT_FALSE(entry.note.empty()) << entry.key_or_prefix;
    EXPECT_EQ(find_option(entry.key_or_prefix), nullptr) << entry.key_or_prefix;
  }
  for (const OptionSpec& spec : option_table()) {
    EXPECT_EQ(find_unsupported(spec.key), nullptr) << spec.key << " is supported";
  }
}

TEST(OptionTableTest, FindUnsupportedMatchesExactKeysAndFamilies) {
  const UnsupportedKey* exact = find_unsupported("debezium.source.xmin.fetch.interval.ms");
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(exact->key_or_prefix, "debezium.source.xmin.fetch.interval.ms");

  const UnsupportedKey* family =
      find_unsupported("debezium.source.snapshot.select.statement.overrides.public.t");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->key_or_prefix, "debezium.source.snapshot.select.statement.overrides.");

  const UnsupportedKey* star = find_unsupported("debezium.format.header.schemas.enable");
  ASSERT_NE(star, nullptr);
  EXPECT_EQ(star->key_or_prefix, "debezium.format.header*");
  EXPECT_NE(find_unsupported("debezium.format.header"), nullptr);

  // The longer family wins over a shorter one.
  const UnsupportedKey* incremental = find_unsupported("debezium.source.incremental.snapshot.x");
  ASSERT_NE(incremental, nullptr);
  EXPECT_EQ(incremental->key_or_prefix, "debezium.source.incremental.snapshot.");

  EXPECT_NE(find_unsupported("debezium.transforms"), nullptr);
  EXPECT_NE(find_unsupported("debezium.transforms.unwrap.type"), nullptr);
  EXPECT_EQ(find_unsupported("debezium.transformsx"), nullptr);
  // A family ending in '.' does not match the bare prefix without the dot.
  EXPECT_EQ(find_unsupported("debezium.sink.kafka"), nullptr);
  EXPECT_EQ(find_unsupported("debezium.source.databse.hostname"), nullptr);
}

TEST(OptionTableTest, EnvironmentVariableName) {
  EXPECT_EQ(environment_variable_for("debezium.source.database.password"),
            "DEBEZIUM_SOURCE_DATABASE_PASSWORD");
  EXPECT_EQ(environment_variable_for("debezium.sink.nats-jetstream.url"),
            "DEBEZIUM_SINK_NATS_JETSTREAM_URL");
  EXPECT_EQ(environment_variable_for("PGHOST"), "PGHOST");
}

}  // namespace
}  // namespace siphon::config
