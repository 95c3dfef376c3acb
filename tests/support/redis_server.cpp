#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace cadence::test {

namespace {

// A port the kernel just handed out, released again for redis-server to take; the small window
// in which another process could take it is covered by trying again.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind an ephemeral port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Connects to 127.0.0.1:port within `limit`; -1 if it cannot.
int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::optional<std::string> RedisServer::binary() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  if (const char* path = std::getenv("PATH")) {
    std::string dirs(path);
    std::size_t start = 0;
    while (start <= dirs.size()) {
      auto end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      const auto candidate = dirs.substr(start, end - start) + "/redis-server";
      if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  if (::access("/usr/bin/redis-server", X_OK) == 0) return std::string("/usr/bin/redis-server");
  return std::nullopt;
}

RedisServer::RedisServer(Config config) : config_(std::move(config)) {
  auto program = binary();
  if (!program) throw std::runtime_error(missing_message);
  program_ = *program;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    if (launch(std::chrono::seconds(15))) return;
  }
  throw std::runtime_error("redis-server did not start on any of 5 ports");
}

RedisServer::~RedisServer() { stop(); }

bool RedisServer::launch(std::chrono::milliseconds limit) {
  const auto port = std::to_string(port_);
  std::vector<std::string> args{program_,       "--bind",     "127.0.0.1",   "--save", "",
                                "--appendonly", "no",         "--daemonize", "no",     "--dir",
                                "/tmp",         "--loglevel", "warning"};
  if (config_.tls_cert_file) {
    args.insert(args.end(),
                {"--port", "0", "--tls-port", port, "--tls-cert-file", *config_.tls_cert_file,
                 "--tls-key-file", *config_.tls_key_file, "--tls-auth-clients", "no"});
  } else {
    args.insert(args.end(), {"--port", port});
  }
  if (config_.password) args.insert(args.end(), {"--requirepass", *config_.password});
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, program_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot run " + program_ + ": " + std::strerror(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // it ended: most likely the port was taken meanwhile
      return false;
    }
    if (answers()) return true;
    // Polling a child process that has no readiness signal of its own.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  return false;
}

bool RedisServer::answers() const {
  const int fd = connect_loopback(port_);
  if (fd < 0) return false;
  // A TLS port accepts only after the server is ready to serve; a plain one must answer PING
  // (+PONG, or -NOAUTH with a password: either is an answer).
  bool ok = true;
  if (!config_.tls_cert_file) {
    constexpr char ping[] = "PING\r\n";
    ok = ::send(fd, ping, sizeof ping - 1, MSG_NOSIGNAL) == sizeof ping - 1;
    pollfd p{fd, POLLIN, 0};
    char c = 0;
    ok = ok && ::poll(&p, 1, 2000) == 1 && ::recv(fd, &c, 1, 0) == 1 && (c == '+' || c == '-');
  }
  ::close(fd);
  return ok;
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisServer::restart() {
  kill();
  // The port was ours a moment ago; redis-server binds with SO_REUSEADDR, so TIME_WAIT does not
  // stop it, but another process may have taken it: try for a while.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (launch(std::chrono::seconds(15))) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("redis-server did not start again on port " + std::to_string(port_));
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {  // up to 3 s for a clean exit
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
}

}  // namespace cadence::test
