// An asynchronous HTTP/1.1 client with a keep-alive connection pool per origin, TLS with
// verification on by default, timeouts and a response size cap.
// Threading: the io_context may run on several threads (each request runs on the client's strand);
// start requests and read pool_stats() from one thread at a time, as the tests do.
//
// Example (coroutine):
//   boost::asio::io_context io;
//   cadence::http::Client client(io.get_executor());
//   boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
//     auto res = co_await client.async_send({.url = "https://example.com/"},
//                                           boost::asio::use_awaitable);
//   }, boost::asio::detached);
//   io.run();
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include "cadence/http/client_options.hpp"
#include "cadence/http/message.hpp"

namespace cadence::http {

namespace detail {
class ClientImpl;
}

/// Counters for one origin's pool; see Client::pool_stats.
struct PoolStats {
  std::size_t open = 0;        ///< connections open or being opened
  std::size_t idle = 0;        ///< open and waiting in the pool
  std::size_t waiting = 0;     ///< requests waiting for a connection (the cap is reached)
  std::uint64_t connects = 0;  ///< connections opened since the client was made
  std::uint64_t reused = 0;    ///< requests sent on a pooled connection
};

class Client {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// Completion signature of async_send: an error (see below) or the response.
  using SendSignature = void(std::exception_ptr, Response);

  explicit Client(executor_type executor, ClientOptions options = {});
  /// Closes every connection. Operations still running complete with
  /// boost::system::system_error(operation_aborted).
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends `request` and reads the whole response. Any status is a success here; the layers
  /// above decide what a 4xx means.
  ///
  /// Completes exactly once, never inside this call, with one of:
  /// - the Response;
  /// - std::invalid_argument: the URL is not absolute http(s), or a header has CR/LF;
  /// - cadence::TimeoutError: connecting, or the attempt, took longer than its timeout;
  /// - cadence::NetworkError: refused, reset, dns, eof (closed before a full response),
  ///   protocol (not HTTP);
  /// - cadence::TlsError: the handshake failed or the certificate was rejected;
  /// - cadence::ResponseTooLargeError: the header or body passed its cap;
  /// - boost::system::system_error(operation_aborted): cancelled, or the client was destroyed.
  ///
  /// A request that fails on a reused keep-alive connection before any response byte arrives
  /// (the server had closed it) is sent once more on a new connection if request.resend_safe();
  /// otherwise it fails with NetworkError, since the server may have acted on it.
  ///
  /// Per-operation cancellation: terminal. The connection in use is closed; the request may or
  /// may not have reached the server.
  template <boost::asio::completion_token_for<SendSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto async_send(Request request, Token&& token = {}) {
    return boost::asio::async_initiate<Token, SendSignature>(
        [this](auto handler, Request req) { start_send(std::move(req), std::move(handler)); },
        token, std::move(request));
  }

  /// Pool counters for an origin such as "http://127.0.0.1:8080" (default port omitted or not).
  /// Call it from the client's executor, or while that executor runs nothing else.
  [[nodiscard]] PoolStats pool_stats(std::string_view origin) const;

  [[nodiscard]] executor_type get_executor() const noexcept;
  [[nodiscard]] const ClientOptions& options() const noexcept;

 private:
  void start_send(Request request, boost::asio::any_completion_handler<SendSignature> handler);

  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace cadence::http
