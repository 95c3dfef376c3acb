// The state behind http::WebSocket: one Beast websocket stream (plain or TLS) on a strand, the
// queue that serializes writes and closes, and the error that ended the connection.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <string>

#include "cadence/http/web_socket.hpp"

namespace cadence::http::detail {

/// A write or close waiting for the one before it to finish. Woken by cancelling its timer,
/// with `granted` set when the turn is its own (otherwise it was cancelled or the socket is
/// being destroyed).
struct WriteTurn {
  boost::asio::steady_timer* timer = nullptr;
  bool granted = false;
};

class WebSocketImpl : public std::enable_shared_from_this<WebSocketImpl> {
 public:
  using PlainStream = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using TlsStream =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  /// What the connection was doing when an error happened; it picks the message.
  enum class Step { resolve, connect, tls, upgrade, open, closing };

  WebSocketImpl(const boost::asio::any_io_executor& executor, WebSocketOptions options);

  static boost::asio::awaitable<Response> connect(std::shared_ptr<WebSocketImpl> self,
                                                  std::string url, Headers headers);
  static boost::asio::awaitable<WebSocketMessage> read(std::shared_ptr<WebSocketImpl> self);
  static boost::asio::awaitable<void> write(std::shared_ptr<WebSocketImpl> self, std::string data,
                                            bool binary);
  static boost::asio::awaitable<void> close(std::shared_ptr<WebSocketImpl> self, std::uint16_t code,
                                            std::string reason);

  /// The public object is gone: close the socket, wake every queued write.
  void shutdown();

  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  WebSocketOptions options_;
  Response handshake_;
  std::atomic<bool> open_{false};

 private:
  enum class State { idle, connecting, open, ended };

  /// False when the caller cancelled or the object was destroyed while waiting.
  boost::asio::awaitable<bool> acquire_turn(const boost::asio::cancellation_state& cs);
  void release_turn();
  /// Turns an error of the operation that saw it into what that operation reports, and ends
  /// the connection with it (the first error to end it is what later operations report).
  std::exception_ptr fail(const boost::system::error_code& ec, Step step,
                          const boost::asio::cancellation_state& cs);
  std::exception_ptr map_error(const boost::system::error_code& ec, Step step) const;
  void end_with(std::exception_ptr error);
  std::exception_ptr closed_error() const;
  /// Throws std::invalid_argument (or the ending error) unless reads and writes may start.
  void check_usable(const char* what) const;
  void close_socket() noexcept;
  boost::beast::tcp_stream* lowest() noexcept;

  boost::asio::ssl::context ssl_;
  boost::asio::ip::tcp::resolver resolver_;
  std::unique_ptr<PlainStream> plain_;
  std::unique_ptr<TlsStream> tls_;
  State state_ = State::idle;
  bool destroyed_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closed_cleanly_ = false;
  std::exception_ptr ended_;
  std::string origin_;  // "ws://host:port": never the path or query
  std::deque<WriteTurn*> turns_;
};

}  // namespace cadence::http::detail
