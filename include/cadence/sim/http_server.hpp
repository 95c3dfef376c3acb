// A small HTTP/1.1 server for the simulators: keep-alive connections on a loopback port, a
// handler that sees plain request/response structs (and may misbehave on purpose), an optional
// WebSocket upgrade per path, and a stop() that closes everything. Beast stays in src/sim/.
// Threading: handlers run on the executor's threads (concurrently when several run it); a Responder
// may answer, and stop() be called, from any thread.
//
// Example:
//   boost::asio::io_context io;
//   cadence::sim::HttpServer server(io, {}, [](const cadence::sim::HttpRequest& req) {
//     return cadence::sim::HttpResponse::json(200, R"({"path":")" + req.path + "\"}");
//   });
//   std::cout << server.port() << '\n';   // bound already; port 0 picked a free one
//   io.run();                              // until server.stop() and its connections are gone
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cadence/sim/http_request.hpp"
#include "cadence/sim/http_response.hpp"
#include "cadence/sim/web_socket_session.hpp"

namespace boost::asio {
class io_context;
class any_io_executor;
}  // namespace boost::asio

namespace cadence::sim {

namespace detail {
class ServerState;
class HttpSession;
}  // namespace detail

struct HttpServerOptions {
  /// An IPv4 or IPv6 literal; loopback by default so a simulator is never reachable from outside.
  std::string address = "127.0.0.1";
  /// 0 picks a free port; HttpServer::port() tells which.
  std::uint16_t port = 0;
  /// Larger request bodies are refused with 413 and the connection closed.
  std::size_t body_limit = 64 * 1024 * 1024;
  /// A connection waiting this long for the next request is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  /// The Server header, unless a response sets one.
  std::string server_name = "cadence-sim";
};

/// Answers one request, exactly once, from any thread. Move-only. If it is destroyed without
/// answering, the client gets a 500.
class Responder {
 public:
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  /// Sends the response (after its delay, with its misbehaviour); later calls are ignored.
  void send(HttpResponse response);

 private:
  friend class detail::HttpSession;
  Responder(std::shared_ptr<detail::HttpSession> session, std::uint64_t sequence);

  std::shared_ptr<detail::HttpSession> session_;
  std::uint64_t sequence_ = 0;
};

/// What to do with an upgrade request on one path.
struct WebSocketRoute {
  /// Decides on the handshake. Return a 101 response to accept (its headers are added to the
  /// handshake response); anything else is sent as the answer instead, e.g. a 401. Empty: accept.
  std::function<HttpResponse(const HttpRequest&)> accept;
  /// Called once the handshake succeeded; set the session's handlers here.
  std::function<void(WebSocketSession)> open;
};

class HttpServer {
 public:
  /// Answers at once (the response may still carry a delay).
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  /// Answers later through the Responder, from any thread.
  using AsyncHandler = std::function<void(HttpRequest, Responder)>;

  /// Binds and listens at once (throws boost::system::system_error if it cannot), then accepts
  /// on `executor`. Handlers run on the executor's threads; with several threads, concurrently.
  HttpServer(const boost::asio::any_io_executor& executor, HttpServerOptions options,
             Handler handler);
  HttpServer(const boost::asio::any_io_executor& executor, HttpServerOptions options,
             AsyncHandler handler);
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler);
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, AsyncHandler handler);
  /// Calls stop().
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The bound port (the one picked when the options said 0).
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const std::string& address() const noexcept;

  /// Accepts WebSocket upgrades on `path` (exact match, query ignored). Thread-safe; a later
  /// call for the same path replaces the route. Upgrades on other paths are answered by the
  /// handler like any request.
  void on_websocket(std::string path, WebSocketRoute route);

  /// Stops accepting and closes every connection (WebSockets with a 1001 close frame). Safe from
  /// any thread and from inside a handler, and idempotent. When it returns from outside a
  /// handler, no handler or callback is running and none will start, so whatever they capture
  /// may be destroyed. The sockets close on the executor: once they have, the server holds no
  /// work, so io_context::run() returns if nothing else is pending.
  void stop();

  struct Counters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_open = 0;
    std::uint64_t requests = 0;
  };
  [[nodiscard]] Counters counters() const;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace cadence::sim
