// A real redis-server (Debian's) for tests: on 127.0.0.1 and a free port, no persistence, in
// the foreground, stopped (SIGTERM, then SIGKILL) when the object goes. It can be killed and
// started again on the same port, for "Redis went away" tests.
//
// Example:
//   auto path = RedisServer::binary();
//   if (!path) GTEST_SKIP() << RedisServer::missing_message;
//   RedisServer redis;
//   options.port = redis.port();
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cadence::test {

class RedisServer {
 public:
  struct Config {
    std::optional<std::string> password;  ///< --requirepass
    /// TLS only (the plain port is off): PEM files for the server's certificate and key.
    std::optional<std::string> tls_cert_file;
    std::optional<std::string> tls_key_file;
  };

  static constexpr const char* missing_message =
      "redis-server is not installed (Debian: redis-server; scripts/bootstrap.sh installs it)";

  /// The redis-server program: found in PATH or /usr/bin; nullopt when absent.
  [[nodiscard]] static std::optional<std::string> binary();

  /// Starts it and waits until it answers; throws std::runtime_error if it cannot be started
  /// (after a few ports were tried).
  explicit RedisServer(Config config = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

  /// SIGKILL, and waits for the process to end: clients see their connections reset.
  void kill();
  /// Starts it again on the same port (after kill()) and waits until it answers.
  void restart();

 private:
  // False if the process ended before answering (the port was taken, for instance).
  bool launch(std::chrono::milliseconds limit);
  [[nodiscard]] bool answers() const;
  void stop();

  Config config_;
  std::string program_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cadence::test
