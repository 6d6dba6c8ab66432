#include "sink/kafka_sink.h"

#include <cstdint>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include "core/failpoint.h"
#include "core/log.h"
#include "sink/kafka_client.h"
#include "sink/murmur2.h"

namespace siphon::sink {
namespace {

using Clock = std::chrono::steady_clock;

// After purging, librdkafka reports every purged record at once; this only bounds a wait that
// should never be needed.
constexpr auto kWithdrawTimeout = std::chrono::seconds(30);

enum class FailureClass {
  kRequeue,    // our own purge or a fatal producer error: produce again with a new producer
  kRetryable,  // the user's finite timeout or retry count ran out: restart from the offset
  kPermanent,  // Kafka will never accept this record as it is
};

FailureClass classify(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
      return FailureClass::kRequeue;
    // Only reachable with a finite delivery.timeout.ms or retries: librdkafka retries these
    // forever otherwise.
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    // Idempotent-producer bookkeeping errors that librdkafka did not recover from by itself;
    // sending again from the stored offset is safe.
    case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
      return FailureClass::kRetryable;
    default:
      // Record too large, authorization failures, unknown topic or partition (metadata says it
      // does not exist), invalid or corrupt record, policy violations.
      return FailureClass::kPermanent;
  }
}

std::string error_text(int err) {
  auto e = static_cast<rd_kafka_resp_err_t>(err);
  return fmt::format("{} ({})", rd_kafka_err2name(e), rd_kafka_err2str(e));
}

void on_log(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* message) {
  std::string_view fac = facility;
  // Broker connection failures ("FAIL") and fatal errors ("FATAL") also reach on_error and
  // write(), which log them with context and without repeating them on every reconnect.
  if (fac == "FAIL" || fac == "FATAL") {
    log::debug("librdkafka {}: {}", facility, message);
    return;
  }
  // syslog levels: 0-3 errors, 4 warnings, 5 notices (e.g. configuration remarks), 6-7 chatter.
  if (level <= 3) {
    log::error("librdkafka {}: {}", facility, message);
  } else if (level == 4) {
    log::warn("librdkafka {}: {}", facility, message);
  } else if (level == 5) {
    log::info("librdkafka {}: {}", facility, message);
  } else {
    log::debug("librdkafka {}: {}", facility, message);
  }
}

}  // namespace

KafkaSink::KafkaSink(KafkaSinkOptions options) : options_(std::move(options)) {}

KafkaSink::~KafkaSink() {
  close();
}

Status KafkaSink::open() {
  if (producer_ != nullptr) return ok();
  return create_producer();
}

void KafkaSink::close() {
  destroy_producer();
}

Status KafkaSink::create_producer() {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (auto s = apply_properties(conf, options_.producer.properties, "Kafka producer"); !s) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &KafkaSink::on_error);
  rd_kafka_conf_set_log_cb(conf, &on_log);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes it only on success
    return make_error(ErrorKind::kConfig, "cannot create the Kafka producer: {}", errstr);
  }
  producer_ = rk;
  ++producers_created_;
  return ok();
}

void KafkaSink::destroy_producer() {
  if (producer_ == nullptr) return;
  // Reports still queued in the old producer must not touch the batch: on_delivery ignores
  // every producer but producer_.
  rd_kafka_t* old = producer_;
  producer_ = nullptr;
  rd_kafka_destroy(old);
}

bool KafkaSink::fatal_error(std::string* reason) const {
  if (producer_ == nullptr) return false;
  char buf[512];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(producer_, buf, sizeof buf);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  if (reason != nullptr) *reason = fmt::format("{}: {}", rd_kafka_err2name(err), buf);
  return true;
}

Status KafkaSink::write(std::vector<SinkRecord>& batch, const AckFn& ack) {
  delaypoint("sink.write");
  if (batch.empty()) return ok();
  if (producer_ == nullptr) {
    if (auto s = create_producer(); !s) return s;
  }
  if (auto s = ensure_topics(batch); !s) return s;
  BatchState st;
  st.records = &batch;
  st.ack = &ack;
  st.states.assign(batch.size(), RecordState::kUnsent);
  current_ = &st;

  int fatal_in_a_row = 0;
  size_t delivered_at_last_fatal = 0;
  Status status = ok();
  while (!st.permanent && !interrupted_) {
    std::string reason;
    if (fatal_error(&reason)) {
      fatal_in_a_row = st.delivered > delivered_at_last_fatal ? 1 : fatal_in_a_row + 1;
      delivered_at_last_fatal = st.delivered;
      withdraw(st);
      destroy_producer();
      if (fatal_in_a_row > options_.max_producer_recreations) {
        status = make_error(ErrorKind::kFatal,
                            "the Kafka producer failed {} times in a row without delivering a "
                            "record; last error: {}",
                            fatal_in_a_row, reason);
        break;
      }
      log::error(
          "Kafka producer fatal error: {}; creating a new producer and producing the {} "
          "unacknowledged records of the batch again, in order",
          reason, batch.size() - st.delivered);
      if (auto s = create_producer(); !s) {
        status = s;
        break;
      }
    }
    produce_unsent(st);
    if (options_.after_produce_for_testing) options_.after_produce_for_testing(producer_);
    wait_for_reports(st);
    if (!fatal_error(nullptr)) break;
  }
  // No delivery report may refer to the batch once write() returns.
  withdraw(st);
  current_ = nullptr;
  if (!status) return status;
  return result_of(st);
}

Status KafkaSink::ensure_topics(const std::vector<SinkRecord>& batch) {
  if (!options_.topic_creation) return ok();
  for (const SinkRecord& rec : batch) {
    const std::string& topic = rec.record.topic;
    if (ensured_topics_.count(topic) != 0) continue;
    if (!create_topics_served_) {
      ensured_topics_.insert(topic);
      continue;
    }
    NewTopicSpec spec = options_.topic_creation->spec_for(topic);
    auto created = create_topic(producer_, spec, options_.topic_creation_timeout);
    if (!created) return tl::unexpected(created.error());
    switch (created->outcome) {
      case TopicCreation::kCreated:
        log::info("created topic {} (group {}, {} partitions, replication factor {})", topic,
                  options_.topic_creation->group_for(topic), spec.partitions,
                  spec.replication_factor);
        break;
      case TopicCreation::kAlreadyExisted:
        break;
      case TopicCreation::kNotServed:
        // Asked once: a cluster without a controller or the Admin API will not start serving
        // it for the next topic, and each attempt costs the full timeout.
        create_topics_served_ = false;
        log::warn(
            "the Kafka cluster did not serve CreateTopics ({}); topics are left to the brokers' "
            "auto.create.topics.enable and topic.creation settings are not applied",
            created->detail);
        break;
    }
    ensured_topics_.insert(topic);
  }
  return ok();
}

void KafkaSink::produce_unsent(BatchState& st) {
  std::vector<SinkRecord>& records = *st.records;
  for (size_t i = 0; i < records.size(); ++i) {
    if (st.states[i] != RecordState::kUnsent) continue;
    const format::SerializedRecord& rec = records[i].record;
    while (true) {
      if (st.permanent || interrupted_ || fatal_error(nullptr)) return;
      rd_kafka_headers_t* headers = nullptr;
      if (!rec.headers.empty()) {
        headers = rd_kafka_headers_new(rec.headers.size());
        for (const event::Header& h : rec.headers) {
          rd_kafka_header_add(headers, h.name.data(), static_cast<ssize_t>(h.name.size()),
                              h.json_value.data(), static_cast<ssize_t>(h.json_value.size()));
        }
      }
      rd_kafka_vu_t vu[6];
      size_t n = 0;
      vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
      vu[n++].u.cstr = rec.topic.c_str();
      // A null key stays null (librdkafka then spreads records as Java does); an empty key is
      // hashed like any other, as Java hashes a zero-length byte array.
      vu[n].vtype = RD_KAFKA_VTYPE_KEY;
      vu[n].u.mem.ptr = rec.key ? const_cast<char*>(rec.key->data()) : nullptr;
      vu[n++].u.mem.size = rec.key ? rec.key->size() : 0;
      // No copy of the value: write() outlives every report of the batch (withdraw()).
      vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
      vu[n].u.mem.ptr = rec.value ? const_cast<char*>(rec.value->data()) : nullptr;
      vu[n++].u.mem.size = rec.value ? rec.value->size() : 0;
      vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
      vu[n++].u.i = 0;
      vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
      vu[n++].u.ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(i + 1));
      if (headers != nullptr) {
        vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
        vu[n++].u.headers = headers;
      }
      rd_kafka_error_t* error = rd_kafka_produceva(producer_, vu, n);
      if (error == nullptr) {
        st.states[i] = RecordState::kInFlight;
        ++st.in_flight;
        break;
      }
      rd_kafka_resp_err_t err = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
      if (headers != nullptr) rd_kafka_headers_destroy(headers);  // still ours on failure
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        // librdkafka's own queue is full (a very large batch): serve reports, then retry.
        rd_kafka_poll(producer_, static_cast<int>(options_.poll_interval.count()));
        continue;
      }
      if (err == RD_KAFKA_RESP_ERR__FATAL) return;  // write() recreates the producer
      // Refused before sending (e.g. larger than max.request.size, unknown topic): records
      // before it are still delivered and acknowledged, the ones after it are not produced.
      st.states[i] = RecordState::kFailed;
      st.permanent = Failure{i, -1, err, "refused before sending", false};
      return;
    }
  }
}

void KafkaSink::wait_for_reports(BatchState& st) {
  size_t seen = st.delivered;
  auto last_change = Clock::now();
  auto waiting_since = last_change;
  while (st.in_flight > 0) {
    if (interrupted_ || fatal_error(nullptr)) return;
    if (st.permanent && st.permanent->from_report) {
      // A record failed for good: withdraw the ones not sent yet so that no later change of
      // its key reaches Kafka before it does (after the operator's fix and a restart).
      withdraw(st);
      return;
    }
    rd_kafka_poll(producer_, static_cast<int>(options_.poll_interval.count()));
    auto now = Clock::now();
    if (st.delivered != seen) {
      seen = st.delivered;
      last_change = now;
    } else if (now - last_change >= options_.stall_log_interval) {
      last_change = now;
      log::warn(
          "Kafka sink: {} of {} records of the batch are still waiting for delivery "
          "after {} s",
          st.in_flight, st.records->size(),
          std::chrono::duration_cast<std::chrono::seconds>(now - waiting_since).count());
    }
  }
}

void KafkaSink::withdraw(BatchState& st) {
  if (st.in_flight == 0 || producer_ == nullptr) return;
  rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  auto deadline = Clock::now() + kWithdrawTimeout;
  while (st.in_flight > 0 && Clock::now() < deadline) rd_kafka_poll(producer_, 100);
  if (st.in_flight > 0) {
    log::error("Kafka sink: {} purged records were never reported; destroying the producer",
               st.in_flight);
    destroy_producer();
    for (RecordState& s : st.states) {
      if (s == RecordState::kInFlight) s = RecordState::kUnsent;
    }
    st.in_flight = 0;
  }
}

std::string KafkaSink::describe_partition(const SinkRecord& rec, int32_t partition, int err) {
  if (partition >= 0) return std::to_string(partition);
  if (!rec.record.key) return "unassigned (null key)";
  auto e = static_cast<rd_kafka_resp_err_t>(err);
  if (producer_ == nullptr || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
      e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return "unassigned";
  }
  // Refused before partitioning: name the partition the key maps to, as librdkafka would have.
  std::string out = "unassigned";
  rd_kafka_topic_t* topic = rd_kafka_topic_new(producer_, rec.record.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (topic != nullptr && rd_kafka_metadata(producer_, 0, topic, &md, 2000) == 0) {
    if (md->topic_cnt == 1 && md->topics[0].err == 0 && md->topics[0].partition_cnt > 0) {
      out = fmt::format("{} (by key)",
                        partition_for_key(*rec.record.key, md->topics[0].partition_cnt));
    }
    rd_kafka_metadata_destroy(md);
  }
  if (topic != nullptr) rd_kafka_topic_destroy(topic);
  return out;
}

Status KafkaSink::result_of(const BatchState& st) {
  const std::vector<SinkRecord>& records = *st.records;
  size_t unacknowledged = records.size() - st.delivered;
  if (st.permanent) {
    const Failure& f = *st.permanent;
    const SinkRecord& rec = records[f.index];
    return make_error(ErrorKind::kFatal,
                      "Kafka sink: the record for topic '{}' partition {} failed permanently ({}): "
                      "{}. It and {} other records of the batch are not acknowledged, so the "
                      "stored offset stays before them",
                      rec.record.topic, describe_partition(rec, f.partition, f.err), f.detail,
                      error_text(f.err), unacknowledged - 1);
  }
  if (st.retryable) {
    const Failure& f = *st.retryable;
    const SinkRecord& rec = records[f.index];
    return make_error(ErrorKind::kRetryable,
                      "Kafka sink: delivery to topic '{}' partition {} failed: {} (the "
                      "configured delivery.timeout.ms or retries ran out); {} records of the "
                      "batch are not acknowledged",
                      rec.record.topic, describe_partition(rec, f.partition, f.err),
                      error_text(f.err), unacknowledged);
  }
  if (unacknowledged > 0) {
    return make_error(ErrorKind::kRetryable,
                      "Kafka sink: interrupted while waiting for Kafka; {} records of the batch "
                      "are not acknowledged",
                      unacknowledged);
  }
  return ok();
}

void KafkaSink::on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
  static_cast<KafkaSink*>(opaque)->delivered(rk, message);
}

void KafkaSink::delivered(rd_kafka_t* rk, const rd_kafka_message_t* m) {
  if (rk != producer_ || current_ == nullptr) return;  // a report from a destroyed producer
  BatchState& st = *current_;
  auto index = reinterpret_cast<uintptr_t>(m->_private);
  if (index == 0 || index > st.states.size()) return;
  size_t i = index - 1;
  if (st.states[i] != RecordState::kInFlight) return;
  --st.in_flight;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    st.states[i] = RecordState::kDelivered;
    ++st.delivered;
    failpoint("sink.before_ack");
    (*st.ack)((*st.records)[i].sequence);
    return;
  }
  switch (classify(m->err)) {
    case FailureClass::kRequeue:
      st.states[i] = RecordState::kUnsent;
      return;
    case FailureClass::kRetryable:
      st.states[i] = RecordState::kFailed;
      if (!st.retryable || i < st.retryable->index) {
        st.retryable = Failure{i, m->partition, m->err, "", true};
      }
      return;
    case FailureClass::kPermanent:
      st.states[i] = RecordState::kFailed;
      if (!st.permanent || i < st.permanent->index) {
        st.permanent = Failure{i, m->partition, m->err, "delivery report", true};
      }
      return;
  }
}

void KafkaSink::on_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  // write() logs a fatal error when it replaces the producer.
  if (err == RD_KAFKA_RESP_ERR__FATAL) return;
  // An outage repeats the same error on every reconnect attempt; once per interval is enough.
  auto now = Clock::now();
  auto [it, first] = self->last_error_log_.try_emplace(err, now);
  if (!first && now - it->second < self->options_.stall_log_interval) return;
  it->second = now;
  log::warn("Kafka producer: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
            reason);
}

}  // namespace siphon::sink
