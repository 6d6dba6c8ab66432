#include "sink/kafka_client.h"

#include <librdkafka/rdkafka.h>

namespace siphon::sink {

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

}  // namespace siphon::sink
