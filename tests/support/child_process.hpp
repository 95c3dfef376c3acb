// Runs the built `cadence` binary as a long-lived child (a simulator): its stdout read line by
// line with deadlines, and a signal to end it. Needs CADENCE_BINARY_DIR (every test binary
// defines it).
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace cadence::test {

inline const std::string cadence_binary = CADENCE_BINARY_DIR "/bin/cadence";

/// False when the binary is not built (target cadence_app), so that tests can skip.
inline bool have_cadence_binary() { return access(cadence_binary.c_str(), X_OK) == 0; }

/// `cadence <args>` as a child process with its stdout on a pipe; killed if the test leaves early.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> args)
      : ChildProcess(cadence_binary, std::move(args)) {}
  /// Any program (an absolute path) with `args`.
  ChildProcess(const std::string& program, std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    args.insert(args.begin(), program);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
    if (rc != 0) pid_ = -1;
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }
  /// Sends `signal` without waiting.
  void signal(int signal) const {
    if (pid_ > 0) kill(pid_, signal);
  }

  /// The next line on stdout (without '\n'), or what came before EOF or the deadline.
  std::string read_line(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (buffer_.find('\n') == std::string::npos && read_some(deadline)) {
    }
    const auto nl = buffer_.find('\n');
    std::string line = buffer_.substr(0, nl);
    buffer_.erase(0, nl == std::string::npos ? buffer_.size() : nl + 1);
    return line;
  }

  /// Sends `signal` (if given), waits for stdout to close (the process ending closes it), and
  /// returns the wait status; -1 if it did not end in time.
  int finish(int signal, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    if (signal != 0) kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (read_some(deadline)) {
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  // Reads what is there; false on EOF or when the deadline passed.
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[512];
    const auto n = read(out_, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

}  // namespace cadence::test
