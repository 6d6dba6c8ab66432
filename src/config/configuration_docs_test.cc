#include "config/configuration_docs.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/option_table.h"
#include "config/properties_file.h"

namespace siphon::config {
namespace {

using ::testing::HasSubstr;

// The committed docs/configuration.md is generated; this test keeps it in step with the tables.
TEST(ConfigurationDocsTest, CommittedFileIsUpToDate) {
  const std::string path = std::string(SIPHON_SOURCE_DIR) + "/docs/configuration.md";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::ostringstream committed;
  committed << in.rdbuf();

  const std::string expected = render_configuration_markdown();
  if (committed.str() == expected) return;

  // Point at the first difference; the full diff is what `git diff` shows after regenerating.
  std::istringstream a(committed.str()), b(expected);
  std::string line_a, line_b;
  int line = 0;
  while (true) {
    ++line;
    bool more_a = static_cast<bool>(std::getline(a, line_a));
    bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a || !more_b || line_a != line_b) break;
  }
  FAIL() << path << " is out of date (first difference at line " << line << ").\n"
         << "  committed: " << line_a << "\n  generated: " << line_b << "\n"
         << "Regenerate it with: build/siphon config-docs > docs/configuration.md";
}

TEST(ConfigurationDocsTest, DocumentsEveryKey) {
  const std::string docs = render_configuration_markdown();
  for (const OptionSpec& spec : option_table()) {
    std::string key(spec.key);
    if (spec.type == OptionType::kPassThrough) key.push_back('*');
    EXPECT_THAT(docs, HasSubstr("| `" + key + "` |")) << spec.key;
  }
  EXPECT_THAT(docs, HasSubstr("| `debezium.sink.kafka.producer.*` | family |"));
  for (const UnsupportedKey& entry : unsupported_debezium_keys()) {
    EXPECT_THAT(docs, HasSubstr("| `" + std::string(entry.key_or_prefix))) << entry.key_or_prefix;
  }
  EXPECT_THAT(docs, HasSubstr("`debezium.transforms.*`"));
  EXPECT_THAT(docs, HasSubstr("## Deliberate differences from Debezium"));
  EXPECT_THAT(docs, HasSubstr("Range: 1 to 65535."));
  EXPECT_THAT(docs, HasSubstr("Required when `debezium.sink.type=file`; ignored otherwise."));
}

// The example at the top of the docs must be a working configuration.
TEST(ConfigurationDocsTest, ExampleIsValid) {
  const std::string docs = render_configuration_markdown();
  const std::string open = "```properties\n";
  size_t begin = docs.find(open);
  ASSERT_NE(begin, std::string::npos);
  begin += open.size();
  size_t end = docs.find("```", begin);
  ASSERT_NE(end, std::string::npos);
  auto props = parse_properties(std::string_view(docs).substr(begin, end - begin));
  ASSERT_TRUE(props.has_value()) << props.error().message;
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_PASSWORD", "pw"}};
  auto config = Config::from_properties(*props, env);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->get("debezium.source.database.hostname"), "localhost");
  EXPECT_THAT(config->warnings(), testing::IsEmpty());
}

}  // namespace
}  // namespace siphon::config
