// An asynchronous Redis client: RESP2 over one TCP (or TLS) connection, pipelined, reconnecting
// with backoff after every loss, with per-command timeouts.
// Threading: commands may be issued, and connected()/stats() read, from any thread; everything
// else the client does runs on its own strand. Construct, start(), close() and destroy it from
// one thread at a time.
//
// Example (callback):
//   cadence::redis::Client redis(io.get_executor(),
//   cadence::redis::parse_url("redis://127.0.0.1")); redis.on_state([&](bool up) {
//     if (up) redis.async_command({"INCR", "hits"}, [](std::exception_ptr e, cadence::redis::Reply
//     r) {
//       if (!e && !r.is_error()) std::printf("%lld\n", static_cast<long long>(r.integer()));
//     });
//   });
//   redis.start();
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cadence/redis/error.hpp"
#include "cadence/redis/options.hpp"
#include "cadence/redis/reply.hpp"
#include "cadence/redis/script.hpp"

namespace cadence::redis {

namespace detail {
class ClientImpl;
}

class Client {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// Completion signature of async_command and async_eval.
  using CommandSignature = void(std::exception_ptr, Reply);

  /// Makes the TLS context when options.tls (std::invalid_argument if its CA file cannot be
  /// loaded); connects only at start().
  Client(executor_type executor, Options options);
  /// Closes the connection. Pending commands complete with
  /// boost::system::system_error(operation_aborted); on_state is not called any more.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Starts connecting, and reconnecting with backoff after every loss until close().
  void start();
  /// Closes the connection and stops reconnecting, for good (start() does nothing afterwards).
  /// Pending commands complete with boost::system::system_error(operation_aborted); later ones
  /// fail with ConnectionError.
  void close();
  /// True while a connection is up and ready (AUTH and SELECT done).
  [[nodiscard]] bool connected() const noexcept;
  /// Called on the client's strand each time the connection comes up (true) or goes down
  /// (false), close() included. Set it before start().
  void on_state(std::function<void(bool up)> fn);

  /// Sends one command; each of `args` is sent as a bulk string (binary-safe). Not cancellable
  /// per operation yet (close() ends every pending command).
  ///
  /// Completes exactly once, never inside this call, with one of:
  /// - (nullptr, reply): what the server answered; an error reply is a Reply of Type::error;
  /// - ConnectionError: no ready connection when the command was issued (it was not sent), or
  ///   the connection was lost while it was pending (it may or may not have run);
  /// - cadence::TimeoutError: no reply within Options::command_timeout (the connection is then
  ///   closed, failing the commands pending on it, and reopened);
  /// - boost::system::system_error(operation_aborted): close() or the destructor;
  /// - std::invalid_argument: `args` is empty.
  ///
  /// Commands issued while others are being written go out together in one write; replies are
  /// matched to commands in order.
  template <boost::asio::completion_token_for<CommandSignature> Token>
  auto async_command(std::vector<std::string> args, Token&& token) {
    return boost::asio::async_initiate<Token, CommandSignature>(
        [this](auto handler, std::vector<std::string> a) {
          start_command(std::move(a), std::move(handler));
        },
        token, std::move(args));
  }

  /// EVALSHA of `script` with `keys` and `args`. When the server answers NOSCRIPT (it restarted,
  /// or SCRIPT FLUSH ran), sends SCRIPT LOAD and EVALSHA once more, pipelined, and completes with
  /// that second answer (or with SCRIPT LOAD's error reply if the script does not compile).
  /// Completes as async_command does.
  template <boost::asio::completion_token_for<CommandSignature> Token>
  auto async_eval(const Script& script, std::vector<std::string> keys,
                  std::vector<std::string> args, Token&& token) {
    return boost::asio::async_initiate<Token, CommandSignature>(
        [this](auto handler, Script s, std::vector<std::string> k, std::vector<std::string> a) {
          start_eval(std::move(s), std::move(k), std::move(a), std::move(handler));
        },
        token, script, std::move(keys), std::move(args));
  }

  /// Counters for benchmarks (each read on its own, not a consistent snapshot).
  struct Stats {
    std::uint64_t commands = 0;  ///< commands put on a connection (AUTH, SELECT, SCRIPT LOAD too)
    std::uint64_t replies = 0;   ///< replies read
    std::uint64_t connects = 0;  ///< times a connection became ready
    std::uint64_t disconnects = 0;  ///< times a ready connection went down (close() included)
  };
  [[nodiscard]] Stats stats() const noexcept;

  [[nodiscard]] executor_type get_executor() const noexcept;

 private:
  using Handler = boost::asio::any_completion_handler<CommandSignature>;
  void start_command(std::vector<std::string> args, Handler handler);
  void start_eval(Script script, std::vector<std::string> keys, std::vector<std::string> args,
                  Handler handler);

  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace cadence::redis
