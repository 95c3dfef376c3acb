// Cadence's own request and response types. Beast's message types stay inside src/http, so
// that layers above (and users) need neither Beast nor its compile time.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cadence/http/headers.hpp"

namespace cadence::http {

enum class Method { get, head, post, put, patch, del, options };

/// "GET", "POST", ...; `del` is "DELETE".
[[nodiscard]] std::string_view to_string(Method method) noexcept;
/// Parses an upper-case method name; std::nullopt for anything else.
[[nodiscard]] std::optional<Method> parse_method(std::string_view name) noexcept;
/// GET, HEAD, PUT, DELETE and OPTIONS may be sent again after a failure without a second effect.
[[nodiscard]] bool is_resend_safe(Method method) noexcept;

struct Request {
  Method method = Method::get;
  /// Absolute http:// or https:// URL. The path and query must already be percent-encoded.
  std::string url;
  /// Host, Content-Length and User-Agent are added by the client unless set here.
  Headers headers;
  std::string body;
  /// Overrides is_resend_safe(method): true lets the client resend after a failure on a reused
  /// connection (for example a POST carrying an idempotency nonce); false never resends.
  std::optional<bool> idempotent;
  /// Overrides ClientOptions::request_timeout for this request.
  std::optional<std::chrono::milliseconds> timeout;
  /// Called on the client's strand each time the whole request has been written to a
  /// connection, before the response is read: a rate limiter dates the send from here, since a
  /// new connection can hold a request up well after it was allowed. Must not throw or block.
  std::function<void()> on_written;

  [[nodiscard]] bool resend_safe() const noexcept {
    return idempotent.value_or(is_resend_safe(method));
  }
};

struct Response {
  unsigned status = 0;
  Headers headers;
  std::string body;
};

}  // namespace cadence::http
