// A small HTTP/1.1 server on Beast: keep-alive connections, one request at a time per
// connection, a handler that sees plain ServerRequest / Response structs and answers later from
// any thread, malformed and oversized requests refused before the handler sees them, and a
// graceful shutdown (stop accepting, let the answers being produced go out, then close).
//
// It is the generic part of serving HTTP; what a server answers (a proxy, a simulator) lives in
// its own layer. Beast stays in src/http/.
//
// Example:
//   boost::asio::io_context io;
//   cadence::http::Server server(io.get_executor(), {.port = 0},
//       [](cadence::http::ServerRequest request, cadence::http::Responder responder) {
//         cadence::http::Response response{.status = 200, .headers = {}, .body = "hi"};
//         responder.send(std::move(response));
//       });
//   std::cout << server.port() << '\n';   // bound already; port 0 picked a free one
//   io.run();                              // until server.stop() (or a shutdown) has ended
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cadence/http/message.hpp"
#include "cadence/http/server_request.hpp"

namespace boost::asio {
class any_io_executor;
}  // namespace boost::asio

namespace cadence::http {

namespace detail {
class ServerState;
class ServerSession;
}  // namespace detail

struct ServerOptions {
  /// An IPv4 or IPv6 literal to listen on.
  std::string address = "127.0.0.1";
  /// 0 picks a free port; Server::port() tells which.
  std::uint16_t port = 0;
  /// Larger bodies are answered 413 (before the body is read when Content-Length says so).
  std::size_t body_limit = 32 * 1024 * 1024;
  /// A request line plus fields larger than this is answered 431.
  std::size_t header_limit = 64 * 1024;
  /// A kept-alive connection waiting this long for its next request is closed.
  std::chrono::milliseconds idle_timeout{60000};
  /// Once a request has started to arrive, the rest of it must arrive within this (so a client
  /// that sends slowly cannot hold a connection forever).
  std::chrono::milliseconds read_timeout{60000};
  /// Writing one answer must finish within this.
  std::chrono::milliseconds write_timeout{60000};
  /// Builds the answer to a request the server refuses itself (400 malformed, 413 too large,
  /// 431 header too large), given the status and a sentence saying why. Empty: plain text.
  std::function<Response(unsigned status, std::string_view reason)> error_response;
};

/// Answers one request, once, from any thread. Move-only. Destroyed without answering, it sends
/// a 500 (so a handler that forgets cannot hang the client).
class Responder {
 public:
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  /// Writes `response`. Content-Length is set by the server; hop-by-hop fields in it
  /// (Connection, Keep-Alive, Transfer-Encoding, Content-Length, TE, Trailer, Upgrade,
  /// Proxy-Connection) are dropped, so an upstream's answer can be passed on as it came. Later
  /// calls do nothing.
  void send(Response response);

 private:
  friend class detail::ServerSession;
  Responder(std::shared_ptr<detail::ServerSession> session, std::uint64_t sequence);

  std::shared_ptr<detail::ServerSession> session_;
  std::uint64_t sequence_ = 0;
};

class Server {
 public:
  /// Called on the connection's strand for each request read in full; answers through the
  /// Responder, now or later.
  using Handler = std::function<void(ServerRequest, Responder)>;

  /// Binds and listens at once (throws boost::system::system_error if it cannot), then accepts
  /// on `executor`.
  Server(const boost::asio::any_io_executor& executor, ServerOptions options, Handler handler);
  /// Calls stop().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const std::string& address() const noexcept;

  /// Graceful stop: closes the listener, closes connections waiting for a request, and lets
  /// every request already being read or answered finish (its answer says Connection: close).
  /// `on_drained` runs once on the executor when no connection is left. Safe from any thread;
  /// only the first call's callback is kept.
  void shutdown(std::function<void()> on_drained = {});
  /// Closes the listener and every connection now; answers not yet written are lost. Safe from
  /// any thread and idempotent; on_drained (if a shutdown was asked for) still runs.
  void stop();

  struct Counters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_open = 0;
    /// Requests read in full.
    std::uint64_t requests = 0;
    /// Requests handed to the handler whose answer is not written yet.
    std::uint64_t requests_active = 0;
    /// Requests refused by the server itself (malformed, too large).
    std::uint64_t requests_refused = 0;
  };
  [[nodiscard]] Counters counters() const;

 private:
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace cadence::http
