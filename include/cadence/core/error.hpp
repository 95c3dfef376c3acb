// The root of Cadence's error tree and the transport errors every layer shares.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Every asynchronous operation reports failure as a std::exception_ptr that holds one of these
// (or std::invalid_argument for a caller's bad input). Messages name the operation and the
// origin (scheme://host:port), never a path, query or header value, so that tokens carried in
// Discord webhook paths or Authorization headers cannot leak into logs.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cadence {

/// Base of every error Cadence reports, apart from std::invalid_argument for bad input.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An operation did not finish in time: connect, one HTTP attempt, or a caller's deadline.
class TimeoutError : public Error {
 public:
  TimeoutError(const std::string& what, std::chrono::milliseconds after)
      : Error(what), after_(after) {}
  /// How long the operation was allowed to take.
  [[nodiscard]] std::chrono::milliseconds after() const noexcept { return after_; }

 private:
  std::chrono::milliseconds after_;
};

/// A connection could not be made or broke, or the peer did not speak HTTP.
class NetworkError : public Error {
 public:
  enum class Kind {
    refused,   ///< nothing listens there, or the host is unreachable
    reset,     ///< the peer reset the connection
    dns,       ///< the host name did not resolve
    eof,       ///< the peer closed the connection before a full response
    protocol,  ///< the bytes received were not a valid HTTP (or WebSocket) message
  };
  NetworkError(const std::string& what, Kind kind) : Error(what), kind_(kind) {}
  [[nodiscard]] Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

/// The TLS handshake failed: the certificate was not trusted, named another host, or the peer
/// does not speak TLS.
class TlsError : public Error {
 public:
  using Error::Error;
};

/// The response (header or body) was larger than the configured cap; the connection is closed.
class ResponseTooLargeError : public Error {
 public:
  ResponseTooLargeError(const std::string& what, std::size_t limit) : Error(what), limit_(limit) {}
  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
};

/// A short lower-case name for a NetworkError kind ("refused", "reset", ...).
[[nodiscard]] std::string_view to_string(NetworkError::Kind kind) noexcept;

}  // namespace cadence
