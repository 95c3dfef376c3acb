// One pooled connection: a TCP stream, optionally wrapped in TLS, and its read buffer.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

namespace cadence::http::detail {

struct Connection {
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  std::unique_ptr<boost::beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  boost::beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since{};
  std::uint64_t uses = 0;  // completed exchanges; > 0 means it came from the pool
  /// End of the exchange in progress (max when none): the client's deadline timer closes the
  /// connection once it passes, and sets timed_out so the failure is reported as a timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool timed_out = false;

  boost::beast::tcp_stream& lowest() noexcept { return tls ? tls->next_layer() : *plain; }
  /// Closes the socket at once (no TLS close_notify: the peer may be gone, and waiting for it
  /// would hold a pool slot).
  void close() noexcept;
  /// For an idle connection: false if the peer closed it or sent unexpected bytes (which for
  /// TLS is typically its close_notify). Checked without blocking before every reuse, so that
  /// a non-idempotent request is not written into a connection that is already dead.
  [[nodiscard]] bool idle_and_open() noexcept;
};

}  // namespace cadence::http::detail
