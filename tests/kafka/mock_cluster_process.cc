#include "kafka/mock_cluster_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace siphon::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error failure(const std::string& what) {
  return std::runtime_error("siphon-kafka-mock-cluster: " + what);
}

}  // namespace

MockClusterProcess::MockClusterProcess(const Options& options) : options_(options) {
  std::vector<std::string> args = {options.binary, "--brokers", std::to_string(options.brokers)};
  for (const std::string& t : options.topics) {
    args.push_back("--topic");
    args.push_back(t);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // A socket rather than pipes: writing to a host that died must fail with EPIPE
  // (MSG_NOSIGNAL), not kill the test with SIGPIPE.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw failure(fmt::format("socketpair: {}", std::strerror(errno)));
  }
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw failure(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls until exec. The host dies with the test process even if the
    // socket's other end lingers in a grandchild.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  channel_ = fds[0];
  std::string first;
  try {
    first = read_line(options_.reply_timeout);
  } catch (...) {
    shutdown(std::chrono::milliseconds(0));
    throw;
  }
  const std::string prefix = "bootstrap ";
  if (first.rfind(prefix, 0) != 0) {
    shutdown(std::chrono::milliseconds(0));
    throw failure("unexpected first line '" + first + "'");
  }
  bootstrap_ = first.substr(prefix.size());
}

MockClusterProcess::~MockClusterProcess() {
  shutdown();
}

std::string MockClusterProcess::read_line(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw failure("no reply in time");
    pollfd p{channel_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(channel_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw failure("the host exited");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

std::string MockClusterProcess::command(const std::string& line) {
  if (channel_ < 0) throw failure("not running");
  std::string out = line + "\n";
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::send(channel_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw failure(fmt::format("cannot send '{}': {}", line, std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  std::string reply = read_line(options_.reply_timeout);
  if (reply == "ok") return "";
  if (reply.rfind("ok ", 0) == 0) return reply.substr(3);
  throw failure("'" + line + "': " + reply);
}

int MockClusterProcess::shutdown(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (channel_ >= 0) {
    ::close(channel_);  // EOF on the host's stdin: it destroys its cluster and exits
    channel_ = -1;
  }
  auto deadline = Clock::now() + grace;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (r < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

}  // namespace siphon::testing
