#pragma once
// Child processes for tests: Siphon under test, the workload generator, helper scripts.
// Crash tests need exact control (SIGKILL at a chosen moment, the exit status or signal), and a
// failed test must never leave a child behind, so a ChildProcess kills and reaps in its destructor.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace siphon::testing {

// How a child ended: an exit code, or the signal that killed it.
struct ExitStatus {
  int code = -1;   // exit code; -1 when killed by a signal
  int signal = 0;  // terminating signal; 0 when it exited

  bool exited() const { return signal == 0; }
  bool success() const { return signal == 0 && code == 0; }
  std::string describe() const;  // "exit 0", "signal 9 (Killed)"
};

struct SpawnOptions {
  std::vector<std::string> argv{};  // argv[0] is looked up in PATH when it has no '/'
  // Added to, or replacing variables of, this process's environment.
  std::map<std::string, std::string> env{};
  std::filesystem::path stdout_path{};  // empty: inherit ours
  std::filesystem::path stderr_path{};  // empty: inherit ours; may be the same file as stdout
  bool truncate = false;                // default appends, so restarts of one process share a log
  std::filesystem::path cwd{};          // empty: ours
  // SIGKILL the child when the *thread* that spawned it ends (PR_SET_PDEATHSIG), so a test
  // process that crashes or is killed on timeout leaves nothing behind. Spawn a long-lived child
  // from a thread that lives at least as long, or turn this off.
  bool die_with_parent = true;
};

struct CommandResult {
  ExitStatus status{};
  std::string out{};
  std::string err{};
  bool timed_out = false;  // the command was killed with SIGKILL after the timeout
};

// Runs a command to completion and captures its output. Output written after the command ended
// by a process that inherited its stdout (a daemon) is not waited for.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::map<std::string, std::string>& env = {});

class ChildProcess {
 public:
  // Starts the child; stdin is /dev/null. Throws std::runtime_error when it cannot be started,
  // including when execve fails (missing or non-executable program).
  explicit ChildProcess(const SpawnOptions& options);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // SIGKILL and reap if it still runs.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // False once the child has ended (it is reaped then).
  bool running();
  // The exit status, or nullopt if the child still runs after `timeout`.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // Waits as long as it takes.
  ExitStatus wait();
  void terminate();  // SIGTERM; no effect once it has ended
  void kill9();      // SIGKILL; no effect once it has ended
  // SIGTERM, then SIGKILL if it has not ended after `grace`.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  friend CommandResult run_command(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout,
                                   const std::map<std::string, std::string>& env);
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  bool try_reap();
  void send(int signal_number);
  void kill_and_reap() noexcept;

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;  // set once reaped
};

}  // namespace siphon::testing
