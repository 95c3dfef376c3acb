// The machinery behind WebSocketSession: one accepted WebSocket, its read loop and its queue of
// outgoing frames, on the connection's strand.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>

#include "cadence/sim/web_socket_session.hpp"
#include "sim/server_state.hpp"

namespace cadence::sim::detail {

class WebSocketConnection : public Connection,
                            public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(std::shared_ptr<ServerState> server, boost::beast::tcp_stream stream,
                      HttpRequest request, std::function<void(WebSocketSession)> open);

  /// Completes the handshake for `upgrade`, adding `headers` to the 101, then calls `open`.
  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade,
             HttpFields headers);
  /// Server stop: a 1001 close frame.
  void close() override;

  void set_message_handler(WebSocketSession::MessageHandler handler);
  void set_close_handler(WebSocketSession::CloseHandler handler);
  void send(std::string data, bool binary);
  void close_with(std::uint16_t code, std::string reason);
  void drop();
  [[nodiscard]] bool is_open() const noexcept { return open_.load(); }
  [[nodiscard]] const HttpRequest& request() const noexcept { return request_; }

 private:
  struct Outgoing {
    std::string data;
    bool binary = false;
    bool close = false;
    std::uint16_t code = 1000;
  };

  boost::asio::awaitable<void> run(
      boost::beast::http::request<boost::beast::http::string_body> upgrade, HttpFields headers);
  boost::asio::awaitable<void> write_loop();
  void enqueue(Outgoing item);

  std::shared_ptr<ServerState> server_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  HttpRequest request_;
  std::function<void(WebSocketSession)> open_callback_;
  WebSocketSession::MessageHandler on_message_;
  WebSocketSession::CloseHandler on_close_;
  std::deque<Outgoing> outbox_;
  bool writing_ = false;
  bool closing_ = false;
  std::atomic<bool> open_{false};
  std::uint64_t id_ = 0;
};

}  // namespace cadence::sim::detail
