#include "kafka/topic_reader.h"

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

namespace siphon::testing {
namespace {

using Clock = std::chrono::steady_clock;

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    ADD_FAILURE() << name << ": " << errstr;
  }
}

// The partition count, once the cluster answers.
int partition_count(rd_kafka_t* rk, const std::string& topic, Clock::time_point deadline) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int count = 0;
  while (count == 0 && Clock::now() < deadline) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, t, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        count = md->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
    }
  }
  rd_kafka_topic_destroy(t);
  return count;
}

}  // namespace

std::vector<ConsumedRecord> read_topic(const std::string& bootstrap, const std::string& topic,
                                       size_t at_least, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "siphon-test-reader");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.partition.eof", "true");
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << "consumer: " << errstr;
    return {};
  }
  rd_kafka_poll_set_consumer(rk);

  std::vector<ConsumedRecord> out;
  int partitions = partition_count(rk, topic, deadline);
  if (partitions == 0) {
    ADD_FAILURE() << "topic " << topic << " has no metadata";
  } else {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);

    std::set<int32_t> at_end;
    while (Clock::now() < deadline &&
           (out.size() < at_least || static_cast<int>(at_end.size()) < partitions)) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_end.insert(m->partition);
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // Transient while brokers move; the loop keeps reading.
      } else {
        at_end.erase(m->partition);
        ConsumedRecord r;
        r.partition = m->partition;
        r.offset = m->offset;
        if (m->key != nullptr) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
        if (m->payload != nullptr) {
          r.value = std::string(static_cast<const char*>(m->payload), m->len);
        }
        rd_kafka_headers_t* headers = nullptr;
        if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name = nullptr;
          const void* value = nullptr;
          size_t size = 0;
          for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                             RD_KAFKA_RESP_ERR_NO_ERROR;
               ++i) {
            r.headers.emplace_back(name, value == nullptr
                                             ? std::string()
                                             : std::string(static_cast<const char*>(value), size));
          }
        }
        out.push_back(std::move(r));
      }
      rd_kafka_message_destroy(m);
    }
    if (out.size() < at_least || static_cast<int>(at_end.size()) < partitions) {
      ADD_FAILURE() << "reading " << topic << ": got " << out.size() << " records (wanted at least "
                    << at_least << "), " << at_end.size() << " of " << partitions
                    << " partitions read to the end";
    }
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  std::stable_sort(out.begin(), out.end(), [](const ConsumedRecord& a, const ConsumedRecord& b) {
    return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
  });
  return out;
}

}  // namespace siphon::testing
