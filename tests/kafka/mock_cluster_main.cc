// siphon-kafka-mock-cluster: hosts a librdkafka mock cluster (the real Kafka protocol, brokers on
// random loopback ports) in a process of its own, so end-to-end tests can run Siphon as a child
// process, kill it, and still read what reached "Kafka". The cluster lives in memory and dies
// with this process.
//
//   siphon-kafka-mock-cluster [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION]]...
//                             [--bootstrap-file PATH] [--until-signal]
//
// It prints "bootstrap HOST:PORT,..." on stdout, then answers commands read from stdin, one per
// line, with one line: "ok", "ok <value>" or "error <message>". It exits when stdin ends (so it
// never outlives the test that drives it), on "quit", or, with --until-signal, only on
// SIGINT/SIGTERM (for use by hand: `siphon-kafka-mock-cluster --topic cdc:3 --until-signal`).
//
// Commands (broker ids are 1..N; "all" means every broker):
//   ping                                   ok
//   bootstrap                              ok <bootstrap servers>
//   topic <name> <partitions> [<replicas>] create a topic (the Admin API is not served)
//   down <broker|all> / up <broker|all>    disconnect a broker and refuse connections / undo
//   leader <topic> <partition> <broker>    move a partition's leader
//   rtt <broker|all> <ms>                  delay every response of a broker
//   errors <api> <error>...                the next requests of <api> fail with these errors
//   clear-errors <api>                     forget errors pushed for <api>
//   topic-error <topic> <error>            metadata reports <error> for the topic
//   quit                                   ok, then exit 0
// <api> is a Kafka ApiKey number or name (produce, fetch, metadata, ...); <error> is a librdkafka
// error name as rd_kafka_err2name() spells it (NOT_LEADER_FOR_PARTITION, MSG_SIZE_TOO_LARGE, ...)
// or a number.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Kafka protocol ApiKeys by name (the ones a producer-side test would fault).
std::optional<int16_t> api_key(const std::string& s) {
  static const std::pair<const char*, int16_t> kNames[] = {
      {"PRODUCE", 0},          {"FETCH", 1},
      {"LISTOFFSETS", 2},      {"METADATA", 3},
      {"OFFSETCOMMIT", 8},     {"OFFSETFETCH", 9},
      {"FINDCOORDINATOR", 10}, {"JOINGROUP", 11},
      {"HEARTBEAT", 12},       {"LEAVEGROUP", 13},
      {"SYNCGROUP", 14},       {"APIVERSIONS", 18},
      {"INITPRODUCERID", 22},  {"ADDPARTITIONSTOTXN", 24},
      {"ENDTXN", 26}};
  if (auto n = to_int(s)) return static_cast<int16_t>(*n);
  std::string u = upper(s);
  for (const auto& [name, key] : kNames) {
    if (u == name) return key;
  }
  return std::nullopt;
}

// librdkafka error by name: "NOT_LEADER_FOR_PARTITION", "RD_KAFKA_RESP_ERR_..." or "_TRANSPORT".
std::optional<rd_kafka_resp_err_t> error_code(const std::string& s) {
  if (auto n = to_int(s)) return static_cast<rd_kafka_resp_err_t>(*n);
  std::string u = upper(s);
  const std::string prefix = "RD_KAFKA_RESP_ERR_";
  if (u.rfind(prefix, 0) == 0) u = u.substr(prefix.size());
  const rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name != nullptr && u == descs[i].name) return descs[i].code;
  }
  return std::nullopt;
}

class Host {
 public:
  Host(rd_kafka_mock_cluster_t* cluster, int brokers) : cluster_(cluster), brokers_(brokers) {}

  // One reply line for one command line; sets `quit` on "quit".
  std::string handle(const std::string& line, bool& quit) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string word; in >> word;) w.push_back(word);
    if (w.empty()) return "error empty command";
    const std::string& cmd = w[0];
    if (cmd == "ping" && w.size() == 1) return "ok";
    if (cmd == "quit" && w.size() == 1) {
      quit = true;
      return "ok";
    }
    if (cmd == "bootstrap" && w.size() == 1) {
      return std::string("ok ") + rd_kafka_mock_cluster_bootstraps(cluster_);
    }
    if (cmd == "topic" && (w.size() == 3 || w.size() == 4)) {
      auto partitions = to_int(w[2]);
      auto replicas = w.size() == 4 ? to_int(w[3]) : std::optional<int>(1);
      if (!partitions || !replicas) return "error usage: topic <name> <partitions> [<replicas>]";
      return reply(rd_kafka_mock_topic_create(cluster_, w[1].c_str(), *partitions, *replicas));
    }
    if ((cmd == "down" || cmd == "up") && w.size() == 2) {
      return for_brokers(w[1], [&](int32_t id) {
        return cmd == "down" ? rd_kafka_mock_broker_set_down(cluster_, id)
                             : rd_kafka_mock_broker_set_up(cluster_, id);
      });
    }
    if (cmd == "rtt" && w.size() == 3) {
      auto ms = to_int(w[2]);
      if (!ms) return "error usage: rtt <broker|all> <ms>";
      return for_brokers(
          w[1], [&](int32_t id) { return rd_kafka_mock_broker_set_rtt(cluster_, id, *ms); });
    }
    if (cmd == "leader" && w.size() == 4) {
      auto partition = to_int(w[2]);
      auto broker = to_int(w[3]);
      if (!partition || !broker) return "error usage: leader <topic> <partition> <broker>";
      return reply(rd_kafka_mock_partition_set_leader(cluster_, w[1].c_str(), *partition, *broker));
    }
    if (cmd == "errors" && w.size() >= 3) {
      auto api = api_key(w[1]);
      if (!api) return "error unknown api '" + w[1] + "'";
      std::vector<rd_kafka_resp_err_t> errors;
      for (size_t i = 2; i < w.size(); ++i) {
        auto e = error_code(w[i]);
        if (!e) return "error unknown error '" + w[i] + "'";
        errors.push_back(*e);
      }
      rd_kafka_mock_push_request_errors_array(cluster_, *api, errors.size(), errors.data());
      return "ok";
    }
    if (cmd == "clear-errors" && w.size() == 2) {
      auto api = api_key(w[1]);
      if (!api) return "error unknown api '" + w[1] + "'";
      rd_kafka_mock_clear_request_errors(cluster_, *api);
      return "ok";
    }
    if (cmd == "topic-error" && w.size() == 3) {
      auto e = error_code(w[2]);
      if (!e) return "error unknown error '" + w[2] + "'";
      rd_kafka_mock_topic_set_error(cluster_, w[1].c_str(), *e);
      return "ok";
    }
    return "error unknown command or wrong arguments: " + line;
  }

 private:
  static std::string reply(rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return "ok";
    return std::string("error ") + rd_kafka_err2name(err) + ": " + rd_kafka_err2str(err);
  }

  template <typename F>
  std::string for_brokers(const std::string& which, F f) {
    if (which == "all") {
      for (int32_t id = 1; id <= brokers_; ++id) {
        if (auto r = reply(f(id)); r != "ok") return r;
      }
      return "ok";
    }
    auto id = to_int(which);
    if (!id || *id < 1 || *id > brokers_) return "error no broker '" + which + "'";
    return reply(f(*id));
  }

  rd_kafka_mock_cluster_t* cluster_;
  int brokers_;
};

int usage() {
  std::cerr
      << "usage: siphon-kafka-mock-cluster [--brokers N] [--topic NAME:PARTITIONS[:REPLICAS]]..."
         " [--bootstrap-file PATH] [--until-signal]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<std::string> topics;
  std::string bootstrap_file;
  bool until_signal = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      auto n = to_int(argv[++i]);
      if (!n || *n < 1) return usage();
      brokers = *n;
    } else if (arg == "--topic" && i + 1 < argc) {
      topics.emplace_back(argv[++i]);
    } else if (arg == "--bootstrap-file" && i + 1 < argc) {
      bootstrap_file = argv[++i];
    } else if (arg == "--until-signal") {
      until_signal = true;
    } else {
      return usage();
    }
  }

  // Taken by sigwait() with --until-signal; blocked before librdkafka starts its threads so
  // none of them receives the signal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (until_signal) pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host client never connects; its notice that it has no bootstrap.servers is noise.
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (host == nullptr) {
    std::cerr << "cannot create the host client: " << errstr << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, brokers);
  if (cluster == nullptr) {
    std::cerr << "rd_kafka_mock_cluster_new failed\n";
    rd_kafka_destroy(host);
    return 1;
  }
  Host commands(cluster, brokers);
  int status = 0;
  for (const std::string& spec : topics) {
    // NAME:PARTITIONS[:REPLICAS] -> the "topic" command.
    std::string line = "topic " + spec;
    std::replace(line.begin(), line.end(), ':', ' ');
    bool quit = false;
    std::string r = commands.handle(line, quit);
    if (r != "ok") {
      std::cerr << "--topic " << spec << ": " << r << "\n";
      status = 2;
    }
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  if (status == 0) {
    if (!bootstrap_file.empty()) std::ofstream(bootstrap_file) << bootstrap << "\n";
    std::cout << "bootstrap " << bootstrap << std::endl;
    if (until_signal) {
      int sig = 0;
      sigwait(&signals, &sig);
    } else {
      bool quit = false;
      for (std::string line; !quit && std::getline(std::cin, line);) {
        std::cout << commands.handle(line, quit) << std::endl;
      }
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
  return status;
}
