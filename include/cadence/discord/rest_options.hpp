// Settings of discord::Rest. Defaults follow the design's Decisions section.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cadence/core/snowflake.hpp"
#include "cadence/discord/rate_limiter.hpp"
#include "cadence/http/client_options.hpp"
#include "cadence/version.hpp"

namespace cadence::discord {

/// How the token is sent: "Authorization: Bot <token>" or "Authorization: Bearer <token>".
enum class TokenType { bot, bearer };

/// Resends after 500, 502, 503, 504 and network errors. Only requests that cannot act twice are
/// resent: GET, HEAD, PUT, DELETE, OPTIONS, and message creation carrying a nonce with
/// enforce_nonce (which Rest adds itself). A 429 is not counted here: it is always waited out.
struct RetryPolicy {
  /// Attempts in total, the first included (1 turns resending off).
  unsigned max_attempts = 3;
  /// The n-th resend (n from 0) waits base_delay x 2^n, spread by +-jitter/2 of that.
  std::chrono::milliseconds base_delay{500};
  double jitter = 0.5;
  /// A request answered 429 this many times in a row fails with RateLimitedError, so that a
  /// misbehaving server cannot keep it forever (Discord's 429s are waited out long before).
  unsigned max_rate_limit_retries = 50;
};

/// "DiscordBot (https://github.com/cadence, <version>)", the form Discord requires.
[[nodiscard]] inline std::string default_user_agent() {
  return std::string("DiscordBot (https://github.com/cadence, ") + version_string + ")";
}

struct RestOptions {
  /// Without the version; "https://discord.com/api" or a simulator's "http://127.0.0.1:P/api".
  std::string base_url = "https://discord.com/api";
  /// Sent as /v{api_version} after the base URL; 0 sends no version segment.
  unsigned api_version = 10;
  /// The bot (or OAuth2 bearer) token. Never appears in errors or logs. May be empty for a Rest
  /// that only sends requests with auth = false (webhooks by token).
  std::string token;
  TokenType token_type = TokenType::bot;
  std::string user_agent = default_user_agent();
  /// The HTTP client's settings (connect timeout, pool size, TLS, body cap).
  http::ClientOptions http;
  /// The rate limiter's settings: global limit, observer, reject policy, and the invalid-request
  /// breaker to share with the Rest instances of other tokens on the same IP.
  RateLimiterOptions limiter;
  /// One attempt: writing the request and reading the whole response.
  std::chrono::milliseconds attempt_timeout{15000};
  RetryPolicy retry;
  /// The bot's application id: /webhooks/{application_id}/{token} routes are then known to be
  /// interaction followups (not globally limited) whatever their token looks like.
  std::optional<Snowflake> application_id;
};

}  // namespace cadence::discord
