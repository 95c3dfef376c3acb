// One HTTP/1.1 connection of HttpServer: reads a request, asks the handler, writes (or
// misbehaves), and repeats while the connection is kept alive; hands the socket over to a
// WebSocketConnection on an accepted upgrade.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "sim/server_state.hpp"

namespace cadence::sim::detail {

class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ServerState> server, boost::asio::ip::tcp::socket socket);

  void start();
  void close() override;
  /// Hands over the answer to request number `sequence`; from any thread.
  void deliver(std::uint64_t sequence, HttpResponse response);

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  boost::asio::awaitable<void> run();
  /// Serves one request; false when the connection must end.
  boost::asio::awaitable<bool> serve(Request request);
  boost::asio::awaitable<bool> write(const Request& request, HttpResponse& response);
  boost::asio::awaitable<bool> upgrade(Request request, HttpRequest plain,
                                       const WebSocketRoute& route);
  void finish_request();
  void shut(bool reset);

  std::shared_ptr<ServerState> server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;
  std::string remote_;
  std::uint64_t id_ = 0;
  std::uint64_t sequence_ = 0;
  // What the connection is doing, so that stop() can let an answer being produced or written
  // finish (stop() called from inside a handler must not lose that handler's answer) while it
  // closes idle or waiting connections at once.
  enum class Phase { idle, handling, waiting, writing };
  Phase phase_ = Phase::idle;
  bool closing_ = false;
  bool closed_ = false;
  bool handed_over_ = false;
  std::optional<HttpResponse> response_;
  std::function<void()> on_done_;
};

/// Converts Beast's request into the handler's plain struct.
HttpRequest to_plain(const boost::beast::http::request<boost::beast::http::string_body>& request,
                     const std::string& remote);

}  // namespace cadence::sim::detail
