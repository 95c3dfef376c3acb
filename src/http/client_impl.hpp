// The state behind http::Client: per-origin pools on one strand, and the coroutine that runs
// one request (acquire a connection, write, read, release or close, maybe resend once).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "cadence/http/client.hpp"
#include "http/connection.hpp"
#include "http/origin.hpp"

namespace cadence::http::detail {

/// A request waiting for a connection because its origin is at the cap. Woken either with a
/// connection handed over directly (so that nobody can take it in between) or with permission
/// to open a new one.
struct Waiter {
  boost::asio::steady_timer* timer = nullptr;
  std::unique_ptr<Connection> handed;
  bool may_open = false;
};

/// What acquire() and connect() produce: a connection or the error to report. Errors travel
/// as values, not exceptions, between coroutines: g++ 12 corrupts the caller's frame when an
/// exception propagates out of a nested co_await (seen as a bad free of a frame local).
struct Acquired {
  std::unique_ptr<Connection> conn;
  std::exception_ptr error;
};

struct Pool {
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last: reuse warm ones
  std::unordered_set<Connection*> busy;
  std::deque<Waiter*> waiters;
  std::size_t open = 0;  // idle + busy + connecting
  std::uint64_t connects = 0;
  std::uint64_t reused = 0;
};

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(const boost::asio::any_io_executor& executor, ClientOptions options);

  static boost::asio::awaitable<Response> run(std::shared_ptr<ClientImpl> self, Request request);

  void shutdown();
  [[nodiscard]] PoolStats stats(const std::string& key) const;

  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  ClientOptions options_;
  /// The cap on a connection's read buffer while a response is read (see run()).
  std::size_t read_buffer_limit_ = 0;

 private:
  boost::asio::awaitable<Acquired> acquire(Pool& pool, const Origin& origin,
                                           std::string_view method);
  boost::asio::awaitable<Acquired> connect(Pool& pool, const Origin& origin,
                                           std::string_view method);
  void release(Pool& pool, std::unique_ptr<Connection> conn);
  void discard(Pool& pool, std::unique_ptr<Connection> conn);
  void hand_over_slot(Pool& pool);
  void arm_sweep();
  void sweep();
  void arm_deadline(std::chrono::steady_clock::time_point at);
  void expire_deadlines();

  boost::asio::ssl::context ssl_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer sweep_timer_;
  bool sweep_armed_ = false;
  // One timer for the exchange deadlines of every busy connection, so that an exchange costs
  // no timer operation of its own (Beast's stream timeout started and cancelled a wait for every
  // read and write). It is armed for the earliest deadline and moves only to an earlier one.
  boost::asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_armed_at_ =
      std::chrono::steady_clock::time_point::max();
  bool closed_ = false;
  std::unordered_map<std::string, Pool> pools_;
};

}  // namespace cadence::http::detail
