#include "config/config.h"

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace siphon::config {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using Props = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kPassword = "s3cr3t-Passw0rd";

// The smallest valid configuration; tests add, replace or remove keys.
Props base() {
  return {
      {"debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
      {"debezium.source.database.hostname", "db.example.com"},
      {"debezium.source.database.user", "siphon"},
      {"debezium.source.database.dbname", "inventory"},
      {"debezium.source.topic.prefix", "inventory"},
      {"debezium.source.offset.storage.file.filename", "/var/lib/siphon/offsets.dat"},
      {"debezium.sink.type", "stdout"},
  };
}

Props with(Props props, std::string key, std::string value) {
  props.emplace_back(std::move(key), std::move(value));  // the last occurrence wins
  return props;
}

Props without(Props props, std::string_view key) {
  std::erase_if(props, [&](const auto& kv) { return kv.first == key; });
  return props;
}

Config load_ok(const Props& props, const Environment& env = MapEnvironment{}) {
  auto result = Config::from_properties(props, env);
  EXPECT_TRUE(result.has_value()) << result.error().message;
  if (!result) std::abort();  // the caller would use an invalid Config
  return std::move(*result);
}

std::string load_error(const Props& props, const Environment& env = MapEnvironment{}) {
  auto result = Config::from_properties(props, env);
  EXPECT_FALSE(result.has_value()) << "configuration unexpectedly valid";
  if (result) return "";
  EXPECT_EQ(result.error().kind, ErrorKind::kConfig);
  return result.error().message;
}

// --- Defaults and accessors ---

TEST(ConfigTest, MinimalConfigurationGetsTableDefaults) {
  Config config = load_ok(base());
  EXPECT_EQ(config.get("debezium.source.database.hostname"), "db.example.com");
  EXPECT_EQ(config.get("debezium.source.database.port"), "5432");
  EXPECT_EQ(config.get_int("debezium.source.database.port"), 5432);
  EXPECT_EQ(config.get("debezium.source.plugin.name"), "pgoutput");
  EXPECT_EQ(config.get("debezium.source.slot.name"), "debezium");
  EXPECT_TRUE(config.get_bool("debezium.source.tombstones.on.delete"));
  EXPECT_FALSE(config.get_bool("debezium.source.slot.drop.on.stop"));
  EXPECT_EQ(config.get_int("debezium.source.errors.max.retries"), -1);
  EXPECT_EQ(config.get_int("debezium.source.max.queue.size.in.bytes"), 16777216);
  EXPECT_THAT(config.get_list("debezium.source.skipped.operations"), ElementsAre("t"));
  EXPECT_EQ(config.get("debezium.source.database.password"), "");
  EXPECT_TRUE(config.is_set("debezium.source.database.hostname"));
  EXPECT_FALSE(config.is_set("debezium.source.database.port"));
  EXPECT_THAT(config.warnings(), IsEmpty());
}

TEST(ConfigTest, ValuesAreTrimmedAndNormalised) {
  Props props = with(base(), "debezium.source.database.port", "  5433 ");
  props = with(props, "debezium.source.database.sslmode", "REQUIRE");
  props = with(props, "debezium.source.slot.drop.on.stop", "TRUE");
  Config config = load_ok(props);
  EXPECT_EQ(config.get_int("debezium.source.database.port"), 5433);
  EXPECT_EQ(config.get("debezium.source.database.sslmode"), "require");
  EXPECT_EQ(config.get("debezium.source.slot.drop.on.stop"), "true");
  EXPECT_TRUE(config.get_bool("debezium.source.slot.drop.on.stop"));
}

TEST(ConfigTest, EmptyValueCountsAsUnset) {
  Config config = load_ok(with(base(), "debezium.source.name", ""));
  EXPECT_EQ(config.get("debezium.source.name"), "siphon");
  EXPECT_FALSE(config.is_set("debezium.source.name"));
}

TEST(ConfigTest, LastOccurrenceWins) {
  Props props = with(base(), "debezium.source.database.port", "1");
  props = with(props, "debezium.source.database.port", "2");
  EXPECT_EQ(load_ok(props).get_int("debezium.source.database.port"), 2);
}

TEST(ConfigTest, GetListTrimsAndDropsEmptyItems) {
  Config config =
      load_ok(with(base(), "debezium.source.table.include.list", " public.a , ,public.b{1,3},"));
  EXPECT_THAT(config.get_list("debezium.source.table.include.list"),
              ElementsAre("public.a", "public.b{1,3}"));
}

TEST(ConfigTest, SkippedOperationsItemsAreChecked) {
  Config config = load_ok(with(base(), "debezium.source.skipped.operations", "c, U,,d"));
  EXPECT_THAT(config.get_list("debezium.source.skipped.operations"), ElementsAre("c", "u", "d"));
  EXPECT_THAT(config.get_list("debezium.source.skipped.operations"), SizeIs(3));

  std::string error = load_error(with(base(), "debezium.source.skipped.operations", "c,x"));
  EXPECT_THAT(error, HasSubstr("debezium.source.skipped.operations"));
  EXPECT_THAT(error, HasSubstr("'x'"));
  EXPECT_THAT(error, HasSubstr("c, u, d, t, none"));
}

TEST(ConfigTest, ZeroQueueBytesMeansTheBoundedDefault) {
  Config config = load_ok(with(base(), "debezium.source.max.queue.size.in.bytes", "0"));
  EXPECT_EQ(config.get_int("debezium.source.max.queue.size.in.bytes"), 16777216);
}

// --- Environment ---

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_HOSTNAME", "from-env"},
                     {"DEBEZIUM_SOURCE_DATABASE_PORT", "6543"}};
  Config config = load_ok(base(), env);
  EXPECT_EQ(config.get("debezium.source.database.hostname"), "from-env");
  EXPECT_EQ(config.get_int("debezium.source.database.port"), 6543);
  EXPECT_TRUE(config.is_set("debezium.source.database.port"));
}

TEST(ConfigTest, EnvironmentSetsKeysMissingFromTheFile) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_PASSWORD", "pw"},
                     {"DEBEZIUM_SOURCE_DATABASE_USER", "env-user"},
                     {"SIPHON_LOG_LEVEL", "debug"}};
  Config config = load_ok(without(base(), "debezium.source.database.user"), env);
  EXPECT_EQ(config.get("debezium.source.database.password"), "pw");
  EXPECT_EQ(config.get("debezium.source.database.user"), "env-user");
  EXPECT_EQ(config.get("siphon.log.level"), "debug");
}

TEST(ConfigTest, EnvironmentValuesAreInvalidLikeFileValues) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_PORT", "abc"}};
  EXPECT_THAT(load_error(base(), env), HasSubstr("debezium.source.database.port"));
}

TEST(ConfigTest, EmptyEnvironmentVariableDoesNotOverride) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_HOSTNAME", ""}};
  EXPECT_EQ(load_ok(base(), env).get("debezium.source.database.hostname"), "db.example.com");
}

TEST(ConfigTest, EnvironmentValuesAreNotExpanded) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_PASSWORD", "a$${b}$c"}};
  EXPECT_EQ(load_ok(base(), env).get("debezium.source.database.password"), "a$${b}$c");
}

TEST(ConfigTest, EnvironmentVariableNameDerivation) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_OFFSET_STORAGE_FILE_FILENAME", "/env/offsets"}};
  EXPECT_EQ(load_ok(base(), env).get("debezium.source.offset.storage.file.filename"),
            "/env/offsets");
}

// --- ${VAR} expansion ---

TEST(ConfigTest, ExpandsVariablesFromTheEnvironment) {
  MapEnvironment env{{"PGHOST", "pg1"}, {"PGPORT", "5444"}};
  Props props = with(base(), "debezium.source.database.hostname", "${PGHOST}");
  props = with(props, "debezium.source.database.port", "${PGPORT}");
  props = with(props, "debezium.source.offset.storage.file.filename", "/data/${PGHOST}/offsets");
  Config config = load_ok(props, env);
  EXPECT_EQ(config.get("debezium.source.database.hostname"), "pg1");
  EXPECT_EQ(config.get_int("debezium.source.database.port"), 5444);
  EXPECT_EQ(config.get("debezium.source.offset.storage.file.filename"), "/data/pg1/offsets");
}

TEST(ConfigTest, UsesTheDefaultOnlyWhenTheVariableIsUndefined) {
  Props props = with(base(), "debezium.source.database.hostname", "${PGHOST:localhost}");
  EXPECT_EQ(load_ok(props).get("debezium.source.database.hostname"), "localhost");
  MapEnvironment env{{"PGHOST", "pg2"}};
  EXPECT_EQ(load_ok(props, env).get("debezium.source.database.hostname"), "pg2");
  MapEnvironment empty{{"PGHOST", ""}};
  EXPECT_EQ(load_ok(props, empty).get("debezium.source.database.hostname"), "localhost");
}

TEST(ConfigTest, DefaultsCanBeEmptyOrNested) {
  Props props = with(base(), "debezium.source.database.hostname", "${A:${B:nested}}");
  props = with(props, "debezium.source.database.sslrootcert", "${NO_CA:}");
  Config config = load_ok(props);
  EXPECT_EQ(config.get("debezium.source.database.hostname"), "nested");
  EXPECT_FALSE(config.is_set("debezium.source.database.sslrootcert"));
}

TEST(ConfigTest, UnusedDefaultIsNotEvaluated) {
  MapEnvironment env{{"A", "a"}};
  Props props = with(base(), "debezium.source.database.hostname", "${A:${UNDEFINED}}");
  EXPECT_EQ(load_ok(props, env).get("debezium.source.database.hostname"), "a");
}

TEST(ConfigTest, DoubleDollarIsALiteralDollar) {
  MapEnvironment env{{"X", "x"}};
  Props props = with(base(), "debezium.source.database.password", "p$$w$${X}$X${X}");
  EXPECT_EQ(load_ok(props, env).get("debezium.source.database.password"), "p$w${X}$Xx");
}

TEST(ConfigTest, VariablesCanNameOtherProperties) {
  Props props = with(base(), "debezium.source.topic.prefix", "${debezium.source.database.dbname}");
  props = with(props, "debezium.source.slot.name", "${debezium.source.topic.prefix}_slot");
  Config config = load_ok(props);
  EXPECT_EQ(config.get("debezium.source.topic.prefix"), "inventory");
  EXPECT_EQ(config.get("debezium.source.slot.name"), "inventory_slot");
}

TEST(ConfigTest, PropertyReferenceSeesTheEnvironmentOverride) {
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_DBNAME", "sales"}};
  Props props = with(base(), "debezium.source.topic.prefix", "${debezium.source.database.dbname}");
  EXPECT_EQ(load_ok(props, env).get("debezium.source.topic.prefix"), "sales");
}

TEST(ConfigTest, UndefinedVariableNamesKeyAndVariable) {
  Props props = with(base(), "debezium.source.database.hostname", "${PGHOST}");
  std::string error = load_error(props);
  EXPECT_THAT(error, HasSubstr("debezium.source.database.hostname"));
  EXPECT_THAT(error, HasSubstr("'PGHOST'"));
  EXPECT_THAT(error, Not(HasSubstr("missing required")));  // the invalid value is the one error
}

TEST(ConfigTest, UnterminatedAndSelfReferencingVariablesAreErrors) {
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.hostname", "${PGHOST")),
              HasSubstr("unterminated"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.hostname", "${A:x")),
              HasSubstr("unterminated"));
  Props cycle = with(base(), "debezium.source.topic.prefix", "${debezium.source.slot.name}");
  cycle = with(cycle, "debezium.source.slot.name", "${debezium.source.topic.prefix}");
  EXPECT_THAT(load_error(cycle), HasSubstr("refers to itself"));
}

TEST(ConfigTest, ErrorInAReferencedPropertyIsReportedOnce) {
  Props props = with(base(), "debezium.source.topic.prefix", "${UNDEFINED_PREFIX}");
  props = with(props, "debezium.source.slot.name", "${debezium.source.topic.prefix}");
  EXPECT_EQ(load_error(props),
            "debezium.source.topic.prefix: undefined variable 'UNDEFINED_PREFIX' (set it in the "
            "environment or give a default: ${UNDEFINED_PREFIX:default})");
}

// --- Key names ---

TEST(ConfigTest, UnknownKeySuggestsTheClosestKey) {
  EXPECT_EQ(load_error(with(base(), "debezium.source.databse.hostname", "x")),
            "unknown configuration key 'debezium.source.databse.hostname' (did you mean "
            "'debezium.source.database.hostname'?); see docs/configuration.md");
}

TEST(ConfigTest, UnknownKeyFarFromAnyKeyHasNoSuggestion) {
  std::string error = load_error(with(base(), "debezium.source.completely.different", "x"));
  EXPECT_THAT(error, HasSubstr("'debezium.source.completely.different'"));
  EXPECT_THAT(error, Not(HasSubstr("did you mean")));
  EXPECT_THAT(load_error(with(base(), "siphon.log.levle", "info")),
              HasSubstr("did you mean 'siphon.log.level'"));
}

TEST(ConfigTest, KeyWithAnotherPrefixIsUnknown) {
  std::string error = load_error(with(base(), "database.hostname", "x"));
  EXPECT_THAT(error, HasSubstr("unknown configuration key 'database.hostname'"));
  EXPECT_THAT(error, HasSubstr("debezium.*, siphon.* and quarkus.*"));
}

TEST(ConfigTest, QuarkusKeysAreIgnored) {
  Props props = with(base(), "quarkus.log.level", "DEBUG");
  props = with(props, "quarkus.http.port", "not-a-number");
  Config config = load_ok(props);
  EXPECT_THAT(config.warnings(), IsEmpty());
  EXPECT_EQ(config.get("siphon.log.level"), "info");
}

TEST(ConfigTest, UnsupportedKeyIsAWarningNotAnError) {
  Config config = load_ok(with(base(), "debezium.source.xmin.fetch.interval.ms", "5000"));
  ASSERT_THAT(config.warnings(), SizeIs(1));
  EXPECT_THAT(config.warnings()[0], AllOf(HasSubstr("debezium.source.xmin.fetch.interval.ms"),
                                          HasSubstr("not implemented")));
}

TEST(ConfigTest, UnsupportedFamilyWarnsOnceForAllItsKeys) {
  Props props = with(base(), "debezium.transforms.unwrap.type",
                     "io.debezium.transforms.ExtractNewRecordState");
  props = with(props, "debezium.transforms.unwrap.drop.tombstones", "false");
  props = with(props, "debezium.transforms.unwrap.type", "again");  // repeated: still one key
  props = with(props, "debezium.source.xmin.fetch.interval.ms", "1000");
  Config config = load_ok(props);
  ASSERT_THAT(config.warnings(), SizeIs(2));
  EXPECT_THAT(config.warnings()[0], AllOf(HasSubstr("debezium.transforms.unwrap.type, "
                                                    "debezium.transforms.unwrap.drop.tombstones"),
                                          HasSubstr("transforms are not implemented")));
  EXPECT_THAT(config.warnings()[1], HasSubstr("debezium.source.xmin.fetch.interval.ms"));
}

// --- Values ---

TEST(ConfigTest, InvalidIntegerNamesKeyRangeAndValue) {
  EXPECT_EQ(load_error(with(base(), "debezium.source.database.port", "abc")),
            "debezium.source.database.port: expected an integer between 1 and 65535, got 'abc'");
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.port", "0")), HasSubstr("'0'"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.port", "65536")),
              HasSubstr("'65536'"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.port", "54 32")),
              HasSubstr("'54 32'"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.offset.flush.interval.ms", "-1")),
              HasSubstr("expected an integer >= 0, got '-1'"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.errors.max.retries", "-2")),
              HasSubstr("between -1 and 2147483647"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.max.batch.size", "99999999999")),
              HasSubstr("debezium.source.max.batch.size"));
}

TEST(ConfigTest, InvalidEnumListsAllowedValues) {
  EXPECT_EQ(load_error(with(base(), "debezium.source.plugin.name", "decoderbufs")),
            "debezium.source.plugin.name: expected one of pgoutput, got 'decoderbufs'");
  EXPECT_EQ(load_error(with(base(), "debezium.source.database.sslmode", "on")),
            "debezium.source.database.sslmode: expected one of disable, allow, prefer, require, "
            "verify-ca, verify-full, got 'on'");
}

TEST(ConfigTest, InvalidBoolAcceptsOnlyTrueAndFalse) {
  EXPECT_EQ(load_error(with(base(), "debezium.source.tombstones.on.delete", "yes")),
            "debezium.source.tombstones.on.delete: expected true or false, got 'yes'");
  EXPECT_THAT(load_error(with(base(), "debezium.sink.file.fsync", "1")),
              HasSubstr("debezium.sink.file.fsync"));
}

TEST(ConfigTest, TopicPrefixAndSlotNameCharacters) {
  EXPECT_EQ(load_ok(with(base(), "debezium.source.topic.prefix", "a-B.c_9"))
                .get("debezium.source.topic.prefix"),
            "a-B.c_9");
  EXPECT_THAT(load_error(with(base(), "debezium.source.topic.prefix", "my prefix")),
              HasSubstr("debezium.source.topic.prefix"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.slot.name", "MySlot")),
              HasSubstr("debezium.source.slot.name"));
  EXPECT_THAT(load_error(with(base(), "debezium.source.slot.name", std::string(64, 'a'))),
              HasSubstr("at most 63"));
  EXPECT_TRUE(Config::from_properties(
                  with(base(), "debezium.source.slot.name", std::string(63, 'a')), MapEnvironment{})
                  .has_value());
}

TEST(ConfigTest, InvalidRegexNamesKeyAndPattern) {
  std::string error =
      load_error(with(base(), "debezium.source.table.include.list", "public\\.ok,public.(bad"));
  EXPECT_THAT(error, HasSubstr("debezium.source.table.include.list"));
  EXPECT_THAT(error, HasSubstr("'public.(bad'"));
  EXPECT_THAT(error, Not(HasSubstr("public\\.ok")));
}

TEST(ConfigTest, QueueMustBeLargerThanBatch) {
  Props props = with(base(), "debezium.source.max.batch.size", "100");
  props = with(props, "debezium.source.max.queue.size", "100");
  std::string error = load_error(props);
  EXPECT_THAT(error, HasSubstr("debezium.source.max.queue.size (100) must be larger than "
                               "debezium.source.max.batch.size (100)"));
}

TEST(ConfigTest, ReportsAllErrorsAtOnce) {
  Props props = with(base(), "debezium.source.database.port", "x");
  props = with(props, "debezium.sink.typ", "file");
  std::string error = load_error(without(props, "debezium.source.database.user"));
  EXPECT_THAT(error, HasSubstr("3 configuration errors"));
  EXPECT_THAT(error, HasSubstr("debezium.sink.typ'"));
  EXPECT_THAT(error, HasSubstr("debezium.source.database.port:"));
  EXPECT_THAT(error, HasSubstr("'debezium.source.database.user'"));
}

// --- Required keys and applies_when ---

TEST(ConfigTest, MissingRequiredKeyIsNamed) {
  std::string error = load_error(without(base(), "debezium.source.database.hostname"));
  EXPECT_THAT(error, HasSubstr("missing required key 'debezium.source.database.hostname'"));
  EXPECT_THAT(error, HasSubstr("DEBEZIUM_SOURCE_DATABASE_HOSTNAME"));
}

TEST(ConfigTest, EveryUnconditionallyRequiredKeyIsChecked) {
  for (const auto& [key, value] : base()) {
    if (key == "debezium.source.offset.storage.file.filename") continue;  // conditional
    EXPECT_THAT(load_error(without(base(), key)), HasSubstr("'" + key + "'")) << key;
  }
}

TEST(ConfigTest, FileSinkRequiresItsDirectory) {
  std::string error = load_error(with(base(), "debezium.sink.type", "file"));
  EXPECT_THAT(error, HasSubstr("missing required key 'debezium.sink.file.dir'"));
  EXPECT_THAT(error, HasSubstr("required when debezium.sink.type=file"));

  Props props = with(base(), "debezium.sink.type", "file");
  props = with(props, "debezium.sink.file.dir", "/var/lib/siphon/out");
  Config config = load_ok(props);
  EXPECT_EQ(config.get("debezium.sink.file.dir"), "/var/lib/siphon/out");
  EXPECT_TRUE(config.get_bool("debezium.sink.file.fsync"));
}

TEST(ConfigTest, StdoutSinkDoesNotNeedADirectoryAndWarnsAboutOne) {
  Config plain = load_ok(base());
  EXPECT_FALSE(plain.is_set("debezium.sink.file.dir"));

  Config config = load_ok(with(base(), "debezium.sink.file.dir", "/tmp/out"));
  ASSERT_THAT(config.warnings(), SizeIs(1));
  EXPECT_EQ(config.warnings()[0],
            "debezium.sink.file.dir has no effect unless debezium.sink.type=file");
}

TEST(ConfigTest, ConnectorSpecificKeysApplyToTheirConnectorClassesOnly) {
  // The binlog connectors need no dbname; their keys apply to both binlog classes.
  for (const char* connector : {"io.debezium.connector.mariadb.MariaDbConnector",
                                "io.debezium.connector.mysql.MySqlConnector"}) {
    Props props = with(without(base(), "debezium.source.database.dbname"),
                       "debezium.source.connector.class", connector);
    props = with(props, "debezium.source.database.server.id", "5501");
    Config config = load_ok(props);
    EXPECT_THAT(config.warnings(), IsEmpty()) << connector;
    EXPECT_EQ(config.get_int("debezium.source.database.server.id"), 5501);
  }
  // PostgreSQL still requires dbname, and a binlog-only key has no effect there.
  EXPECT_THAT(load_error(without(base(), "debezium.source.database.dbname")),
              HasSubstr("missing required key 'debezium.source.database.dbname'"));
  Config pg = load_ok(with(base(), "debezium.source.database.server.id", "5501"));
  ASSERT_THAT(pg.warnings(), SizeIs(1));
  EXPECT_THAT(pg.warnings()[0], HasSubstr("debezium.source.database.server.id has no effect"));
}

TEST(ConfigTest, KafkaProducerKeysArePassedThroughExpandedAndOverridden) {
  Props props = with(base(), "debezium.sink.type", "kafka");
  props = with(props, "debezium.sink.kafka.producer.bootstrap.servers", "${KAFKA:k1:9092}");
  props = with(props, "debezium.sink.kafka.producer.acks", "all");
  props = with(props, "debezium.sink.kafka.producer.sasl.jaas.config", " x required password=p ;");
  props = with(props, "debezium.sink.kafka.producer.linger.ms", "");  // empty counts as unset
  MapEnvironment env{{"DEBEZIUM_SINK_KAFKA_PRODUCER_ACKS", "1"}};
  Config config = load_ok(props, env);
  EXPECT_THAT(config.warnings(), IsEmpty());
  auto producer = config.get_family("debezium.sink.kafka.producer.");
  EXPECT_EQ(producer,
            (std::map<std::string, std::string>{{"acks", "1"},
                                                {"bootstrap.servers", "k1:9092"},
                                                {"sasl.jaas.config", " x required password=p ;"}}));
  // The values may hold secrets only the sink can tell apart: the summary leaves them out.
  EXPECT_THAT(config.describe(), Not(HasSubstr("password=p")));
  EXPECT_THAT(config.describe(), Not(HasSubstr("debezium.sink.kafka.producer.")));
}

TEST(ConfigTest, KafkaProducerKeysWithAnotherSinkWarn) {
  Config config = load_ok(with(base(), "debezium.sink.kafka.producer.bootstrap.servers", "k:1"));
  EXPECT_THAT(config.warnings(), ElementsAre("debezium.sink.kafka.producer.* keys have no effect "
                                             "unless debezium.sink.type=kafka"));
}

TEST(ConfigTest, OtherKafkaSinkKeysAreUnknown) {
  Props props = with(base(), "debezium.sink.type", "kafka");
  EXPECT_THAT(load_error(with(props, "debezium.sink.kafka.bootstrap.servers", "k:1")),
              HasSubstr("unknown configuration key 'debezium.sink.kafka.bootstrap.servers'"));
}

TEST(ConfigTest, FileOffsetStoreRequiresAFileName) {
  EXPECT_THAT(load_error(without(base(), "debezium.source.offset.storage.file.filename")),
              HasSubstr("missing required key 'debezium.source.offset.storage.file.filename'"));
}

TEST(ConfigTest, IncludeAndExcludeListsAreExclusive) {
  Props tables = with(base(), "debezium.source.table.include.list", "public.a");
  tables = with(tables, "debezium.source.table.exclude.list", "public.b");
  EXPECT_EQ(load_error(tables),
            "debezium.source.table.include.list and debezium.source.table.exclude.list cannot "
            "both be set; use one of them");

  Props schemas = with(base(), "debezium.source.schema.include.list", "public");
  schemas = with(schemas, "debezium.source.schema.exclude.list", "audit");
  EXPECT_THAT(load_error(schemas), AllOf(HasSubstr("debezium.source.schema.include.list"),
                                         HasSubstr("debezium.source.schema.exclude.list")));

  Props messages = with(base(), "debezium.source.message.prefix.include.list", "app");
  messages = with(messages, "debezium.source.message.prefix.exclude.list", "audit");
  EXPECT_THAT(load_error(messages),
              AllOf(HasSubstr("debezium.source.message.prefix.include.list"),
                    HasSubstr("debezium.source.message.prefix.exclude.list")));

  Props columns = with(base(), "debezium.source.column.include.list", "public.a.id");
  columns = with(columns, "debezium.source.column.exclude.list", "public.a.secret");
  EXPECT_THAT(load_error(columns), AllOf(HasSubstr("debezium.source.column.include.list"),
                                         HasSubstr("debezium.source.column.exclude.list")));

  Props databases =
      with(without(base(), "debezium.source.database.dbname"), "debezium.source.connector.class",
           "io.debezium.connector.mariadb.MariaDbConnector");
  databases = with(databases, "debezium.source.database.include.list", "shop_.*");
  databases = with(databases, "debezium.source.database.exclude.list", "shop_test");
  EXPECT_THAT(load_error(databases), AllOf(HasSubstr("debezium.source.database.include.list"),
                                           HasSubstr("debezium.source.database.exclude.list")));

  // Different kinds combine, and an empty list does not count as set.
  Props mixed = with(base(), "debezium.source.schema.include.list", "public");
  mixed = with(mixed, "debezium.source.table.exclude.list", "public.audit_.*");
  mixed = with(mixed, "debezium.source.schema.exclude.list", "");
  EXPECT_TRUE(Config::from_properties(mixed, MapEnvironment{}).has_value());
}

// --- Passwords ---

TEST(ConfigTest, DescribeMasksPasswords) {
  Config config =
      load_ok(with(base(), "debezium.source.database.password", std::string(kPassword)));
  EXPECT_EQ(config.get("debezium.source.database.password"), kPassword);
  std::string description = config.describe();
  EXPECT_THAT(description, Not(HasSubstr(kPassword)));
  EXPECT_THAT(description, HasSubstr("debezium.source.database.password=******\n"));
  EXPECT_THAT(description, HasSubstr("debezium.source.database.hostname=db.example.com\n"));
  EXPECT_THAT(description, HasSubstr("debezium.source.database.port=5432\n"));
}

TEST(ConfigTest, PasswordNeverAppearsInErrors) {
  std::string pw(kPassword);
  // An error elsewhere in the file.
  Props props = with(base(), "debezium.source.database.password", pw);
  EXPECT_THAT(load_error(with(props, "debezium.source.database.port", "x")), Not(HasSubstr(pw)));
  // An undefined variable inside the password.
  EXPECT_THAT(load_error(with(base(), "debezium.source.database.password", pw + "${NOPE}")),
              AllOf(HasSubstr("NOPE"), Not(HasSubstr(pw))));
  // A password given under a misspelt key is still not echoed.
  EXPECT_THAT(
      load_error(with(base(), "debezium.source.database.pasword", pw)),
      AllOf(HasSubstr("did you mean 'debezium.source.database.password'"), Not(HasSubstr(pw))));
  // A password from the environment.
  MapEnvironment env{{"DEBEZIUM_SOURCE_DATABASE_PASSWORD", pw}};
  EXPECT_THAT(load_error(without(base(), "debezium.sink.type"), env), Not(HasSubstr(pw)));
}

TEST(ConfigTest, PasswordKeepsItsWhitespace) {
  Config config = load_ok(with(base(), "debezium.source.database.password", " pw "));
  EXPECT_EQ(config.get("debezium.source.database.password"), " pw ");
}

// --- Files ---

TEST(ConfigTest, LoadsAFile) {
  char name[] = "/tmp/siphon_config_test_XXXXXX";
  int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  std::string content =
      "debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
      "debezium.source.database.hostname=${TEST_PGHOST}\n"
      "debezium.source.database.user=siphon\n"
      "debezium.source.database.dbname=inventory\n"
      "debezium.source.topic.prefix=inventory\n"
      "debezium.source.offset.storage.file.filename=offsets.dat\n"
      "debezium.sink.type=file\n"
      "debezium.sink.file.dir=out\n"
      "quarkus.log.console.json=false\n";
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  MapEnvironment env{{"TEST_PGHOST", "pg.internal"}};
  auto config = Config::load_file(name, env);
  std::remove(name);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->get("debezium.source.database.hostname"), "pg.internal");
  EXPECT_EQ(config->get("debezium.sink.type"), "file");
}

TEST(ConfigTest, MissingFileIsAConfigError) {
  auto config = Config::load_file("/nonexistent/application.properties", MapEnvironment{});
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().kind, ErrorKind::kConfig);
  EXPECT_THAT(config.error().message, HasSubstr("/nonexistent/application.properties"));
}

TEST(ProcessEnvironmentTest, ReadsTheRealEnvironment) {
  ProcessEnvironment env;
  ASSERT_EQ(setenv("SIPHON_CONFIG_TEST_VARIABLE", "value", 1), 0);
  EXPECT_EQ(env.get("SIPHON_CONFIG_TEST_VARIABLE"), "value");
  unsetenv("SIPHON_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(env.get("SIPHON_CONFIG_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace siphon::config
