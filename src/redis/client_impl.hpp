// The state behind redis::Client, all of it on one strand: the connection, the bytes waiting to
// be written, the commands waiting for replies (in order), one deadline timer and the backoff.
#pragma once

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cadence/redis/options.hpp"
#include "cadence/redis/reply.hpp"
#include "cadence/redis/script.hpp"
#include "redis/connection.hpp"

namespace cadence::redis::detail {

using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, Reply)>;
using Step = std::function<void(std::exception_ptr, Reply)>;
using Strand = boost::asio::strand<boost::asio::any_io_executor>;
using Clock = std::chrono::steady_clock;

/// Who learns a command's outcome: the caller's handler (on its associated executor) or a step
/// of the client's own (handshake, NOSCRIPT reload), run on the strand.
class Completion {
 public:
  explicit Completion(Handler handler) : handler_(std::in_place, std::move(handler)) {}
  explicit Completion(Step step) : step_(std::move(step)) {}
  Completion(Completion&&) = default;
  // any_completion_handler's move assignment recurses in Boost 1.81 (docs/architecture.md).
  Completion& operator=(Completion&&) = delete;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  ~Completion() = default;

  void complete(const Strand& strand, std::exception_ptr error, Reply reply);

 private:
  std::optional<Handler> handler_;
  Step step_;
};

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(const boost::asio::any_io_executor& executor, Options options);

  // Everything below runs on strand_.
  void start();
  /// `notify`: whether on_state hears of it (not from the destructor).
  void close(bool notify);
  void set_on_state(std::function<void(bool)> fn) { on_state_ = std::move(fn); }
  void command(const std::vector<std::string>& args, Completion completion);
  void eval(const Script& script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args, Handler handler);

  const boost::asio::any_io_executor executor_;
  Strand strand_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> replies_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> disconnects_{0};

 private:
  enum class Phase { idle, connecting, ready, waiting, closed };
  /// Why a connection ended, which decides what its pending commands are told.
  enum class Cause { connect, lost, timeout };
  struct Pending {
    Completion completion;
    Clock::time_point deadline;
  };

  void connect();
  void on_connected(const std::shared_ptr<Connection>& conn);
  void handshake(const std::shared_ptr<Connection>& conn);
  void become_ready();
  void lose(Cause cause, const std::string& reason);
  void schedule_reconnect();
  void notify(bool up);

  /// Adds a command whose bytes were just appended to out_.
  void enqueue(Completion completion, Clock::time_point deadline);
  void schedule_flush();
  void flush();
  void start_read(const std::shared_ptr<Connection>& conn);
  void on_read(const std::shared_ptr<Connection>& conn, boost::system::error_code ec,
               std::size_t size);

  void arm_timer(Clock::time_point at);
  void disarm_timer();
  void on_timer();

  [[nodiscard]] std::string where() const;
  [[nodiscard]] std::exception_ptr not_connected() const;

  Options options_;
  std::string host_port_;
  std::optional<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer backoff_timer_;
  std::shared_ptr<Connection> conn_;
  Phase phase_ = Phase::idle;
  Clock::time_point connect_deadline_;

  std::string out_;  ///< encoded commands not yet handed to a write
  bool write_in_progress_ = false;
  bool flush_posted_ = false;
  std::deque<Pending> pending_;  ///< every command on the connection, in reply order

  std::uint64_t timer_seq_ = 0;  ///< a timer wait whose number is not this one is stale
  bool timer_armed_ = false;
  Clock::time_point timer_at_;

  unsigned attempt_ = 0;
  std::string last_failure_;
  std::function<void(bool)> on_state_;
  std::minstd_rand rng_;
};

}  // namespace cadence::redis::detail
