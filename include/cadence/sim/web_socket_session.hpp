// A WebSocket accepted by HttpServer (see HttpServer::on_websocket), as a small handle: the
// Lavalink simulator's /v4/websocket is the intended user. Beast stays behind the handle.
// Threading: a session handle may be used from any thread (sends are queued in order); its handlers
// run on the connection's strand, one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cadence/sim/http_request.hpp"

namespace cadence::sim {

namespace detail {
class WebSocketConnection;
}

/// A cheap, copyable handle to one accepted WebSocket. All functions are thread-safe; sends are
/// queued and written in order. Handlers run on the connection's strand, one at a time.
class WebSocketSession {
 public:
  /// A text (or, with `binary`, binary) message from the client.
  using MessageHandler = std::function<void(std::string message, bool binary)>;
  /// The connection ended: the client's close code and reason, or 1006 when it just went away.
  using CloseHandler = std::function<void(std::uint16_t code, std::string reason)>;

  /// Set handlers inside the route's `open` callback: reading starts when it returns.
  void on_message(MessageHandler handler) const;
  void on_close(CloseHandler handler) const;

  /// Queues a text frame. Ignored once the session is closing.
  void send(std::string text) const;
  /// Queues a binary frame. Ignored once the session is closing.
  void send_binary(std::string data) const;
  /// Sends a close frame after the queued messages, then waits for the client's.
  void close(std::uint16_t code = 1000, std::string reason = {}) const;
  /// Drops the TCP connection without a close frame (the client sees an abnormal closure).
  void drop() const;

  /// False once closing has started or the connection ended.
  [[nodiscard]] bool is_open() const;
  /// The upgrade request (path, query, headers such as Authorization or Session-Id).
  [[nodiscard]] const HttpRequest& request() const;

  explicit WebSocketSession(std::shared_ptr<detail::WebSocketConnection> impl)
      : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<detail::WebSocketConnection> impl_;
};

}  // namespace cadence::sim
