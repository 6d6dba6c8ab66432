// siphon: command-line entry point.
//   siphon run FILE        run the connector described by a Debezium Server application.properties
//   siphon config-docs     print docs/configuration.md, generated from the option table
//   siphon version
// Exit codes: 0 clean stop, 1 the connector failed, 2 the configuration is wrong.
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include <pthread.h>

#include "config/config.h"
#include "config/configuration_docs.h"
#include "core/log.h"
#include "runtime/registry.h"

namespace {

constexpr const char* kVersion = "0.1.0";

int usage() {
  std::fputs(
      "usage: siphon run FILE       run the connector configured in FILE (application.properties)\n"
      "       siphon config-docs    print the configuration reference (docs/configuration.md)\n"
      "       siphon version\n",
      stderr);
  return 2;
}

siphon::log::Level parse_level(const std::string& s) {
  if (s == "debug") return siphon::log::Level::kDebug;
  if (s == "warn") return siphon::log::Level::kWarn;
  if (s == "error") return siphon::log::Level::kError;
  return siphon::log::Level::kInfo;
}

int run(const std::string& path) {
  // Signals are taken by one thread with sigwait, so no handler runs inside pipeline code.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  siphon::config::ProcessEnvironment env;
  auto config = siphon::config::Config::load_file(path, env);
  if (!config) {
    siphon::log::error("{}", config.error().message);
    return 2;
  }
  siphon::log::set_level(parse_level(config->get("siphon.log.level")));
  siphon::log::info("siphon {} starting with configuration:\n{}", kVersion, config->describe());
  auto connector = siphon::runtime::build_connector(*config);
  if (!connector) {
    siphon::log::error("{}", connector.error().message);
    return connector.error().kind == siphon::ErrorKind::kConfig ? 2 : 1;
  }

  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == 0) return;
    siphon::log::info("received {}; delivering what is in flight, then stopping",
                      sig == SIGTERM ? "SIGTERM" : "SIGINT");
    (*connector)->stop();
  });

  auto status = (*connector)->run();
  // Wake the signal thread if it is still waiting.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (!status) {
    siphon::log::error("connector stopped: {}", status.error().message);
    return status.error().kind == siphon::ErrorKind::kConfig ? 2 : 1;
  }
  siphon::log::info("stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string command = argv[1];
  if (command == "run" && argc == 3) return run(argv[2]);
  if (command == "config-docs" && argc == 2) {
    std::fputs(siphon::config::render_configuration_markdown().c_str(), stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("siphon %s\n", kVersion);
    return 0;
  }
  return usage();
}
