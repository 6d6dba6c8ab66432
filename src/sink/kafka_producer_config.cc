#include "sink/kafka_producer_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace siphon::sink {
namespace {

constexpr int64_t kInt32Max = 2147483647;

constexpr std::string_view kPlainModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
constexpr std::string_view kScramModule = "org.apache.kafka.common.security.scram.ScramLoginModule";
constexpr std::string_view kByteArraySerializer =
    "org.apache.kafka.common.serialization.ByteArraySerializer";
constexpr std::string_view kStringSerializer =
    "org.apache.kafka.common.serialization.StringSerializer";
constexpr std::string_view kDefaultPartitioner =
    "org.apache.kafka.clients.producer.internals.DefaultPartitioner";

constexpr std::string_view kJavaClasses = "Java classes cannot run in Siphon.";
constexpr std::string_view kJavaMetrics = "Java client metrics; Siphon has no JMX.";
constexpr std::string_view kJavaSecurity =
    "Java security provider setting; OpenSSL's defaults apply.";
constexpr std::string_view kNullKeysOnly =
    "Affects only records with a null key, which librdkafka spreads with sticky partitioning as "
    "Java does.";

std::vector<ProducerKeyRule> build_table() {
  using H = KeyHandling;
  using V = ValueKind;
  return {
      // --- Connection ---
      {.java_key = "bootstrap.servers",
       .handling = H::kTranslated,
       .librdkafka = "bootstrap.servers",
       .note = "Required. Comma-separated `host:port` list; spaces around items are dropped."},
      {.java_key = "client.id",
       .handling = H::kTranslated,
       .librdkafka = "client.id",
       .note = "Default `siphon` (Java: `producer-N`).",
       .kind = V::kText},
      {.java_key = "security.protocol",
       .handling = H::kTranslated,
       .librdkafka = "security.protocol",
       .note = "Java's upper-case spelling is accepted.",
       .kind = V::kEnum,
       .allowed = {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}},
      {.java_key = "request.timeout.ms",
       .handling = H::kTranslated,
       .librdkafka = "request.timeout.ms",
       .kind = V::kInt,
       .min = 1,
       .max = 900000},
      {.java_key = "connections.max.idle.ms",
       .handling = H::kTranslated,
       .librdkafka = "connections.max.idle.ms",
       .note = "`0` never closes idle connections.",
       .kind = V::kInt,
       .min = 0,
       .max = kInt32Max},
      {.java_key = "reconnect.backoff.ms",
       .handling = H::kTranslated,
       .librdkafka = "reconnect.backoff.ms",
       .kind = V::kInt,
       .min = 0,
       .max = 3600000},
      {.java_key = "reconnect.backoff.max.ms",
       .handling = H::kTranslated,
       .librdkafka = "reconnect.backoff.max.ms",
       .kind = V::kInt,
       .min = 0,
       .max = 3600000},
      {.java_key = "metadata.max.age.ms",
       .handling = H::kTranslated,
       .librdkafka = "metadata.max.age.ms",
       .kind = V::kInt,
       .min = 1,
       .max = 86400000},
      {.java_key = "socket.connection.setup.timeout.ms",
       .handling = H::kTranslated,
       .librdkafka = "socket.connection.setup.timeout.ms",
       .kind = V::kInt,
       .min = 1000,
       .max = kInt32Max},
      {.java_key = "send.buffer.bytes",
       .handling = H::kTranslated,
       .librdkafka = "socket.send.buffer.bytes",
       .note = "`-1` (the OS default) becomes `0`, librdkafka's spelling of it."},
      {.java_key = "receive.buffer.bytes",
       .handling = H::kTranslated,
       .librdkafka = "socket.receive.buffer.bytes",
       .note = "`-1` (the OS default) becomes `0`, librdkafka's spelling of it."},
      {.java_key = "client.dns.lookup",
       .handling = H::kIgnored,
       .note = "librdkafka resolves every address of a broker name and tries them in turn."},
      {.java_key = "socket.connection.setup.timeout.max.ms",
       .handling = H::kIgnored,
       .note = "librdkafka 2.0 uses `socket.connection.setup.timeout.ms` for every attempt."},
      {.java_key = "metadata.max.idle.ms",
       .handling = H::kIgnored,
       .note = "No librdkafka equivalent; Siphon produces to a small, stable set of topics."},

      // --- Delivery guarantees ---
      {.java_key = "acks",
       .handling = H::kTranslated,
       .librdkafka = "acks",
       .note = "Default `all`. `1` is accepted with a warning (a record counts as delivered once "
               "the partition leader has it, and is lost if the leader fails before a replica "
               "copies it) and turns idempotence off unless `enable.idempotence=true` is set, "
               "which is then an error, as in Java. `0` is rejected: without a broker "
               "acknowledgement Siphon cannot know when a record is durable, so offsets could "
               "pass records that were lost."},
      {.java_key = "enable.idempotence",
       .handling = H::kTranslated,
       .librdkafka = "enable.idempotence",
       .note = "Default `true`, as in Java 3.x: retries can then neither duplicate nor reorder "
               "the records of a partition. Requires `acks=all`, `retries` > 0 and "
               "`max.in.flight.requests.per.connection` <= 5.",
       .kind = V::kBool},
      {.java_key = "retries",
       .handling = H::kTranslated,
       .librdkafka = "retries",
       .note = "Default 2147483647. With a smaller value, a record still failing after its "
               "retries fails the batch with a retryable error; the connector then restarts "
               "from the stored offset, so nothing is lost.",
       .kind = V::kInt,
       .min = 0,
       .max = kInt32Max},
      {.java_key = "retry.backoff.ms",
       .handling = H::kTranslated,
       .librdkafka = "retry.backoff.ms",
       .note = "librdkafka's minimum is 1 (Java allows 0).",
       .kind = V::kInt,
       .min = 1,
       .max = 300000},
      {.java_key = "retry.backoff.max.ms",
       .handling = H::kIgnored,
       .note = "librdkafka 2.0 waits `retry.backoff.ms` before every retry."},
      {.java_key = "delivery.timeout.ms",
       .handling = H::kTranslated,
       .librdkafka = "message.timeout.ms",
       .note = "Siphon's default is `0`, infinite (Java: 120000): a Kafka outage of any length "
               "blocks the pipeline and never fails records. A finite value is accepted with a "
               "warning: an outage longer than it fails the batch with a retryable error and "
               "the connector restarts from the stored offset; nothing is lost, but records of "
               "a key sent again may then follow later ones.",
       .kind = V::kInt,
       .min = 0,
       .max = kInt32Max},
      {.java_key = "max.in.flight.requests.per.connection",
       .handling = H::kTranslated,
       .librdkafka = "max.in.flight.requests.per.connection",
       .note = "Default 5, the most idempotence allows.",
       .kind = V::kInt,
       .min = 1,
       .max = 1000000},
      {.java_key = "max.block.ms",
       .handling = H::kIgnored,
       .note = "Siphon's sink waits for the delivery of every record for as long as it takes."},
      {.java_key = "transactional.id",
       .handling = H::kRejected,
       .note = "Transactions are not implemented; delivery is at-least-once through the "
               "idempotent producer."},
      {.java_key = "transaction.timeout.ms",
       .handling = H::kIgnored,
       .note = "Transactions are not implemented."},

      // --- Batching and records ---
      {.java_key = "linger.ms",
       .handling = H::kTranslated,
       .librdkafka = "linger.ms",
       .note = "Default librdkafka's 5 (Java 3.x: 0).",
       .kind = V::kInt,
       .min = 0,
       .max = 900000},
      {.java_key = "batch.size",
       .handling = H::kTranslated,
       .librdkafka = "batch.size, batch.num.messages",
       .note = "Maximum bytes of a produce batch; default librdkafka's 1000000 (Java: 16384). "
               "`0` (Java: no batching) becomes `batch.num.messages=1`."},
      {.java_key = "compression.type",
       .handling = H::kTranslated,
       .librdkafka = "compression.type",
       .kind = V::kEnum,
       .allowed = {"none", "gzip", "snappy", "lz4", "zstd"}},
      {.java_key = "compression.gzip.level",
       .handling = H::kIgnored,
       .note = "The codec's default level is used."},
      {.java_key = "compression.lz4.level",
       .handling = H::kIgnored,
       .note = "The codec's default level is used."},
      {.java_key = "compression.zstd.level",
       .handling = H::kIgnored,
       .note = "The codec's default level is used."},
      {.java_key = "max.request.size",
       .handling = H::kTranslated,
       .librdkafka = "message.max.bytes",
       .note = "Default 1048576 as in Java (librdkafka: 1000000). A larger record fails the "
               "batch with a permanent error.",
       .kind = V::kInt,
       .min = 1000,
       .max = 1000000000},
      {.java_key = "buffer.memory",
       .handling = H::kIgnored,
       .note = "Siphon bounds memory with `debezium.source.max.queue.size.in.bytes`; the "
               "producer holds at most one batch of the pipeline at a time."},
      {.java_key = "key.serializer",
       .handling = H::kChecked,
       .note = "Only `org.apache.kafka.common.serialization.ByteArraySerializer` or "
               "`StringSerializer`: records are bytes already."},
      {.java_key = "value.serializer",
       .handling = H::kChecked,
       .note = "Only `org.apache.kafka.common.serialization.ByteArraySerializer` or "
               "`StringSerializer`: records are bytes already."},
      {.java_key = "partitioner.class",
       .handling = H::kChecked,
       .librdkafka = "partitioner",
       .note = "Only `org.apache.kafka.clients.producer.internals.DefaultPartitioner`. Siphon "
               "always partitions as Java's default partitioner does: murmur2 of the key bytes "
               "(librdkafka `murmur2_random`), null keys spread."},
      {.java_key = "partitioner.ignore.keys",
       .handling = H::kChecked,
       .note = "Only `false`: partitioning by key is what keeps the changes of a row in order."},
      {.java_key = "partitioner.adaptive.partitioning.enable",
       .handling = H::kIgnored,
       .note = kNullKeysOnly},
      {.java_key = "partitioner.availability.timeout.ms",
       .handling = H::kIgnored,
       .note = kNullKeysOnly},
      {.java_key = "interceptor.classes", .handling = H::kRejected, .note = kJavaClasses},

      // --- SASL ---
      {.java_key = "sasl.mechanism",
       .handling = H::kTranslated,
       .librdkafka = "sasl.mechanism",
       .note = "`PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`; required with a `SASL_*` protocol "
               "(Java's default, GSSAPI, is not supported, nor is OAUTHBEARER)."},
      {.java_key = "sasl.jaas.config",
       .handling = H::kTranslated,
       .librdkafka = "sasl.username, sasl.password",
       .note = "One `PlainLoginModule` or `ScramLoginModule` entry with `username` and "
               "`password` options (quoted or not), matching `sasl.mechanism`. Other login "
               "modules are rejected. Never logged.",
       .secret = true},
      {.java_key = "sasl.client.callback.handler.class",
       .handling = H::kRejected,
       .note = kJavaClasses},
      {.java_key = "sasl.login.callback.handler.class",
       .handling = H::kRejected,
       .note = kJavaClasses},
      {.java_key = "sasl.login.class", .handling = H::kRejected, .note = kJavaClasses},
      {.java_key = "sasl.login.",
       .handling = H::kIgnored,
       .note = "Login refresh settings of Kerberos and OAUTHBEARER, which are not supported."},
      {.java_key = "sasl.kerberos.",
       .handling = H::kIgnored,
       .note = "GSSAPI (Kerberos) is not supported; see `sasl.mechanism`."},
      {.java_key = "sasl.oauthbearer.",
       .handling = H::kIgnored,
       .note = "OAUTHBEARER is not supported; see `sasl.mechanism`."},

      // --- TLS ---
      {.java_key = "ssl.truststore.type",
       .handling = H::kChecked,
       .note = "Must be `PEM` when a truststore is given: librdkafka reads PEM. Java's default "
               "JKS, and PKCS12 truststores, are rejected (convert them to PEM with keytool and "
               "openssl)."},
      {.java_key = "ssl.truststore.location",
       .handling = H::kTranslated,
       .librdkafka = "ssl.ca.location",
       .note = "PEM file of the trusted certificates; requires `ssl.truststore.type=PEM`."},
      {.java_key = "ssl.truststore.certificates",
       .handling = H::kTranslated,
       .librdkafka = "ssl.ca.pem",
       .note = "PEM text of the trusted certificates; requires `ssl.truststore.type=PEM`."},
      {.java_key = "ssl.truststore.password",
       .handling = H::kIgnored,
       .note = "PEM truststores have no password.",
       .secret = true},
      {.java_key = "ssl.keystore.type",
       .handling = H::kChecked,
       .note = "`PEM` or `PKCS12` when a keystore is given; JKS is rejected (convert it with "
               "keytool)."},
      {.java_key = "ssl.keystore.location",
       .handling = H::kTranslated,
       .librdkafka = "ssl.certificate.location, ssl.key.location / ssl.keystore.location",
       .note = "`PEM`: one file with the client certificate chain and its private key; both "
               "librdkafka properties name it. `PKCS12`: librdkafka's `ssl.keystore.location`."},
      {.java_key = "ssl.keystore.password",
       .handling = H::kTranslated,
       .librdkafka = "ssl.keystore.password",
       .note = "`PKCS12` keystores only; ignored with a warning for `PEM` (Java does not support "
               "it there either; use `ssl.key.password`). Never logged.",
       .secret = true},
      {.java_key = "ssl.keystore.certificate.chain",
       .handling = H::kTranslated,
       .librdkafka = "ssl.certificate.pem",
       .note = "PEM text of the client certificate chain; requires `ssl.keystore.type=PEM`."},
      {.java_key = "ssl.keystore.key",
       .handling = H::kTranslated,
       .librdkafka = "ssl.key.pem",
       .note = "PEM text of the client private key; requires `ssl.keystore.type=PEM`. Never "
               "logged.",
       .secret = true},
      {.java_key = "ssl.key.password",
       .handling = H::kTranslated,
       .librdkafka = "ssl.key.password",
       .note = "Password of an encrypted PEM private key. Never logged.",
       .kind = V::kText,
       .secret = true},
      {.java_key = "ssl.endpoint.identification.algorithm",
       .handling = H::kTranslated,
       .librdkafka = "ssl.endpoint.identification.algorithm",
       .note = "`https` (the default) verifies the broker's host name against its certificate; "
               "`none` does not. (Java spells that as an empty value, which a Debezium Server "
               "file cannot express: an empty value counts as unset.)"},
      {.java_key = "ssl.protocol",
       .handling = H::kIgnored,
       .note = "OpenSSL negotiates the highest TLS version both sides support."},
      {.java_key = "ssl.enabled.protocols",
       .handling = H::kIgnored,
       .note = "OpenSSL negotiates the highest TLS version both sides support."},
      {.java_key = "ssl.cipher.suites",
       .handling = H::kIgnored,
       .note = "Java's cipher suite names are not OpenSSL's; OpenSSL's defaults apply."},
      {.java_key = "ssl.provider", .handling = H::kIgnored, .note = kJavaSecurity},
      {.java_key = "ssl.keymanager.algorithm", .handling = H::kIgnored, .note = kJavaSecurity},
      {.java_key = "ssl.trustmanager.algorithm", .handling = H::kIgnored, .note = kJavaSecurity},
      {.java_key = "ssl.secure.random.implementation",
       .handling = H::kIgnored,
       .note = kJavaSecurity},
      {.java_key = "ssl.engine.factory.class", .handling = H::kRejected, .note = kJavaClasses},
      {.java_key = "security.providers", .handling = H::kRejected, .note = kJavaClasses},

      // --- Metrics ---
      {.java_key = "metric.reporters", .handling = H::kIgnored, .note = kJavaMetrics},
      {.java_key = "metrics.num.samples", .handling = H::kIgnored, .note = kJavaMetrics},
      {.java_key = "metrics.recording.level", .handling = H::kIgnored, .note = kJavaMetrics},
      {.java_key = "metrics.sample.window.ms", .handling = H::kIgnored, .note = kJavaMetrics},
      {.java_key = "auto.include.jmx.reporter", .handling = H::kIgnored, .note = kJavaMetrics},
      {.java_key = "enable.metrics.push", .handling = H::kIgnored, .note = kJavaMetrics},
  };
}

bool is_family(std::string_view key) {
  return !key.empty() && key.back() == '.';
}

std::string full_key(std::string_view java_key) {
  return std::string(kProducerKeyPrefix) + std::string(java_key);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  if (s.starts_with('+')) s.remove_prefix(1);  // Java's Integer.parseInt accepts a plus sign
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// One JAAS login module entry, as Kafka's JaasConfig parses `sasl.jaas.config`:
//   <class> <flag> [<name>=<value>]... ;
// Values are words or double-quoted strings with backslash escapes. Error texts never quote
// the input: it holds a password.
struct JaasEntry {
  std::string module;
  std::string flag;
  std::map<std::string, std::string> options;
};

class JaasParser {
 public:
  explicit JaasParser(std::string_view text) : s_(text) {}

  // The entry, or an error text (without any part of the value).
  std::variant<JaasEntry, std::string> parse() {
    JaasEntry e;
    auto module = word();
    if (!module) return std::string("expected a login module class name");
    e.module = std::move(*module);
    auto flag = word();
    if (!flag) return std::string("expected a control flag after the login module");
    e.flag = lower(*flag);
    if (e.flag != "required" && e.flag != "requisite" && e.flag != "sufficient" &&
        e.flag != "optional") {
      return std::string("the control flag must be required, requisite, sufficient or optional");
    }
    while (true) {
      skip_space();
      if (at_end()) return std::string("the login module entry must end with ';'");
      if (s_[pos_] == ';') {
        ++pos_;
        break;
      }
      auto name = word();
      if (!name) return fmt::format("expected an option name at character {}", pos_ + 1);
      skip_space();
      if (at_end() || s_[pos_] != '=') {
        return fmt::format("expected '=' after option '{}'", *name);
      }
      ++pos_;
      skip_space();
      std::optional<std::string> value;
      if (!at_end() && s_[pos_] == '"') {
        value = quoted();
        if (!value) return fmt::format("unterminated quoted value of option '{}'", *name);
      } else {
        value = word();
        if (!value) return fmt::format("expected a value for option '{}'", *name);
      }
      e.options[*name] = std::move(*value);
    }
    skip_space();
    if (!at_end()) return std::string("only one login module entry is allowed");
    return e;
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  std::optional<std::string> word() {
    skip_space();
    size_t start = pos_;
    while (!at_end()) {
      char c = s_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '=' || c == ';' || c == '"') break;
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    return std::string(s_.substr(start, pos_ - start));
  }
  std::optional<std::string> quoted() {
    ++pos_;  // opening quote
    std::string out;
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !at_end()) c = s_[pos_++];
      out.push_back(c);
    }
    return std::nullopt;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

class Translator {
 public:
  explicit Translator(const std::map<std::string, std::string>& java) {
    for (const auto& [key, value] : java) {
      const ProducerKeyRule* rule = find_producer_key_rule(key);
      // Secrets keep their spaces: a password may end in one.
      std::string v = rule != nullptr && rule->secret ? value : std::string(trim(value));
      in_.emplace(key, std::move(v));
    }
  }

  Result<ProducerSettings> run() {
    classify();
    apply_defaults();
    translate_generic();
    translate_connection();
    translate_guarantees();
    translate_batching();
    translate_sasl();
    translate_tls();
    if (!errors_.empty()) {
      if (errors_.size() == 1) return make_error(ErrorKind::kConfig, "{}", errors_.front());
      std::string message = fmt::format("{} Kafka producer configuration errors:", errors_.size());
      for (const std::string& e : errors_) message.append("\n  ").append(e);
      return make_error(ErrorKind::kConfig, "{}", message);
    }
    out_.warnings = std::move(warnings_);
    return std::move(out_);
  }

 private:
  const std::string* given(std::string_view key) const {
    auto it = in_.find(std::string(key));
    return it == in_.end() ? nullptr : &it->second;
  }

  template <typename... Args>
  void error(std::string_view key, fmt::format_string<Args...> f, Args&&... args) {
    errors_.push_back(
        fmt::format("{}: {}", full_key(key), fmt::format(f, std::forward<Args>(args)...)));
  }
  template <typename... Args>
  void warn(std::string_view key, fmt::format_string<Args...> f, Args&&... args) {
    warnings_.push_back(
        fmt::format("{}: {}", full_key(key), fmt::format(f, std::forward<Args>(args)...)));
  }

  void classify() {
    for (const auto& [key, value] : in_) {
      const ProducerKeyRule* rule = find_producer_key_rule(key);
      if (rule == nullptr) {
        errors_.push_back(fmt::format(
            "unknown Kafka producer key '{}' (Siphon translates the Java producer's keys; "
            "docs/kafka.md lists them)",
            full_key(key)));
      } else if (rule->handling == KeyHandling::kRejected) {
        error(key, "not supported: {}", rule->note);
      } else if (rule->handling == KeyHandling::kIgnored) {
        warnings_.push_back(fmt::format("ignoring {}: {}", full_key(key), rule->note));
      }
    }
  }

  void apply_defaults() {
    out_.set("client.id", "siphon");
    out_.set("enable.idempotence", "true");
    out_.set("acks", "all");
    out_.set("retries", std::to_string(kInt32Max));
    out_.set("max.in.flight.requests.per.connection", "5");
    out_.set("message.timeout.ms", "0");
    out_.set("message.max.bytes", "1048576");
    // Java's default partitioner for non-null keys; null keys go to random (sticky) partitions.
    out_.set("partitioner", "murmur2_random");
  }

  // Keys whose value is validated by the table alone and passed on under one name.
  void translate_generic() {
    for (const auto& [key, value] : in_) {
      const ProducerKeyRule* rule = find_producer_key_rule(key);
      if (rule == nullptr || rule->handling != KeyHandling::kTranslated) continue;
      switch (rule->kind) {
        case ValueKind::kSpecial:
          break;
        case ValueKind::kText:
          if (value.empty()) {
            error(key, "must not be empty");
          } else {
            out_.set(rule->librdkafka, value, rule->secret);
          }
          break;
        case ValueKind::kInt:
          if (auto v = int_value(key, *rule)) out_.set(rule->librdkafka, std::to_string(*v));
          break;
        case ValueKind::kBool:
          if (auto v = bool_value(key)) out_.set(rule->librdkafka, *v ? "true" : "false");
          break;
        case ValueKind::kEnum: {
          std::string v = lower(value);
          if (std::find(rule->allowed.begin(), rule->allowed.end(), v) == rule->allowed.end()) {
            error(key, "expected one of {}, got '{}'", fmt::join(rule->allowed, ", "), value);
          } else {
            out_.set(rule->librdkafka, v);
          }
          break;
        }
      }
    }
  }

  std::optional<int64_t> int_value(std::string_view key, const ProducerKeyRule& rule) {
    const std::string* v = given(key);
    if (v == nullptr) return std::nullopt;
    auto n = parse_int(*v);
    if (!n || *n < rule.min || *n > rule.max) {
      error(key, "expected an integer from {} to {}, got '{}'", rule.min, rule.max, *v);
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> bool_value(std::string_view key) {
    const std::string* v = given(key);
    if (v == nullptr) return std::nullopt;
    std::string l = lower(*v);
    if (l == "true") return true;
    if (l == "false") return false;
    error(key, "expected true or false, got '{}'", *v);
    return std::nullopt;
  }

  void translate_connection() {
    const std::string* servers = given("bootstrap.servers");
    if (servers == nullptr) {
      error("bootstrap.servers", "required when debezium.sink.type=kafka");
    } else {
      std::vector<std::string> items;
      std::string_view rest = *servers;
      bool valid = true;
      while (true) {
        size_t comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        if (!item.empty()) {
          size_t colon = item.rfind(':');
          auto port =
              colon == std::string_view::npos ? std::nullopt : parse_int(item.substr(colon + 1));
          if (colon == 0 || !port || *port < 1 || *port > 65535) valid = false;
          items.emplace_back(item);
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      if (items.empty() || !valid) {
        error("bootstrap.servers", "expected a comma-separated list of host:port, got '{}'",
              *servers);
      } else {
        out_.set("bootstrap.servers", fmt::format("{}", fmt::join(items, ",")));
      }
    }
    for (auto [java, native] : {std::pair{"send.buffer.bytes", "socket.send.buffer.bytes"},
                                std::pair{"receive.buffer.bytes", "socket.receive.buffer.bytes"}}) {
      const std::string* v = given(java);
      if (v == nullptr) continue;
      auto n = parse_int(*v);
      if (!n || *n < -1 || *n > 100000000) {
        error(java, "expected -1 (the OS default) or a size in bytes up to 100000000, got '{}'",
              *v);
        continue;
      }
      out_.set(native, std::to_string(*n == -1 ? 0 : *n));
    }
  }

  void translate_guarantees() {
    // acks
    std::string acks = "all";
    if (const std::string* v = given("acks")) {
      acks = lower(*v);
      if (acks == "-1") acks = "all";
      if (acks == "0") {
        error("acks",
              "0 is not supported: without a broker acknowledgement Siphon cannot know when a "
              "record is durable");
      } else if (acks == "1") {
        out_.set("acks", "1");
        warn("acks",
             "1 counts a record as delivered once the partition leader has it; it is lost if the "
             "leader fails before a replica copies it, and offsets may already have passed it");
      } else if (acks != "all") {
        error("acks", "expected all, -1, 1 or 0, got '{}'", *v);
      }
    }

    // Idempotence needs acks=all, retries > 0 and at most 5 requests in flight. As in Java 3.x,
    // an explicit enable.idempotence=true with a conflicting setting is an error, while the
    // default quietly yields to it (with a warning here: it weakens ordering).
    std::vector<std::string> conflicts;
    if (acks == "1") conflicts.push_back("acks=1");
    if (const std::string* v = given("retries"); v != nullptr && parse_int(*v) == 0) {
      conflicts.push_back("retries=0");
    }
    if (const std::string* v = given("max.in.flight.requests.per.connection")) {
      if (auto n = parse_int(*v); n && *n > 5) {
        conflicts.push_back(fmt::format("max.in.flight.requests.per.connection={}", *n));
      }
    }
    const std::string* idem = given("enable.idempotence");
    bool explicit_idempotence = idem != nullptr && lower(*idem) == "true";
    bool explicit_off = idem != nullptr && lower(*idem) == "false";
    if (explicit_idempotence && !conflicts.empty()) {
      error("enable.idempotence",
            "true requires acks=all, retries > 0 and "
            "max.in.flight.requests.per.connection <= 5, but {} is set",
            fmt::join(conflicts, " and "));
    } else if (!explicit_idempotence && !explicit_off && !conflicts.empty()) {
      out_.set("enable.idempotence", "false");
      warn("enable.idempotence",
           "turned off because {} is set (as Java does); retries may then duplicate or reorder "
           "records of a partition",
           fmt::join(conflicts, " and "));
    } else if (explicit_off) {
      warn("enable.idempotence",
           "false: retries may duplicate records and reorder the records of a partition");
    }
    out_.idempotent = out_.get("enable.idempotence") == "true";

    if (const std::string* v = given("delivery.timeout.ms")) {
      if (auto n = parse_int(*v); n && *n > 0) {
        warn("delivery.timeout.ms",
             "{} ms: a Kafka outage longer than this fails the batch with a retryable error and "
             "the connector restarts from the stored offset; nothing is lost, but records of a "
             "key sent again may follow later ones. The default 0 waits as long as it takes",
             *n);
      }
    }

    if (const std::string* v = given("partitioner.class");
        v != nullptr && *v != kDefaultPartitioner) {
      error("partitioner.class",
            "only {} is supported (Siphon partitions by Java's murmur2 of the key bytes), got "
            "'{}'",
            kDefaultPartitioner, *v);
    }
    if (const std::string* v = given("partitioner.ignore.keys"); v != nullptr) {
      std::string l = lower(*v);
      if (l == "true") {
        error("partitioner.ignore.keys",
              "true is not supported: partitioning by key keeps the changes of a row in order");
      } else if (l != "false") {
        error("partitioner.ignore.keys", "expected true or false, got '{}'", *v);
      }
    }
  }

  void translate_batching() {
    if (const std::string* v = given("batch.size")) {
      auto n = parse_int(*v);
      if (!n || *n < 0 || *n > kInt32Max) {
        error("batch.size", "expected an integer from 0 to {}, got '{}'", kInt32Max, *v);
      } else if (*n == 0) {
        out_.set("batch.num.messages", "1");
      } else {
        out_.set("batch.size", std::to_string(*n));
      }
    }
    for (std::string_view key : {"key.serializer", "value.serializer"}) {
      const std::string* v = given(key);
      if (v != nullptr && *v != kByteArraySerializer && *v != kStringSerializer) {
        error(key, "only {} or {} are supported (records are bytes already), got '{}'",
              kByteArraySerializer, kStringSerializer, *v);
      }
    }
  }

  bool uses_sasl() const {
    std::string_view p = out_.get("security.protocol");
    return p == "sasl_plaintext" || p == "sasl_ssl";
  }
  bool uses_tls() const {
    std::string_view p = out_.get("security.protocol");
    return p == "ssl" || p == "sasl_ssl";
  }

  void translate_sasl() {
    const std::string* mechanism = given("sasl.mechanism");
    const std::string* jaas = given("sasl.jaas.config");
    if (!uses_sasl()) {
      for (std::string_view key : {"sasl.mechanism", "sasl.jaas.config"}) {
        if (given(key) != nullptr) {
          warn(key, "has no effect unless security.protocol is SASL_PLAINTEXT or SASL_SSL");
        }
      }
      return;
    }
    if (mechanism == nullptr) {
      error("sasl.mechanism",
            "required with security.protocol={} (Java's default, GSSAPI, is not supported): set "
            "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
            out_.get("security.protocol"));
      return;
    }
    std::string m = *mechanism;
    for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view module;
    if (m == "PLAIN") {
      module = kPlainModule;
    } else if (m == "SCRAM-SHA-256" || m == "SCRAM-SHA-512") {
      module = kScramModule;
    } else {
      error("sasl.mechanism", "expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got '{}'{}",
            *mechanism,
            m == "GSSAPI" || m == "OAUTHBEARER"
                ? " (not supported yet: it needs Java login modules)"
                : "");
      return;
    }
    out_.set("sasl.mechanism", m);
    if (jaas == nullptr) {
      error("sasl.jaas.config",
            "required with sasl.mechanism={}: {} required username=\"...\" "
            "password=\"...\";",
            m, module);
      return;
    }
    auto parsed = JaasParser(*jaas).parse();
    if (auto* why = std::get_if<std::string>(&parsed)) {
      error("sasl.jaas.config", "cannot parse the login module entry: {}", *why);
      return;
    }
    const JaasEntry& entry = std::get<JaasEntry>(parsed);
    if (entry.module != module) {
      error("sasl.jaas.config", "sasl.mechanism={} needs the login module {}, got {}", m, module,
            entry.module);
      return;
    }
    auto user = entry.options.find("username");
    auto password = entry.options.find("password");
    if (user == entry.options.end() || password == entry.options.end()) {
      error("sasl.jaas.config", "the login module entry needs both username and password");
      return;
    }
    for (const auto& [name, value] : entry.options) {
      if (name != "username" && name != "password") {
        warn("sasl.jaas.config", "ignoring login module option '{}'", name);
      }
    }
    out_.set("sasl.username", user->second);
    out_.set("sasl.password", password->second, true);
  }

  void translate_tls() {
    static constexpr std::string_view kTlsKeys[] = {"ssl.truststore.type",
                                                    "ssl.truststore.location",
                                                    "ssl.truststore.certificates",
                                                    "ssl.keystore.type",
                                                    "ssl.keystore.location",
                                                    "ssl.keystore.password",
                                                    "ssl.keystore.certificate.chain",
                                                    "ssl.keystore.key",
                                                    "ssl.key.password",
                                                    "ssl.endpoint.identification.algorithm"};
    if (!uses_tls()) {
      for (std::string_view key : kTlsKeys) {
        if (given(key) != nullptr) {
          warn(key, "has no effect unless security.protocol is SSL or SASL_SSL");
        }
      }
    }

    // Trusted certificates.
    const std::string* trust_type = given("ssl.truststore.type");
    std::string trust = trust_type == nullptr ? "" : lower(*trust_type);
    bool has_truststore = given("ssl.truststore.location") != nullptr ||
                          given("ssl.truststore.certificates") != nullptr;
    if (trust_type != nullptr && trust != "pem") {
      error("ssl.truststore.type",
            "only PEM is supported (librdkafka reads PEM files), got '{}'; convert the "
            "truststore to PEM",
            *trust_type);
    } else if (has_truststore && trust_type == nullptr) {
      error("ssl.truststore.type",
            "must be set to PEM: Java's default truststore type is JKS, which librdkafka cannot "
            "read");
    }
    if (const std::string* v = given("ssl.truststore.location")) out_.set("ssl.ca.location", *v);
    if (const std::string* v = given("ssl.truststore.certificates")) out_.set("ssl.ca.pem", *v);

    // Client certificate.
    const std::string* key_type = given("ssl.keystore.type");
    std::string store = key_type == nullptr ? "" : lower(*key_type);
    if (key_type != nullptr && store != "pem" && store != "pkcs12") {
      error("ssl.keystore.type", "expected PEM or PKCS12, got '{}'", *key_type);
      return;
    }
    const std::string* location = given("ssl.keystore.location");
    bool inline_pem =
        given("ssl.keystore.certificate.chain") != nullptr || given("ssl.keystore.key") != nullptr;
    if ((location != nullptr || inline_pem) && key_type == nullptr) {
      error("ssl.keystore.type",
            "must be set to PEM or PKCS12: Java's default keystore type is JKS, which librdkafka "
            "cannot read");
      return;
    }
    if (inline_pem && store != "pem") {
      error("ssl.keystore.type",
            "ssl.keystore.certificate.chain and ssl.keystore.key need ssl.keystore.type=PEM");
      return;
    }
    if (location != nullptr) {
      if (store == "pem") {
        out_.set("ssl.certificate.location", *location);
        out_.set("ssl.key.location", *location);
      } else {
        out_.set("ssl.keystore.location", *location);
      }
    }
    if (const std::string* v = given("ssl.keystore.password")) {
      if (store == "pkcs12") {
        out_.set("ssl.keystore.password", *v, true);
      } else {
        warn("ssl.keystore.password",
             "ignored: only PKCS12 keystores have a store password (use ssl.key.password for an "
             "encrypted PEM key)");
      }
    }
    if (const std::string* v = given("ssl.keystore.certificate.chain")) {
      out_.set("ssl.certificate.pem", *v);
    }
    if (const std::string* v = given("ssl.keystore.key")) out_.set("ssl.key.pem", *v, true);

    if (const std::string* v = given("ssl.endpoint.identification.algorithm")) {
      std::string l = lower(*v);
      if (l == "https") {
        out_.set("ssl.endpoint.identification.algorithm", "https");
      } else if (l.empty() || l == "none") {
        out_.set("ssl.endpoint.identification.algorithm", "none");
      } else {
        error("ssl.endpoint.identification.algorithm", "expected https, none or empty, got '{}'",
              *v);
      }
    }
  }

  std::map<std::string, std::string> in_;
  ProducerSettings out_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace

const std::vector<ProducerKeyRule>& producer_key_table() {
  static const std::vector<ProducerKeyRule> table = build_table();
  return table;
}

const ProducerKeyRule* find_producer_key_rule(std::string_view java_key) {
  static const std::unordered_map<std::string_view, const ProducerKeyRule*> exact = [] {
    std::unordered_map<std::string_view, const ProducerKeyRule*> m;
    for (const ProducerKeyRule& rule : producer_key_table()) {
      if (!is_family(rule.java_key)) m.emplace(rule.java_key, &rule);
    }
    return m;
  }();
  if (auto it = exact.find(java_key); it != exact.end()) return it->second;
  const ProducerKeyRule* best = nullptr;
  for (const ProducerKeyRule& rule : producer_key_table()) {
    if (is_family(rule.java_key) && java_key.starts_with(rule.java_key) &&
        (best == nullptr || rule.java_key.size() > best->java_key.size())) {
      best = &rule;
    }
  }
  return best;
}

std::string_view ProducerSettings::get(std::string_view name) const {
  for (const LibrdkafkaProperty& p : properties) {
    if (p.name == name) return p.value;
  }
  return {};
}

void ProducerSettings::set(std::string_view name, std::string_view value, bool secret) {
  for (LibrdkafkaProperty& p : properties) {
    if (p.name == name) {
      p.value = std::string(value);
      p.secret = secret;
      return;
    }
  }
  properties.push_back({std::string(name), std::string(value), secret});
}

std::string ProducerSettings::describe() const {
  std::string out;
  for (const LibrdkafkaProperty& p : properties) {
    out += fmt::format("{}={}\n", p.name, p.secret ? "******" : p.value);
  }
  return out;
}

Result<ProducerSettings> translate_producer_config(const std::map<std::string, std::string>& java) {
  return Translator(java).run();
}

std::string render_producer_key_table_markdown() {
  std::string out =
      "| Java producer key | Siphon | librdkafka | Notes |\n"
      "|---|---|---|---|\n";
  for (const ProducerKeyRule& rule : producer_key_table()) {
    std::string key =
        is_family(rule.java_key) ? std::string(rule.java_key) + "*" : std::string(rule.java_key);
    std::string_view handling;
    switch (rule.handling) {
      case KeyHandling::kTranslated:
        handling = "translated";
        break;
      case KeyHandling::kChecked:
        handling = "checked";
        break;
      case KeyHandling::kIgnored:
        handling = "warning, ignored";
        break;
      case KeyHandling::kRejected:
        handling = "error";
        break;
    }
    std::string native;
    if (!rule.librdkafka.empty()) {
      std::string_view rest = rule.librdkafka;
      // "a, b / c": each property name in backticks, separators kept.
      size_t i = 0;
      while (i < rest.size()) {
        size_t j = rest.find_first_of(", /", i);
        if (j == i) {
          native.push_back(rest[i++]);
          continue;
        }
        native += fmt::format("`{}`", rest.substr(i, j == std::string_view::npos ? j : j - i));
        if (j == std::string_view::npos) break;
        i = j;
      }
    }
    std::string note(rule.note);
    if (rule.kind == ValueKind::kInt) {
      note += fmt::format("{}Range: {} to {}.", note.empty() ? "" : " ", rule.min, rule.max);
    } else if (rule.kind == ValueKind::kEnum) {
      std::vector<std::string> values;
      for (std::string_view v : rule.allowed) values.push_back(fmt::format("`{}`", v));
      note += fmt::format("{}Values: {}.", note.empty() ? "" : " ", fmt::join(values, ", "));
    } else if (rule.kind == ValueKind::kBool) {
      note += fmt::format("{}Values: `true`, `false`.", note.empty() ? "" : " ");
    }
    out += fmt::format("| `{}` | {} | {} | {} |\n", key, handling, native, note);
  }
  return out;
}

}  // namespace siphon::sink
