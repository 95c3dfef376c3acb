// The one place where Asio/Beast/OpenSSL error codes become Cadence's typed errors.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <exception>
#include <string_view>

namespace cadence::http::detail {

/// What the client was doing when the error happened; it picks the message and, for timeouts,
/// which limit was exceeded.
enum class Phase { resolve, connect, handshake, exchange };

struct ErrorContext {
  std::string_view method;
  std::string_view origin;  // scheme://host:port, never the path
  Phase phase = Phase::exchange;
  std::chrono::milliseconds timeout{0};
  std::size_t body_limit = 0;
  std::size_t header_limit = 0;
  long tls_verify_result = 0;  // X509_V_OK when not a verification failure
};

/// Maps `ec` to a cadence::Error subclass (or system_error(operation_aborted) for
/// cancellation) carrying a message that names the method and origin only.
std::exception_ptr make_transport_error(const boost::system::error_code& ec,
                                        const ErrorContext& ctx);

/// True for errors that mean "the server closed this connection before answering": on a
/// reused keep-alive connection they allow one resend of a resend-safe request.
bool is_stale_connection_error(const boost::system::error_code& ec) noexcept;

/// The exception every aborted operation completes with.
std::exception_ptr make_aborted_error();

}  // namespace cadence::http::detail
