// siphon-check: the crash-test oracle from the command line.
//
//   siphon-check --sink-dir D --committed LOG [--rolled-back LOG]
//                [--conninfo C | --mariadb HOST:PORT] [--kill-marks F] [--prefix pg]
//                [--table schema.table]... [--strict]
//
// Prints the report. Exit 0 when clean (duplicates pass only when classified allowed; with
// --strict none pass), 1 when something is wrong, 2 on bad arguments or unreadable inputs.
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "support/checker.h"

namespace {

[[noreturn]] void usage(std::string_view problem) {
  fmt::print(stderr,
             "siphon-check: {}\n"
             "usage: siphon-check --sink-dir D --committed LOG [--rolled-back LOG]\n"
             "         [--conninfo C | --mariadb HOST:PORT] [--kill-marks F] [--prefix pg]\n"
             "         [--table schema.table]... [--strict]\n",
             problem);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  siphon::testing::CheckInputs inputs;
  bool strict = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(fmt::format("{} needs a value", flag));
      return argv[++i];
    };
    if (flag == "--sink-dir") {
      inputs.sink_dir = value();
    } else if (flag == "--committed") {
      inputs.committed_log = value();
    } else if (flag == "--rolled-back") {
      inputs.rolled_back_log = value();
    } else if (flag == "--conninfo") {
      inputs.conninfo = value();
    } else if (flag == "--mariadb") {
      std::string address = value();
      size_t colon = address.rfind(':');
      if (colon == std::string::npos) usage("--mariadb needs HOST:PORT");
      inputs.mariadb_host = address.substr(0, colon);
      try {
        inputs.mariadb_port = std::stoi(address.substr(colon + 1));
      } catch (const std::exception&) {
        usage("--mariadb needs HOST:PORT");
      }
    } else if (flag == "--kill-marks") {
      inputs.kill_marks = value();
    } else if (flag == "--prefix") {
      inputs.prefix = value();
    } else if (flag == "--table") {
      inputs.extra_tables.push_back(value());
    } else if (flag == "--strict") {
      strict = true;
    } else if (flag == "--help" || flag == "-h") {
      usage("help");
    } else {
      usage(fmt::format("unknown argument {}", flag));
    }
  }
  if (inputs.sink_dir.empty()) usage("--sink-dir is required");
  if (inputs.committed_log.empty()) usage("--committed is required");

  try {
    siphon::testing::CheckReport report = siphon::testing::check(inputs);
    bool ok = report.ok(!strict);
    fmt::print("siphon-check: {}\n{}", ok ? "OK" : "FAILED", report.to_string());
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "siphon-check: {}\n", e.what());
    return 2;
  }
}
