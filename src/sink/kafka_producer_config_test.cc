#include "sink/kafka_producer_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace siphon::sink {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBootstrap = "broker1:9092";

ProducerSettings translate_ok(std::map<std::string, std::string> java) {
  if (!java.contains("bootstrap.servers")) java["bootstrap.servers"] = kBootstrap;
  auto r = translate_producer_config(java);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : ProducerSettings{};
}

std::string translate_error(std::map<std::string, std::string> java) {
  if (!java.contains("bootstrap.servers")) java["bootstrap.servers"] = kBootstrap;
  auto r = translate_producer_config(java);
  if (r) {
    ADD_FAILURE() << "expected an error, got:\n" << r->describe();
    return "";
  }
  EXPECT_EQ(r.error().kind, ErrorKind::kConfig);
  return r.error().message;
}

std::string all_warnings(const ProducerSettings& s) {
  std::string out;
  for (const std::string& w : s.warnings) out += w + "\n";
  return out;
}

TEST(KafkaProducerConfig, SafetyDefaults) {
  ProducerSettings s = translate_ok({});
  EXPECT_EQ(s.get("bootstrap.servers"), kBootstrap);
  EXPECT_EQ(s.get("enable.idempotence"), "true");
  EXPECT_EQ(s.get("acks"), "all");
  EXPECT_EQ(s.get("message.timeout.ms"), "0");
  EXPECT_EQ(s.get("retries"), "2147483647");
  EXPECT_EQ(s.get("max.in.flight.requests.per.connection"), "5");
  EXPECT_EQ(s.get("partitioner"), "murmur2_random");
  EXPECT_EQ(s.get("message.max.bytes"), "1048576");
  EXPECT_EQ(s.get("client.id"), "siphon");
  EXPECT_TRUE(s.idempotent);
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
}

TEST(KafkaProducerConfig, BootstrapServersIsRequiredAndValidated) {
  auto missing = translate_producer_config({});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message,
              HasSubstr("debezium.sink.kafka.producer.bootstrap.servers: required"));
  EXPECT_EQ(translate_ok({{"bootstrap.servers", " a:1 , b.example.com:9093,, "}})
                .get("bootstrap.servers"),
            "a:1,b.example.com:9093");
  EXPECT_EQ(translate_ok({{"bootstrap.servers", "[::1]:9092"}}).get("bootstrap.servers"),
            "[::1]:9092");
  for (const char* bad : {"", "broker", "broker:x", "broker:0", ":9092", "a:1,b"}) {
    EXPECT_THAT(translate_error({{"bootstrap.servers", bad}}),
                HasSubstr("debezium.sink.kafka.producer.bootstrap.servers: expected"))
        << bad;
  }
}

TEST(KafkaProducerConfig, RenamedKeys) {
  ProducerSettings s = translate_ok({{"delivery.timeout.ms", "0"},
                                     {"max.request.size", "2000000"},
                                     {"send.buffer.bytes", "-1"},
                                     {"receive.buffer.bytes", "65536"},
                                     {"linger.ms", "20"},
                                     {"batch.size", "65536"},
                                     {"compression.type", "ZSTD"},
                                     {"retry.backoff.ms", "250"},
                                     {"request.timeout.ms", "15000"},
                                     {"client.id", "cdc-1"},
                                     {"connections.max.idle.ms", "60000"},
                                     {"reconnect.backoff.ms", "10"},
                                     {"reconnect.backoff.max.ms", "5000"},
                                     {"metadata.max.age.ms", "60000"},
                                     {"socket.connection.setup.timeout.ms", "5000"}});
  EXPECT_EQ(s.get("message.timeout.ms"), "0");
  EXPECT_EQ(s.get("message.max.bytes"), "2000000");
  EXPECT_EQ(s.get("socket.send.buffer.bytes"), "0");
  EXPECT_EQ(s.get("socket.receive.buffer.bytes"), "65536");
  EXPECT_EQ(s.get("linger.ms"), "20");
  EXPECT_EQ(s.get("batch.size"), "65536");
  EXPECT_EQ(s.get("compression.type"), "zstd");
  EXPECT_EQ(s.get("retry.backoff.ms"), "250");
  EXPECT_EQ(s.get("request.timeout.ms"), "15000");
  EXPECT_EQ(s.get("client.id"), "cdc-1");
  EXPECT_EQ(s.get("connections.max.idle.ms"), "60000");
  EXPECT_EQ(s.get("reconnect.backoff.ms"), "10");
  EXPECT_EQ(s.get("reconnect.backoff.max.ms"), "5000");
  EXPECT_EQ(s.get("metadata.max.age.ms"), "60000");
  EXPECT_EQ(s.get("socket.connection.setup.timeout.ms"), "5000");
  // Java spellings never reach librdkafka under their Java names when they differ.
  EXPECT_EQ(s.get("delivery.timeout.ms"), "");
  EXPECT_EQ(s.get("max.request.size"), "");
  EXPECT_EQ(s.get("send.buffer.bytes"), "");
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
}

TEST(KafkaProducerConfig, BatchSizeZeroMeansNoBatching) {
  ProducerSettings s = translate_ok({{"batch.size", "0"}});
  EXPECT_EQ(s.get("batch.num.messages"), "1");
  EXPECT_EQ(s.get("batch.size"), "");
}

TEST(KafkaProducerConfig, ValuesAreRangeChecked) {
  EXPECT_THAT(translate_error({{"linger.ms", "-1"}}),
              HasSubstr("debezium.sink.kafka.producer.linger.ms: expected an integer from 0 to "
                        "900000, got '-1'"));
  EXPECT_THAT(translate_error({{"request.timeout.ms", "soon"}}),
              HasSubstr("debezium.sink.kafka.producer.request.timeout.ms: expected an integer"));
  EXPECT_THAT(translate_error({{"retry.backoff.ms", "0"}}),
              HasSubstr("debezium.sink.kafka.producer.retry.backoff.ms"));
  EXPECT_THAT(translate_error({{"compression.type", "brotli"}}),
              HasSubstr("debezium.sink.kafka.producer.compression.type: expected one of none, "
                        "gzip, snappy, lz4, zstd, got 'brotli'"));
  EXPECT_THAT(translate_error({{"enable.idempotence", "yes"}}),
              HasSubstr("debezium.sink.kafka.producer.enable.idempotence: expected true or false"));
  EXPECT_THAT(translate_error({{"send.buffer.bytes", "-2"}}),
              HasSubstr("debezium.sink.kafka.producer.send.buffer.bytes"));
  EXPECT_THAT(translate_error({{"client.id", " "}}),
              HasSubstr("debezium.sink.kafka.producer.client.id: must not be empty"));
  EXPECT_EQ(translate_ok({{"linger.ms", "+7"}}).get("linger.ms"), "7");  // as Java parses it
}

TEST(KafkaProducerConfig, AllErrorsAreReportedAtOnce) {
  std::string e = translate_error({{"linger.ms", "x"}, {"acks", "0"}, {"buffer.mem", "1"}});
  EXPECT_THAT(e, HasSubstr("3 Kafka producer configuration errors"));
  EXPECT_THAT(e, HasSubstr("linger.ms"));
  EXPECT_THAT(e, HasSubstr("acks"));
  EXPECT_THAT(e, HasSubstr("unknown Kafka producer key 'debezium.sink.kafka.producer.buffer.mem'"));
}

TEST(KafkaProducerConfig, AcksAndIdempotence) {
  EXPECT_EQ(translate_ok({{"acks", "-1"}}).get("acks"), "all");
  EXPECT_EQ(translate_ok({{"acks", "ALL"}}).get("acks"), "all");
  EXPECT_THAT(translate_error({{"acks", "0"}}),
              HasSubstr("debezium.sink.kafka.producer.acks: 0 is not supported"));
  EXPECT_THAT(translate_error({{"acks", "2"}}),
              HasSubstr("debezium.sink.kafka.producer.acks: expected all, -1, 1 or 0, got '2'"));

  // As in Java 3.x: a conflicting setting turns the default idempotence off...
  ProducerSettings one = translate_ok({{"acks", "1"}});
  EXPECT_EQ(one.get("acks"), "1");
  EXPECT_EQ(one.get("enable.idempotence"), "false");
  EXPECT_FALSE(one.idempotent);
  EXPECT_THAT(all_warnings(one), HasSubstr("enable.idempotence: turned off because acks=1"));
  EXPECT_THAT(all_warnings(one), HasSubstr("debezium.sink.kafka.producer.acks: 1 counts"));
  ProducerSettings inflight = translate_ok({{"max.in.flight.requests.per.connection", "10"}});
  EXPECT_FALSE(inflight.idempotent);
  EXPECT_FALSE(translate_ok({{"retries", "0"}}).idempotent);

  // ...while an explicit enable.idempotence=true makes it an error naming both keys.
  EXPECT_THAT(translate_error({{"acks", "1"}, {"enable.idempotence", "true"}}),
              AllOf(HasSubstr("debezium.sink.kafka.producer.enable.idempotence: true requires"),
                    HasSubstr("acks=1")));
  EXPECT_THAT(translate_error(
                  {{"enable.idempotence", "true"}, {"max.in.flight.requests.per.connection", "6"}}),
              HasSubstr("max.in.flight.requests.per.connection=6"));

  ProducerSettings off = translate_ok({{"enable.idempotence", "false"}});
  EXPECT_EQ(off.get("enable.idempotence"), "false");
  EXPECT_FALSE(off.idempotent);
  EXPECT_THAT(all_warnings(off), HasSubstr("enable.idempotence: false"));
  EXPECT_TRUE(translate_ok({{"enable.idempotence", "TRUE"}}).idempotent);
}

TEST(KafkaProducerConfig, FiniteDeliveryTimeoutIsAllowedWithAWarning) {
  ProducerSettings s = translate_ok({{"delivery.timeout.ms", "120000"}});
  EXPECT_EQ(s.get("message.timeout.ms"), "120000");
  EXPECT_THAT(all_warnings(s), HasSubstr("delivery.timeout.ms: 120000 ms: a Kafka outage"));
}

TEST(KafkaProducerConfig, SerializersAndPartitioner) {
  ProducerSettings s = translate_ok(
      {{"key.serializer", "org.apache.kafka.common.serialization.StringSerializer"},
       {"value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"},
       {"partitioner.class", "org.apache.kafka.clients.producer.internals.DefaultPartitioner"},
       {"partitioner.ignore.keys", "false"}});
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);
  EXPECT_EQ(s.get("key.serializer"), "");
  EXPECT_EQ(s.get("partitioner"), "murmur2_random");
  EXPECT_THAT(
      translate_error({{"value.serializer", "io.confluent.kafka.serializers.KafkaAvroSerializer"}}),
      HasSubstr("debezium.sink.kafka.producer.value.serializer: only"));
  EXPECT_THAT(translate_error({{"partitioner.class",
                                "org.apache.kafka.clients.producer.RoundRobinPartitioner"}}),
              HasSubstr("debezium.sink.kafka.producer.partitioner.class: only"));
  EXPECT_THAT(translate_error({{"partitioner.ignore.keys", "true"}}),
              HasSubstr("debezium.sink.kafka.producer.partitioner.ignore.keys: true is not"));
}

TEST(KafkaProducerConfig, JavaOnlyKeysWarnOrFailAsTheTableSays) {
  ProducerSettings s = translate_ok({{"buffer.memory", "33554432"},
                                     {"max.block.ms", "60000"},
                                     {"metrics.num.samples", "2"},
                                     {"sasl.kerberos.service.name", "kafka"},
                                     {"ssl.enabled.protocols", "TLSv1.2,TLSv1.3"}});
  std::string w = all_warnings(s);
  EXPECT_THAT(w, HasSubstr("ignoring debezium.sink.kafka.producer.buffer.memory: Siphon bounds"));
  EXPECT_THAT(w, HasSubstr("ignoring debezium.sink.kafka.producer.max.block.ms"));
  EXPECT_THAT(w, HasSubstr("ignoring debezium.sink.kafka.producer.metrics.num.samples"));
  EXPECT_THAT(w, HasSubstr("ignoring debezium.sink.kafka.producer.sasl.kerberos.service.name"));
  EXPECT_THAT(w, HasSubstr("ignoring debezium.sink.kafka.producer.ssl.enabled.protocols"));
  EXPECT_EQ(s.get("buffer.memory"), "");

  EXPECT_THAT(translate_error({{"interceptor.classes", "com.example.Audit"}}),
              HasSubstr("debezium.sink.kafka.producer.interceptor.classes: not supported: Java "
                        "classes cannot run in Siphon."));
  EXPECT_THAT(translate_error({{"transactional.id", "siphon-1"}}),
              HasSubstr("debezium.sink.kafka.producer.transactional.id: not supported"));
  // An exact entry wins over its family.
  EXPECT_THAT(translate_error({{"sasl.login.callback.handler.class", "x.Y"}}),
              HasSubstr("sasl.login.callback.handler.class: not supported"));
  // librdkafka's own property names are not accepted: the file stays a Debezium Server file.
  EXPECT_THAT(translate_error({{"message.timeout.ms", "0"}}),
              HasSubstr("unknown Kafka producer key "
                        "'debezium.sink.kafka.producer.message.timeout.ms'"));
}

TEST(KafkaProducerConfig, SaslPlainFromJaasConfig) {
  ProducerSettings s =
      translate_ok({{"security.protocol", "SASL_SSL"},
                    {"sasl.mechanism", "PLAIN"},
                    {"sasl.jaas.config",
                     "org.apache.kafka.common.security.plain.PlainLoginModule required "
                     "username=\"alice\" password=\"s3cr;et \\\"q\\\" \\\\\";"}});
  EXPECT_EQ(s.get("security.protocol"), "sasl_ssl");
  EXPECT_EQ(s.get("sasl.mechanism"), "PLAIN");
  EXPECT_EQ(s.get("sasl.username"), "alice");
  EXPECT_EQ(s.get("sasl.password"), "s3cr;et \"q\" \\");
  EXPECT_EQ(s.get("sasl.jaas.config"), "");
  EXPECT_THAT(s.describe(), AllOf(HasSubstr("sasl.password=******"),
                                  HasSubstr("sasl.username=alice"), Not(HasSubstr("s3cr"))));
}

TEST(KafkaProducerConfig, SaslScramWithUnquotedValuesAndExtraOptions) {
  ProducerSettings s =
      translate_ok({{"security.protocol", "sasl_plaintext"},
                    {"sasl.mechanism", "scram-sha-512"},
                    {"sasl.jaas.config",
                     "  org.apache.kafka.common.security.scram.ScramLoginModule   REQUIRED\n"
                     "username=bob password=pw tokenauth=false ;  "}});
  EXPECT_EQ(s.get("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(s.get("sasl.username"), "bob");
  EXPECT_EQ(s.get("sasl.password"), "pw");
  EXPECT_THAT(all_warnings(s), HasSubstr("ignoring login module option 'tokenauth'"));
}

TEST(KafkaProducerConfig, SaslErrorsNeverShowThePassword) {
  const std::string module = "org.apache.kafka.common.security.plain.PlainLoginModule";
  auto error_for = [&](const std::string& mechanism, const std::string& jaas) {
    std::map<std::string, std::string> java = {{"security.protocol", "SASL_SSL"},
                                               {"sasl.mechanism", mechanism}};
    if (!jaas.empty()) java["sasl.jaas.config"] = jaas;
    std::string e = translate_error(java);
    EXPECT_THAT(e, Not(HasSubstr("hunter2"))) << e;
    return e;
  };
  EXPECT_THAT(error_for("PLAIN", module + " required username=\"a\" password=\"hunter2\""),
              HasSubstr("sasl.jaas.config: cannot parse the login module entry: the login module "
                        "entry must end with ';'"));
  EXPECT_THAT(error_for("PLAIN", module + " required username=\"a\" password=\"hunter2"),
              HasSubstr("unterminated quoted value of option 'password'"));
  EXPECT_THAT(error_for("PLAIN", module + " mandatory password=hunter2;"),
              HasSubstr("control flag"));
  EXPECT_THAT(error_for("PLAIN", module + " required password=hunter2;"),
              HasSubstr("needs both username and password"));
  EXPECT_THAT(error_for("PLAIN", module + " required username=a password=hunter2; " + module +
                                     " required username=b password=hunter2;"),
              HasSubstr("only one login module entry"));
  EXPECT_THAT(error_for("SCRAM-SHA-256", module + " required username=a password=hunter2;"),
              HasSubstr("sasl.mechanism=SCRAM-SHA-256 needs the login module "
                        "org.apache.kafka.common.security.scram.ScramLoginModule"));
  EXPECT_THAT(error_for("GSSAPI", ""), HasSubstr("sasl.mechanism: expected PLAIN"));
  EXPECT_THAT(error_for("PLAIN", ""), HasSubstr("sasl.jaas.config: required"));
  EXPECT_THAT(translate_error({{"security.protocol", "SASL_SSL"}}),
              HasSubstr("sasl.mechanism: required with security.protocol=sasl_ssl"));
}

TEST(KafkaProducerConfig, SaslKeysWithoutSaslProtocolWarn) {
  ProducerSettings s =
      translate_ok({{"sasl.mechanism", "PLAIN"},
                    {"sasl.jaas.config",
                     "org.apache.kafka.common.security.plain.PlainLoginModule required username=a "
                     "password=hunter2;"}});
  EXPECT_THAT(all_warnings(s), HasSubstr("sasl.jaas.config: has no effect unless"));
  EXPECT_EQ(s.get("sasl.password"), "");
  EXPECT_THAT(all_warnings(s), Not(HasSubstr("hunter2")));
}

TEST(KafkaProducerConfig, PemTrustAndKeyStores) {
  ProducerSettings s = translate_ok({{"security.protocol", "SSL"},
                                     {"ssl.truststore.type", "PEM"},
                                     {"ssl.truststore.location", "/etc/kafka/ca.pem"},
                                     {"ssl.keystore.type", "PEM"},
                                     {"ssl.keystore.location", "/etc/kafka/client.pem"},
                                     {"ssl.key.password", "k3y"},
                                     {"ssl.endpoint.identification.algorithm", ""}});
  EXPECT_EQ(s.get("security.protocol"), "ssl");
  EXPECT_EQ(s.get("ssl.ca.location"), "/etc/kafka/ca.pem");
  EXPECT_EQ(s.get("ssl.certificate.location"), "/etc/kafka/client.pem");
  EXPECT_EQ(s.get("ssl.key.location"), "/etc/kafka/client.pem");
  EXPECT_EQ(s.get("ssl.key.password"), "k3y");
  EXPECT_EQ(s.get("ssl.endpoint.identification.algorithm"), "none");
  EXPECT_THAT(s.describe(), AllOf(HasSubstr("ssl.key.password=******"), Not(HasSubstr("k3y"))));
  EXPECT_TRUE(s.warnings.empty()) << all_warnings(s);

  ProducerSettings inline_pem =
      translate_ok({{"security.protocol", "SSL"},
                    {"ssl.truststore.type", "PEM"},
                    {"ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----\nCA"},
                    {"ssl.keystore.type", "PEM"},
                    {"ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----\nME"},
                    {"ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nKEY"},
                    {"ssl.endpoint.identification.algorithm", "HTTPS"}});
  EXPECT_EQ(inline_pem.get("ssl.ca.pem"), "-----BEGIN CERTIFICATE-----\nCA");
  EXPECT_EQ(inline_pem.get("ssl.certificate.pem"), "-----BEGIN CERTIFICATE-----\nME");
  EXPECT_EQ(inline_pem.get("ssl.key.pem"), "-----BEGIN PRIVATE KEY-----\nKEY");
  EXPECT_EQ(inline_pem.get("ssl.endpoint.identification.algorithm"), "https");
  EXPECT_THAT(inline_pem.describe(), Not(HasSubstr("KEY")));
}

TEST(KafkaProducerConfig, Pkcs12KeystoreGoesToLibrdkafkaKeystore) {
  ProducerSettings s = translate_ok({{"security.protocol", "SSL"},
                                     {"ssl.keystore.type", "PKCS12"},
                                     {"ssl.keystore.location", "/k/client.p12"},
                                     {"ssl.keystore.password", " sp "}});
  EXPECT_EQ(s.get("ssl.keystore.location"), "/k/client.p12");
  EXPECT_EQ(s.get("ssl.keystore.password"), " sp ");  // secrets keep their spaces
  EXPECT_EQ(s.get("ssl.certificate.location"), "");
  EXPECT_THAT(s.describe(), HasSubstr("ssl.keystore.password=******"));
}

TEST(KafkaProducerConfig, JavaStoreTypesAreRejected) {
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"},
                               {"ssl.truststore.location", "/etc/kafka/truststore.jks"}}),
              HasSubstr("debezium.sink.kafka.producer.ssl.truststore.type: must be set to PEM"));
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"},
                               {"ssl.truststore.type", "JKS"},
                               {"ssl.truststore.location", "/etc/kafka/truststore.jks"}}),
              HasSubstr("ssl.truststore.type: only PEM is supported"));
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"},
                               {"ssl.keystore.type", "JKS"},
                               {"ssl.keystore.location", "/k.jks"}}),
              HasSubstr("ssl.keystore.type: expected PEM or PKCS12, got 'JKS'"));
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"}, {"ssl.keystore.location", "/k"}}),
              HasSubstr("ssl.keystore.type: must be set to PEM or PKCS12"));
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"},
                               {"ssl.keystore.type", "PKCS12"},
                               {"ssl.keystore.key", "-----BEGIN PRIVATE KEY-----"}}),
              HasSubstr("need ssl.keystore.type=PEM"));
  EXPECT_THAT(translate_error({{"security.protocol", "SSL"},
                               {"ssl.endpoint.identification.algorithm", "ldaps"}}),
              HasSubstr("ssl.endpoint.identification.algorithm: expected https"));
}

TEST(KafkaProducerConfig, TlsKeysWithoutTlsProtocolWarn) {
  ProducerSettings s = translate_ok(
      {{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", "/etc/kafka/ca.pem"}});
  EXPECT_THAT(all_warnings(s), HasSubstr("ssl.truststore.location: has no effect unless"));
}

TEST(KafkaProducerConfig, PemKeystorePasswordIsIgnoredWithAWarning) {
  ProducerSettings s = translate_ok({{"security.protocol", "SSL"},
                                     {"ssl.keystore.type", "PEM"},
                                     {"ssl.keystore.location", "/k.pem"},
                                     {"ssl.keystore.password", "hunter2"}});
  EXPECT_EQ(s.get("ssl.keystore.password"), "");
  EXPECT_THAT(all_warnings(s),
              AllOf(HasSubstr("ssl.keystore.password: ignored"), Not(HasSubstr("hunter2"))));
}

TEST(KafkaProducerConfig, TableIsConsistent) {
  std::set<std::string_view> seen;
  for (const ProducerKeyRule& rule : producer_key_table()) {
    EXPECT_TRUE(seen.insert(rule.java_key).second) << "duplicate " << rule.java_key;
    EXPECT_EQ(rule.java_key.find('|'), std::string_view::npos);
    EXPECT_EQ(rule.note.find('|'), std::string_view::npos) << rule.java_key;
    EXPECT_EQ(find_producer_key_rule(rule.java_key), &rule) << rule.java_key;
    bool forwards = !rule.librdkafka.empty();
    if (rule.handling == KeyHandling::kTranslated) {
      EXPECT_TRUE(forwards) << rule.java_key;
    }
    if (rule.handling == KeyHandling::kIgnored || rule.handling == KeyHandling::kRejected) {
      EXPECT_FALSE(forwards) << rule.java_key;
      EXPECT_FALSE(rule.note.empty()) << rule.java_key << ": say why";
    }
    if (rule.kind == ValueKind::kInt) {
      EXPECT_LT(rule.min, rule.max) << rule.java_key;
    }
  }
  EXPECT_EQ(find_producer_key_rule("sasl.kerberos.kinit.cmd")->java_key, "sasl.kerberos.");
  EXPECT_EQ(find_producer_key_rule("no.such.key"), nullptr);
}

// docs/kafka.md embeds the generated table between two markers; this keeps them in step.
TEST(KafkaProducerConfig, DocsTableIsUpToDate) {
  const std::string path = std::string(SIPHON_SOURCE_DIR) + "/docs/kafka.md";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- BEGIN GENERATED producer key table -->\n";
  const std::string end = "<!-- END GENERATED producer key table -->";
  size_t b = doc.find(begin);
  size_t e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  std::string committed = doc.substr(b + begin.size(), e - b - begin.size());
  EXPECT_EQ(committed, render_producer_key_table_markdown())
      << "docs/kafka.md is out of date: replace the text between the markers with the generated "
         "table above (render_producer_key_table_markdown())";
}

}  // namespace
}  // namespace siphon::sink
