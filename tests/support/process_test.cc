#include "support/process.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ChildProcess, ReportsExitCode) {
  ChildProcess child({.argv = {"sh", "-c", "exit 3"}});
  std::optional<ExitStatus> status = child.wait(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited());
  EXPECT_EQ(status->code, 3);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, KillAndTerminateReportTheSignal) {
  ChildProcess killed({.argv = {"sleep", "30"}});
  EXPECT_TRUE(killed.running());
  EXPECT_FALSE(killed.wait(20ms));
  killed.kill9();
  EXPECT_EQ(killed.wait().signal, SIGKILL);

  ChildProcess terminated({.argv = {"sleep", "30"}});
  terminated.terminate();
  std::optional<ExitStatus> status = terminated.wait(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_EQ(status->describe(), "signal 15 (Terminated)");
}

TEST(ChildProcess, RedirectsOutputAndAddsEnvironment) {
  TempDir dir;
  {
    ChildProcess child({.argv = {"sh", "-c", "echo \"out $SIPHON_TEST_VAR\"; echo err >&2"},
                        .env = {{"SIPHON_TEST_VAR", "value"}},
                        .stdout_path = dir / "out.log",
                        .stderr_path = dir / "err.log"});
    EXPECT_TRUE(child.wait().success());
  }
  EXPECT_EQ(read_file(dir / "out.log"), "out value\n");
  EXPECT_EQ(read_file(dir / "err.log"), "err\n");

  // The same file for both, appended across runs.
  for (int i = 0; i < 2; ++i) {
    ChildProcess child({.argv = {"sh", "-c", "echo a; echo b >&2"},
                        .stdout_path = dir / "both.log",
                        .stderr_path = dir / "both.log"});
    child.wait();
  }
  EXPECT_EQ(read_file(dir / "both.log"), "a\nb\na\nb\n");
}

TEST(ChildProcess, ThrowsWhenTheProgramCannotRun) {
  EXPECT_THROW(ChildProcess({.argv = {"/nonexistent/program"}}), std::runtime_error);
  EXPECT_THROW(ChildProcess({.argv = {"siphon-no-such-program-anywhere"}}), std::runtime_error);
}

TEST(ChildProcess, DestructorKillsAndReaps) {
  pid_t pid;
  {
    ChildProcess child({.argv = {"sleep", "30"}});
    pid = child.pid();
  }
  // Reaped: the pid no longer exists (not even as a zombie).
  EXPECT_EQ(::kill(pid, 0), -1);
}

TEST(ChildProcess, StopEscalatesToSigkill) {
  // An ignored SIGTERM survives exec, so the sleep ignores it.
  ChildProcess child({.argv = {"sh", "-c", "trap '' TERM; exec sleep 30"}});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (read_file(fmt::format("/proc/{}/comm", child.pid())) != "sleep\n" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ExitStatus status = child.stop(200ms);
  EXPECT_EQ(status.signal, SIGKILL);
}

TEST(RunCommand, CapturesOutputAndExitCode) {
  CommandResult result =
      run_command({"sh", "-c", "echo hello; echo oops >&2; exit 4"}, 10s, {{"X", "1"}});
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.status.code, 4);
  EXPECT_EQ(result.out, "hello\n");
  EXPECT_EQ(result.err, "oops\n");
}

TEST(RunCommand, KillsOnTimeout) {
  auto start = std::chrono::steady_clock::now();
  CommandResult result = run_command({"sleep", "30"}, 200ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.status.signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RunCommand, DoesNotWaitForADaemonHoldingItsOutput) {
  // The background sleep keeps stdout open after the shell has exited.
  auto start = std::chrono::steady_clock::now();
  CommandResult result = run_command({"sh", "-c", "sleep 30 & echo $!; exit 0"}, 20s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_TRUE(result.status.success());
  pid_t daemon = std::stoi(result.out);
  ASSERT_GT(daemon, 1);
  ::kill(daemon, SIGKILL);
}

}  // namespace
}  // namespace siphon::testing
