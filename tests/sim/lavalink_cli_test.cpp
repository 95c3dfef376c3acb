// `cadence sim lavalink` as a user runs it: a subprocess that prints its port, serves REST and
// the WebSocket with the given password, and exits cleanly on SIGINT.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "sim/lavalink_test_support.hpp"

extern char** environ;

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;

const std::string binary = CADENCE_BINARY_DIR "/bin/cadence";

// The child's stdout on a pipe; killed if the test leaves early.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }

  /// The first line on stdout, or what came before EOF or the deadline.
  std::string read_line(std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (buffer_.find('\n') == std::string::npos && read_some(deadline)) {
    }
    return buffer_.substr(0, buffer_.find('\n'));
  }

  /// Sends `signal` (unless 0), waits for the exit; the wait status, or -1 after the deadline.
  int finish(int signal, std::chrono::milliseconds limit = 20s) {
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

bool have_binary() { return access(binary.c_str(), X_OK) == 0; }

TEST(SimLavalinkCli, PrintsItsPortServesAndStopsOnSigint) {
  if (!have_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  Process child({"sim", "lavalink", "--port", "0", "--password", "cli-pass", "--route-planner",
                 "BalancingIpRoutePlanner"});
  ASSERT_TRUE(child.started());
  const auto line = child.read_line();
  ASSERT_FALSE(line.empty()) << "no port printed";
  const int port = std::stoi(line);
  ASSERT_GT(port, 0);
  ASSERT_LT(port, 65536);

  test::TestClient client(static_cast<std::uint16_t>(port));
  EXPECT_EQ(client.request("GET", "/v4/info", {test::lavalink_auth}).status, 403u);
  const auto r = client.request("GET", "/v4/routeplanner/status", {{"Authorization", "cli-pass"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("class").as_string(), "BalancingIpRoutePlanner");
  test::WsClient ws(static_cast<std::uint16_t>(port));
  EXPECT_EQ(ws.connect({{"Authorization", "cli-pass"}}).status, 101u);
  const auto ready = ws.read();
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->at("op").as_string(), "ready");
  // Closed first: an open socket would hold the exit until the server's close handshake times out.
  ws.close();

  const int status = child.finish(SIGINT);
  ASSERT_NE(status, -1) << "did not exit after SIGINT";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SimLavalinkCli, RejectsAnUnknownRoutePlanner) {
  if (!have_binary()) GTEST_SKIP() << binary << " is not built (target cadence_app)";
  Process child({"sim", "lavalink", "--route-planner", "Magic"});
  ASSERT_TRUE(child.started());
  const int status = child.finish(0);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace cadence::sim
