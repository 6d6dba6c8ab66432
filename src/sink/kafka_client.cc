#include "sink/kafka_client.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>

namespace siphon::sink {
namespace {

// Outcome of the one record produce_and_wait waits for, filled by the delivery report callback.
struct Delivery {
  std::atomic<bool> done{false};
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* /*opaque*/) {
  auto* d = static_cast<Delivery*>(m->_private);
  d->err = m->err;
  d->done = true;
}

}  // namespace

Status apply_properties(rd_kafka_conf_s* conf, const std::vector<LibrdkafkaProperty>& properties,
                        std::string_view client) {
  char errstr[512];
  for (const LibrdkafkaProperty& p : properties) {
    if (rd_kafka_conf_set(conf, p.name.c_str(), p.value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      return make_error(ErrorKind::kConfig, "{} property {}: {}", client, p.name,
                        p.secret ? "invalid value" : errstr);
    }
  }
  return ok();
}

int produce_copy(rd_kafka_s* rk, const std::string& topic, const std::optional<std::string>& key,
                 const std::optional<std::string>& value, void* opaque,
                 std::optional<int32_t> partition) {
  rd_kafka_vu_t vu[6];
  vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[0].u.cstr = topic.c_str();
  vu[1].vtype = RD_KAFKA_VTYPE_KEY;
  vu[1].u.mem.ptr = key ? const_cast<char*>(key->data()) : nullptr;
  vu[1].u.mem.size = key ? key->size() : 0;
  vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[2].u.mem.ptr = value ? const_cast<char*>(value->data()) : nullptr;
  vu[2].u.mem.size = value ? value->size() : 0;
  vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[3].u.i = RD_KAFKA_MSG_F_COPY;
  vu[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[4].u.ptr = opaque;
  size_t count = 5;
  if (partition) {
    vu[5].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[5].u.i32 = *partition;
    count = 6;
  }
  rd_kafka_error_t* error = rd_kafka_produceva(rk, vu, count);
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

Result<rd_kafka_s*> create_state_producer(const std::vector<LibrdkafkaProperty>& properties,
                                          std::string_view client,
                                          std::chrono::milliseconds timeout) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (auto s = apply_properties(conf, properties, client); !s) {
    rd_kafka_conf_destroy(conf);
    return tl::unexpected(s.error());
  }
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"enable.idempotence", "true"},
           {"acks", "all"},
           // Java's default partitioner: murmur2 of the key bytes, as Kafka Connect's producer.
           {"partitioner", "murmur2_random"},
           {"message.timeout.ms", std::to_string(timeout.count())},
           {"linger.ms", "0"}}) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return make_error(ErrorKind::kFatal, "{} producer: {}", client, errstr);
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(ErrorKind::kConfig, "{}: {}", client, errstr);
  }
  return producer;
}

Status produce_and_wait(rd_kafka_s* producer, const std::string& topic,
                        const std::optional<std::string>& key,
                        const std::optional<std::string>& value, std::string_view what,
                        std::optional<int32_t> partition) {
  Delivery delivery;
  auto err = static_cast<rd_kafka_resp_err_t>(
      produce_copy(producer, topic, key, value, &delivery, partition));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kRetryable, "cannot {} in topic {}: {}", what, topic,
                      rd_kafka_err2str(err));
  }
  // message.timeout.ms bounds the wait: the report always comes.
  while (!delivery.done) rd_kafka_poll(producer, 100);
  if (delivery.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kRetryable, "cannot {} in topic {}: {}", what, topic,
                      rd_kafka_err2str(delivery.err));
  }
  return ok();
}

Result<KafkaReader> create_reader(const std::vector<LibrdkafkaProperty>& properties,
                                  std::string_view client, const std::string& group) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (auto s = apply_properties(conf, properties, client); !s) {
    rd_kafka_conf_destroy(conf);
    return tl::unexpected(s.error());
  }
  // No consumer group use: topics are read by assignment, nothing is committed.
  rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(ErrorKind::kConfig, "{}: {}", client, errstr);
  }
  return KafkaReader(rk, [](rd_kafka_t* k) {
    rd_kafka_consumer_close(k);
    rd_kafka_destroy(k);
  });
}

}  // namespace siphon::sink
