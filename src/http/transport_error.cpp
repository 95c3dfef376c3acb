#include "http/transport_error.hpp"

#include <openssl/x509.h>

#include <fmt/format.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/system_error.hpp>

#include "cadence/core/error.hpp"

namespace cadence::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

std::string prefix(const ErrorContext& ctx) {
  switch (ctx.phase) {
    case Phase::resolve:
      return fmt::format("{} {}: resolving the host", ctx.method, ctx.origin);
    case Phase::connect:
      return fmt::format("{} {}: connecting", ctx.method, ctx.origin);
    case Phase::handshake:
      return fmt::format("{} {}: TLS handshake", ctx.method, ctx.origin);
    case Phase::exchange:
      break;
  }
  return fmt::format("{} {}", ctx.method, ctx.origin);
}

NetworkError network(const ErrorContext& ctx, NetworkError::Kind kind, std::string_view detail) {
  return NetworkError(fmt::format("{}: {}", prefix(ctx), detail), kind);
}

}  // namespace

std::exception_ptr make_aborted_error() {
  return std::make_exception_ptr(
      boost::system::system_error(asio::error::operation_aborted, "operation aborted"));
}

bool is_stale_connection_error(const boost::system::error_code& ec) noexcept {
  return ec == beast::http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

std::exception_ptr make_transport_error(const boost::system::error_code& ec,
                                        const ErrorContext& ctx) {
  using Kind = NetworkError::Kind;
  if (ec == asio::error::operation_aborted) return make_aborted_error();

  if (ec == beast::error::timeout) {
    const auto what =
        ctx.phase == Phase::exchange
            ? fmt::format("{}: no complete response within {} ms", prefix(ctx), ctx.timeout.count())
            : fmt::format("{}: timed out after {} ms", prefix(ctx), ctx.timeout.count());
    return std::make_exception_ptr(TimeoutError(what, ctx.timeout));
  }
  if (ctx.phase == Phase::handshake) {
    // Whatever breaks a handshake (a reset from a server that does not speak TLS, an alert, a
    // rejected certificate) is reported as a TLS failure, which is what the user must fix.
    std::string detail = ec.message();
    if (ctx.tls_verify_result != X509_V_OK) {
      detail = fmt::format("certificate rejected: {}",
                           X509_verify_cert_error_string(ctx.tls_verify_result));
    } else if (is_stale_connection_error(ec)) {
      detail = "the server closed the connection (does it speak TLS on this port?)";
    }
    return std::make_exception_ptr(TlsError(fmt::format("{}: {}", prefix(ctx), detail)));
  }
  if (ec == beast::http::error::body_limit) {
    return std::make_exception_ptr(ResponseTooLargeError(
        fmt::format("{}: response body larger than the {} byte limit", prefix(ctx), ctx.body_limit),
        ctx.body_limit));
  }
  if (ec == beast::http::error::header_limit || ec == beast::http::error::buffer_overflow) {
    return std::make_exception_ptr(
        ResponseTooLargeError(fmt::format("{}: response header larger than the {} byte limit",
                                          prefix(ctx), ctx.header_limit),
                              ctx.header_limit));
  }
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data || ec == asio::error::no_recovery ||
      ec == asio::error::service_not_found) {
    return std::make_exception_ptr(network(ctx, Kind::dns, "host name did not resolve"));
  }
  if (ec == asio::error::connection_refused) {
    return std::make_exception_ptr(network(ctx, Kind::refused, "connection refused"));
  }
  if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable) {
    return std::make_exception_ptr(network(ctx, Kind::refused, "host unreachable"));
  }
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted) {
    return std::make_exception_ptr(network(ctx, Kind::reset, "connection reset by peer"));
  }
  if (ec == beast::http::error::end_of_stream || ec == asio::error::eof) {
    return std::make_exception_ptr(
        network(ctx, Kind::eof, "connection closed before a response arrived"));
  }
  if (ec == beast::http::error::partial_message || ec == asio::ssl::error::stream_truncated) {
    return std::make_exception_ptr(
        network(ctx, Kind::eof, "connection closed in the middle of the response"));
  }
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return std::make_exception_ptr(TlsError(
        fmt::format("{}: TLS failure after the handshake ({})", prefix(ctx), ec.message())));
  }
  if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category()) {
    return std::make_exception_ptr(
        network(ctx, Kind::protocol, fmt::format("malformed HTTP response ({})", ec.message())));
  }
  return std::make_exception_ptr(network(ctx, Kind::reset, ec.message()));
}

}  // namespace cadence::http::detail
