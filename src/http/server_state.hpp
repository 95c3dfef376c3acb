// What http::Server shares with its connections. Sessions hold it by shared_ptr, so it outlives
// the Server object until the last connection has closed.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "cadence/http/server.hpp"

namespace cadence::http::detail {

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(const boost::asio::any_io_executor& executor, ServerOptions options,
              Server::Handler handler);

  /// Binds, listens and starts accepting.
  void start();
  void shutdown(std::function<void()> on_drained);
  void stop();

  /// Registers a new connection; 0 when the server is stopping (the session must close).
  std::uint64_t add(std::weak_ptr<ServerSession> session);
  void remove(std::uint64_t id);

  /// The answer to a request the server refuses itself.
  [[nodiscard]] Response error_response(unsigned status, std::string_view reason) const;

  [[nodiscard]] bool shutting_down() const noexcept { return shutting_down_.load(); }

  const boost::asio::any_io_executor executor;
  const ServerOptions options;
  const Server::Handler handler;
  std::uint16_t port = 0;

  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> active{0};
  std::atomic<std::uint64_t> refused{0};

 private:
  void accept();
  void close_acceptor();
  /// Runs on_drained once a shutdown was asked for and no connection is left; mutex_ held.
  void check_drained_locked();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::weak_ptr<ServerSession>> sessions_;
  std::function<void()> on_drained_;
  bool drained_ = false;
};

}  // namespace cadence::http::detail
