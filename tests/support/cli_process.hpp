// Runs the built `cadence` binary in the background, for commands that run until a signal
// (`cadence lavalink watch`): its stdout is read line by line with a deadline, and the test
// sends it signals and waits for its exit. Needs CADENCE_BINARY_DIR.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cadence::test {

class CliProcess {
 public:
  /// Starts `cadence args...` with `env` added to the environment ("NAME=value") and stdin read
  /// from `stdin_path` when given; stderr is kept in a pipe too (read with read_stderr()).
  CliProcess(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
             const std::string& stdin_path = {}) {
    int out[2];
    int err[2];
    if (::pipe(out) != 0 || ::pipe(err) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::close(out[0]);
      ::close(err[0]);
      if (!stdin_path.empty()) {
        const int in = ::open(stdin_path.c_str(), O_RDONLY);
        if (in < 0) ::_exit(126);
        ::dup2(in, STDIN_FILENO);
        ::close(in);
      }
      for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      const std::string binary = CADENCE_BINARY_DIR "/bin/cadence";
      std::vector<char*> argv{const_cast<char*>(binary.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~CliProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int s = 0;
      ::waitpid(pid_, &s, 0);
    }
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  /// The next line of stdout (without '\n'); std::nullopt at the deadline or at EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char block[4096];
      const auto got = ::read(out_, block, sizeof block);
      if (got <= 0) return std::nullopt;
      buffer_.append(block, static_cast<std::size_t>(got));
    }
  }

  /// What the process wrote to stderr so far (reads without waiting).
  std::string read_stderr() {
    std::string text;
    ::fcntl(err_, F_SETFL, ::fcntl(err_, F_GETFL) | O_NONBLOCK);
    char block[4096];
    ssize_t got = 0;
    while ((got = ::read(err_, block, sizeof block)) > 0)
      text.append(block, static_cast<std::size_t>(got));
    return text;
  }

  void signal(int sig) const { ::kill(pid_, sig); }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// True while the process has not exited.
  bool running() {
    if (status_) return false;
    int s = 0;
    if (::waitpid(pid_, &s, WNOHANG) == pid_) status_ = s;
    return !status_;
  }

  /// The exit code once it exited within `limit` (-1: killed by a signal); std::nullopt when
  /// it is still running.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (running()) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      // Drain stdout so that a process writing at exit cannot block on a full pipe.
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 10) > 0) {
        char block[4096];
        const auto got = ::read(out_, block, sizeof block);
        if (got > 0) buffer_.append(block, static_cast<std::size_t>(got));
      }
    }
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

}  // namespace cadence::test
