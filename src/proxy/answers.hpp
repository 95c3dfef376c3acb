// The answers the proxy makes itself, shaped like Discord's so that any client library handles
// them: {"message", "code"} errors, and 429s with Discord's body and X-RateLimit-* headers. Each
// carries "Via" (discord.py takes a 429 without one for a Cloudflare ban) and X-Cadence-Proxy
// naming the reason, so a bot can tell them from Discord's.
#pragma once

#include <exception>
#include <string_view>

#include "cadence/discord/error.hpp"
#include "cadence/discord/rate_limiter.hpp"
#include "cadence/http/message.hpp"

namespace cadence::proxy::detail {

/// {"message": message, "code": 0} with `status`; `reason` goes in X-Cadence-Proxy.
[[nodiscard]] http::Response json_error(unsigned status, std::string_view message,
                                        std::string_view reason);

/// The 429 for a request the limiter would not let wait (max-wait, breaker, ban): Discord's
/// body (message, retry_after in seconds, global) and headers (Retry-After, X-RateLimit-Scope,
/// -Global, and -Limit/-Remaining/-Reset/-Reset-After/-Bucket when the bucket is known).
[[nodiscard]] http::Response rate_limited(const discord::RateLimitedError& error,
                                          const discord::BucketSnapshot& bucket);

/// The answer for a request that failed without an upstream answer; `reason` is set to the
/// refusal reason for metrics. RateLimitedError is not handled here (it needs the bucket).
[[nodiscard]] http::Response failure(const std::exception_ptr& error, std::string_view& reason);

}  // namespace cadence::proxy::detail
