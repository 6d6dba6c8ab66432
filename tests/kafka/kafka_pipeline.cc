#include "kafka/kafka_pipeline.h"

#include <fstream>

#include <gtest/gtest.h>

#include "offset/kafka_offset_store.h"

namespace siphon::testing {

void use_kafka(SiphonHarnessBase& h, const std::string& bootstrap,
               const std::string& offsets_topic) {
  h.props.erase("debezium.sink.file.dir");
  h.props["debezium.sink.type"] = "kafka";
  h.props["debezium.sink.kafka.producer.bootstrap.servers"] = bootstrap;
  h.props["debezium.sink.kafka.producer.key.serializer"] =
      "org.apache.kafka.common.serialization.StringSerializer";
  h.props["debezium.sink.kafka.producer.value.serializer"] =
      "org.apache.kafka.common.serialization.StringSerializer";
  if (!offsets_topic.empty()) {
    h.props.erase("debezium.source.offset.storage.file.filename");
    h.props["debezium.source.offset.storage"] =
        "org.apache.kafka.connect.storage.KafkaOffsetBackingStore";
    h.props["debezium.source.offset.storage.topic"] = offsets_topic;
    h.props["debezium.source.offset.storage.partitions"] = "1";
    h.props["debezium.source.offset.storage.replication.factor"] = "1";
  }
}

std::string sink_line(const ConsumedRecord& record) {
  std::string line =
      "{\"key\":" + record.key.value_or("null") + ",\"value\":" + record.value.value_or("null");
  if (!record.headers.empty()) {
    line += ",\"headers\":{";
    for (size_t i = 0; i < record.headers.size(); ++i) {
      if (i > 0) line += ",";
      line += nlohmann::json(record.headers[i].first).dump() + ":" + record.headers[i].second;
    }
    line += "}";
  }
  return line + "}";
}

size_t dump_topic(const std::string& bootstrap, const std::string& topic,
                  const std::filesystem::path& dir, size_t at_least) {
  std::filesystem::create_directories(dir);
  std::vector<ConsumedRecord> records = read_topic(bootstrap, topic, at_least);
  // The mock cluster drops the oldest records of a partition past a few MiB; a test that lost
  // records that way would report them missing, so say what happened instead.
  for (size_t i = 0; i < records.size(); ++i) {
    if (i == 0 || records[i].partition != records[i - 1].partition) {
      EXPECT_EQ(records[i].offset, 0)
          << topic << " partition " << records[i].partition
          << " does not start at offset 0: the mock cluster truncated it; make the test's "
             "records smaller or fewer";
    }
  }
  std::ofstream out(dir / (topic + ".jsonl"), std::ios::trunc);
  for (const ConsumedRecord& r : records) out << sink_line(r) << "\n";
  return records.size();
}

size_t count_records(const std::string& bootstrap, const std::string& topic) {
  return read_topic(bootstrap, topic, 0, std::chrono::seconds(10)).size();
}

std::optional<nlohmann::json> kafka_stored_offset(const SiphonHarnessBase& h,
                                                  const std::string& bootstrap,
                                                  const std::string& offsets_topic) {
  offset::KafkaOffsetStoreOptions o;
  o.client = {{"bootstrap.servers", bootstrap, false}};
  o.topic = offsets_topic;
  o.connector_name = h.props.count("debezium.source.name") != 0 ? h.props.at("debezium.source.name")
                                                                : std::string("siphon");
  o.server_name = h.prefix();
  o.timeout = std::chrono::seconds(20);
  auto loaded = offset::KafkaOffsetStore(o).load();
  EXPECT_TRUE(loaded) << loaded.error().message;
  return loaded ? *loaded : std::nullopt;
}

}  // namespace siphon::testing
