// siphon-workload: runs the crash-test write workload from scripts and demos.
//
//   siphon-workload (--conninfo C | --mariadb HOST:PORT [--gtid-domains 0,1]) --log FILE
//                   [--rolled-back FILE] [--seconds N] [--transactions N] [--rate R] [--seed S]
//                   [--create] [--tables a,b] [--rows N] [--rollback-fraction F]
//                   [--max-changes N]
//
// --conninfo runs it on PostgreSQL, --mariadb on MariaDB as root (tables "db.table").
// Runs until --seconds or --transactions is reached, or until SIGINT/SIGTERM (with neither limit
// it runs until signalled); both end it cleanly with complete logs. The rolled-back log defaults
// to FILE.rolled-back. Prints a summary line to stderr.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "support/workload.h"

namespace {

using siphon::testing::Workload;
using siphon::testing::WorkloadLimits;
using siphon::testing::WorkloadOptions;

[[noreturn]] void usage(std::string_view problem) {
  fmt::print(stderr,
             "siphon-workload: {}\n"
             "usage: siphon-workload (--conninfo C | --mariadb HOST:PORT [--gtid-domains 0,1])\n"
             "         --log FILE [--rolled-back FILE] [--seconds N] [--transactions N]\n"
             "         [--rate R] [--seed S] [--create] [--tables a,b] [--rows N]\n"
             "         [--rollback-fraction F] [--max-changes N]\n",
             problem);
  std::exit(2);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (true) {
    size_t at = text.find(separator);
    if (!text.substr(0, at).empty()) parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

template <typename T>
T number(std::string_view flag, const std::string& text) {
  try {
    size_t used = 0;
    T value;
    if constexpr (std::is_floating_point_v<T>) {
      value = static_cast<T>(std::stod(text, &used));
    } else {
      value = static_cast<T>(std::stoull(text, &used));
    }
    if (used != text.size()) throw std::invalid_argument(text);
    return value;
  } catch (const std::exception&) {
    usage(fmt::format("{} needs a number, got '{}'", flag, text));
  }
}

}  // namespace

int main(int argc, char** argv) {
  WorkloadOptions options;
  options.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  WorkloadLimits limits;
  bool create = false;
  bool rolled_back_given = false;

  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(fmt::format("{} needs a value", flag));
      return argv[++i];
    };
    if (flag == "--conninfo") {
      options.conninfo = value();
    } else if (flag == "--mariadb") {
      std::string address = value();
      size_t colon = address.rfind(':');
      if (colon == std::string::npos) usage("--mariadb needs HOST:PORT");
      options.mariadb_host = address.substr(0, colon);
      options.mariadb_port = number<int>(flag, address.substr(colon + 1));
    } else if (flag == "--gtid-domains") {
      for (const std::string& domain : split(value(), ',')) {
        options.gtid_domains.push_back(number<uint32_t>(flag, domain));
      }
    } else if (flag == "--log") {
      options.committed_log = value();
    } else if (flag == "--rolled-back") {
      options.rolled_back_log = value();
      rolled_back_given = true;
    } else if (flag == "--seconds") {
      limits.duration =
          std::chrono::milliseconds(static_cast<int64_t>(number<double>(flag, value()) * 1000));
    } else if (flag == "--transactions") {
      limits.transactions = number<int64_t>(flag, value());
    } else if (flag == "--rate") {
      options.target_tx_per_sec = number<double>(flag, value());
    } else if (flag == "--seed") {
      options.seed = number<uint64_t>(flag, value());
    } else if (flag == "--create") {
      create = true;
    } else if (flag == "--tables") {
      options.tables = split(value(), ',');
    } else if (flag == "--rows") {
      options.rows_per_table = number<int>(flag, value());
    } else if (flag == "--rollback-fraction") {
      options.rollback_fraction = number<double>(flag, value());
    } else if (flag == "--max-changes") {
      options.max_changes_per_tx = number<int>(flag, value());
    } else if (flag == "--help" || flag == "-h") {
      usage("help");
    } else {
      usage(fmt::format("unknown argument {}", flag));
    }
  }
  if (options.conninfo.empty() == (options.mariadb_port == 0)) {
    usage("exactly one of --conninfo and --mariadb is required");
  }
  if (options.committed_log.empty()) usage("--log is required");
  if (!rolled_back_given) options.rolled_back_log = options.committed_log.string() + ".rolled-back";

  // Signals are taken by a thread with sigwait, so stopping is an ordinary stop request between
  // transactions and the logs end on a complete line.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::stop_source stop;
  std::atomic<bool> done = false;
  std::thread waiter([&] {
    timespec tick{0, 100'000'000};
    while (!done.load()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        stop.request_stop();
        return;
      }
    }
  });
  limits.stop = stop.get_token();

  int exit_code = 0;
  try {
    Workload workload(options);
    if (create) workload.create_tables();
    siphon::testing::WorkloadStats stats = workload.run(limits);
    fmt::print(stderr,
               "siphon-workload: committed={} rolled_back={} changes={} reconnects={} "
               "elapsed_ms={} seed={}\n",
               stats.committed, stats.rolled_back, stats.changes_committed, stats.reconnects,
               stats.elapsed.count(), options.seed);
  } catch (const std::exception& e) {
    fmt::print(stderr, "siphon-workload: {}\n", e.what());
    exit_code = 1;
  }
  done = true;
  waiter.join();
  return exit_code;
}
