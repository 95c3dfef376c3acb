// What HttpServer shares with its connections. Connections hold it by shared_ptr, so it outlives
// the HttpServer object until the last socket is closed.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "cadence/sim/http_server.hpp"

namespace cadence::sim::detail {

/// Anything stop() must close; close() may be called from any thread.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close() = 0;
};

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(const boost::asio::any_io_executor& executor, HttpServerOptions options,
              HttpServer::AsyncHandler handler);

  /// Binds, listens and starts accepting.
  void start();
  void stop();

  /// Runs user code `fn` unless the server has stopped; false if it has. stop() waits for calls
  /// in progress, which is what makes destroying the objects a handler captures safe.
  template <class Fn>
  bool call_user(Fn&& fn) {
    if (inside_user_code_ > 0) {
      // Nested (a handler's callback calling into the server): the lock is held already.
      if (stopped_.load()) return false;
      fn();
      return true;
    }
    std::shared_lock lock(gate_);
    if (stopped_.load()) return false;
    ++inside_user_code_;
    struct Leave {
      ~Leave() { --inside_user_code_; }
    } leave;
    fn();
    return true;
  }

  [[nodiscard]] bool stopped() const noexcept { return stopped_.load(); }

  std::uint64_t add(std::weak_ptr<Connection> connection);
  void remove(std::uint64_t id);

  [[nodiscard]] std::optional<WebSocketRoute> websocket_route(const std::string& path) const;
  void set_websocket_route(std::string path, WebSocketRoute route);

  const boost::asio::any_io_executor executor;
  const HttpServerOptions options;
  const HttpServer::AsyncHandler handler;
  std::uint16_t port = 0;

  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> requests{0};

 private:
  void accept();

  static thread_local int inside_user_code_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopped_{false};
  std::shared_mutex gate_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::map<std::string, WebSocketRoute> websocket_routes_;
};

}  // namespace cadence::sim::detail
