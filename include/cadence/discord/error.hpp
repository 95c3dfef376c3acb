// Discord's errors: what the API answered (ApiError) and what the rate limiter refused
// (RateLimitedError). Neither message ever contains a token: routes are shown by their key,
// in which tokens appear only as fingerprints.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/core/error.hpp"

namespace cadence::discord {

/// Why a request was (or would be) held back.
enum class RateLimitScope {
  user,      ///< the route's bucket (per token)
  global,    ///< the bot's global limit (or the per-IP limit of requests without a token)
  shared,    ///< a per-resource limit shared with other users (not counted as invalid)
  sublimit,  ///< a limit on a class of requests inside a bucket (known or learned from a 429)
  ban,       ///< Discord/Cloudflare refused us (a 429 without a JSON body): everything stopped
  breaker,   ///< the invalid-request breaker is open: too many 401/403/429 in 10 minutes
};

/// "user", "global", "shared", "sublimit", "ban", "breaker".
[[nodiscard]] std::string_view to_string(RateLimitScope scope) noexcept;

/// A request was refused because of a rate limit instead of being queued or sent: its deadline
/// is shorter than the known wait, its route is configured to reject rather than wait, the
/// breaker is open or the IP is banned.
class RateLimitedError : public Error {
 public:
  /// `route` is a route key (Route::key()), never a raw path.
  RateLimitedError(std::string route, RateLimitScope scope, std::chrono::milliseconds retry_after,
                   std::string_view reason = {});

  [[nodiscard]] const std::string& route() const noexcept { return route_; }
  [[nodiscard]] RateLimitScope scope() const noexcept { return scope_; }
  /// How long until a request of this kind could go; zero when unknown (ban without a hint).
  [[nodiscard]] std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }

 private:
  std::string route_;
  RateLimitScope scope_;
  std::chrono::milliseconds retry_after_;
};

/// Discord answered with an error status. Holds the JSON error's code, message and the nested
/// `errors` tree, also flattened into readable "field.path: message" lines.
class ApiError : public Error {
 public:
  ApiError(unsigned status, int code, std::string message, boost::json::value errors = nullptr);

  /// Builds the error from a response body: Discord's {"code","message","errors"} JSON when it
  /// parses, otherwise the status with the (shortened) body as message.
  [[nodiscard]] static ApiError from_response(unsigned status, std::string_view body);

  [[nodiscard]] unsigned status() const noexcept { return status_; }
  /// Discord's JSON error code (e.g. 50035 Invalid Form Body), 0 when there was none.
  [[nodiscard]] int code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  /// The nested `errors` object as Discord sent it (null when absent).
  [[nodiscard]] const boost::json::value& errors() const noexcept { return errors_; }
  /// One line per leaf error: "embeds.0.description: Must be 4096 or fewer in length.
  /// (BASE_TYPE_MAX_LENGTH)"; request-level errors have no path.
  [[nodiscard]] const std::vector<std::string>& error_lines() const noexcept { return lines_; }

 private:
  unsigned status_;
  int code_;
  std::string message_;
  boost::json::value errors_;
  std::vector<std::string> lines_;
};

/// A successful status whose body says it is JSON (by Content-Type) but does not parse: a
/// truncated or corrupted answer, never silently handed on as a string. The message names the
/// status and shows the start of the body.
class ResponseFormatError : public Error {
 public:
  ResponseFormatError(unsigned status, std::string_view content_type, std::string_view body);

  [[nodiscard]] unsigned status() const noexcept { return status_; }
  /// The first bytes of the body (at most 120), for the log.
  [[nodiscard]] const std::string& excerpt() const noexcept { return excerpt_; }

 private:
  unsigned status_;
  std::string excerpt_;
};

/// Flattens Discord's nested `errors` tree into "field.path: message" lines.
[[nodiscard]] std::vector<std::string> flatten_errors(const boost::json::value& errors);

}  // namespace cadence::discord
