// An asynchronous WebSocket client (ws:// and wss://): custom handshake headers, the
// handshake response kept for the caller, queued writes, automatic pong, keep-alive pings with
// an idle timeout, and close codes as typed errors.
// Threading: call a WebSocket from its executor's thread (or while that executor runs nothing
// else); its operations run on an internal strand.
//
// Example (coroutine):
//   cadence::http::WebSocket ws(io.get_executor());
//   cadence::http::Headers headers{{"Authorization", password}, {"User-Id", "123"}};
//   auto handshake = co_await ws.async_connect("ws://127.0.0.1:2333/v4/websocket",
//                                              std::move(headers), use_awaitable);
//   bool resumed = handshake.headers.get("Session-Resumed") == "true";
//   for (;;) {
//     auto message = co_await ws.async_read(use_awaitable);  // throws when the socket ends
//   }
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "cadence/http/message.hpp"
#include "cadence/http/web_socket_closed_error.hpp"
#include "cadence/http/web_socket_handshake_error.hpp"
#include "cadence/http/web_socket_options.hpp"

namespace cadence::http {

namespace detail {
class WebSocketImpl;
}

/// One complete message (fragments joined).
struct WebSocketMessage {
  std::string payload;
  bool binary = false;
};

/// One connection: connect once, then read and write until it ends. Make a new object to
/// reconnect. Functions are meant to be called from the executor's thread (or while it runs
/// nothing else); the operations themselves run on an internal strand.
///
/// Errors, common to all operations below:
/// - std::invalid_argument: bad input (URL, header), or an operation out of turn (reading
///   before connecting, a second read while one is pending, connecting twice);
/// - cadence::TimeoutError: connect, handshake or close took too long, or the open connection
///   was silent past WebSocketOptions::idle_timeout;
/// - cadence::NetworkError: refused, dns, reset or eof (the TCP connection dropped without a
///   close frame), protocol (not a WebSocket peer, or a frame that breaks the protocol);
/// - cadence::TlsError: the TLS handshake failed or the certificate was rejected;
/// - cadence::ResponseTooLargeError: a message larger than max_message_size arrived;
/// - WebSocketHandshakeError: the upgrade was answered with another status (carries it);
/// - WebSocketClosedError: the connection ended with a closing handshake (code and reason);
/// - boost::system::system_error(operation_aborted): cancelled, or the WebSocket was destroyed.
/// Once the connection has ended, every later read or write completes with the error that
/// ended it.
///
/// Cancellation (per operation, terminal): like Beast's stream, a WebSocket cannot resume after
/// an interrupted frame, so cancelling a started read, write or handshake closes the connection
/// and other pending operations complete with operation_aborted. A write still waiting in the
/// queue is simply removed.
class WebSocket {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// The handshake response (status 101, its headers, empty body).
  using ConnectSignature = void(std::exception_ptr, Response);
  using ReadSignature = void(std::exception_ptr, WebSocketMessage);
  using WriteSignature = void(std::exception_ptr);

  /// Throws std::invalid_argument when TlsOptions::ca_file cannot be loaded.
  explicit WebSocket(executor_type executor, WebSocketOptions options = {});
  /// Closes the socket at once (no close frame); every pending operation completes with
  /// boost::system::system_error(operation_aborted).
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  /// Connects to `url` (ws:// or wss://, path and query percent-encoded) and performs the
  /// upgrade, sending WebSocketOptions::headers overridden by `headers` (Authorization,
  /// User-Id, Session-Id, ...). Completes with the handshake response, also available later
  /// from handshake_response().
  template <boost::asio::completion_token_for<ConnectSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_connect(std::string url, Headers headers = {}, Token&& token = {}) {
    return boost::asio::async_initiate<Token, ConnectSignature>(
        [this](auto handler, std::string u, Headers h) {
          start_connect(std::move(u), std::move(h), std::move(handler));
        },
        token, std::move(url), std::move(headers));
  }

  /// Reads the next message. Pings are answered, and pongs noted, only while a read is pending,
  /// so keep one pending (a read loop) for the idle timeout to judge the peer and not you.
  /// One read at a time.
  template <boost::asio::completion_token_for<ReadSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_read(Token&& token = {}) {
    return boost::asio::async_initiate<Token, ReadSignature>(
        [this](auto handler) { start_read(std::move(handler)); }, token);
  }

  /// Queues a text message (which must be UTF-8). Writes go out in the order they were made,
  /// one at a time, so several may be issued without waiting, also while a read is pending.
  template <boost::asio::completion_token_for<WriteSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_write_text(std::string text, Token&& token = {}) {
    return boost::asio::async_initiate<Token, WriteSignature>(
        [this](auto handler, std::string data) {
          start_write(std::move(data), false, std::move(handler));
        },
        token, std::move(text));
  }

  /// Queues a binary message; see async_write_text.
  template <boost::asio::completion_token_for<WriteSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_write_binary(std::string data, Token&& token = {}) {
    return boost::asio::async_initiate<Token, WriteSignature>(
        [this](auto handler, std::string d) {
          start_write(std::move(d), true, std::move(handler));
        },
        token, std::move(data));
  }

  /// Queues a close frame after the writes already queued, then waits for the peer's close
  /// frame (up to handshake_timeout). A pending read then completes with WebSocketClosedError
  /// carrying the peer's answer. Succeeds at once when the connection has already ended.
  /// `code` must be one an endpoint may send (1000-1003, 1007-1011, 3000-4999); `reason` at
  /// most 123 bytes.
  template <boost::asio::completion_token_for<WriteSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_close(std::uint16_t code = 1000, std::string reason = {}, Token&& token = {}) {
    return boost::asio::async_initiate<Token, WriteSignature>(
        [this](auto handler, std::uint16_t c, std::string r) {
          start_close(c, std::move(r), std::move(handler));
        },
        token, code, std::move(reason));
  }

  /// The handshake response of a successful connect (status 0 before that).
  [[nodiscard]] const Response& handshake_response() const noexcept;
  /// True between a successful connect and the end of the connection.
  [[nodiscard]] bool is_open() const noexcept;

  [[nodiscard]] executor_type get_executor() const noexcept;
  [[nodiscard]] const WebSocketOptions& options() const noexcept;

 private:
  void start_connect(std::string url, Headers headers,
                     boost::asio::any_completion_handler<ConnectSignature> handler);
  void start_read(boost::asio::any_completion_handler<ReadSignature> handler);
  void start_write(std::string data, bool binary,
                   boost::asio::any_completion_handler<WriteSignature> handler);
  void start_close(std::uint16_t code, std::string reason,
                   boost::asio::any_completion_handler<WriteSignature> handler);

  std::shared_ptr<detail::WebSocketImpl> impl_;
};

}  // namespace cadence::http
