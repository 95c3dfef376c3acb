// A request as http::Server hands it to its handler: plain strings and Headers, no Beast types.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <string>
#include <string_view>

#include "cadence/http/headers.hpp"

namespace cadence::http {

struct ServerRequest {
  /// As sent: "GET", "POST", ... (any token the parser accepted, not only http::Method's).
  std::string method;
  /// The request target as sent ("/api/v10/channels/1?limit=2"), not decoded.
  std::string target;
  /// Fields in the order they arrived, names as the client spelled them.
  Headers headers;
  std::string body;
  /// The peer's IP address ("127.0.0.1").
  std::string remote_address;
  /// 11 for HTTP/1.1, 10 for HTTP/1.0.
  unsigned version = 11;

  /// The target up to '?' (still percent-encoded).
  [[nodiscard]] std::string_view path() const noexcept {
    const std::string_view t(target);
    return t.substr(0, t.find('?'));
  }
  /// The target after '?', still encoded; empty when there is none.
  [[nodiscard]] std::string_view query() const noexcept {
    const std::string_view t(target);
    const auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  }
};

}  // namespace cadence::http
