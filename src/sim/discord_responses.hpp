// The simulated Discord's answers in Discord's shapes: rate-limit headers, 429 bodies, JSON
// errors and the Cloudflare ban page.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "cadence/sim/discord_limits.hpp"
#include "cadence/sim/http_response.hpp"

namespace cadence::sim::detail {

/// Seconds with three decimals, rounded up to the millisecond so that a client waiting exactly
/// this long is never early ("1.250").
[[nodiscard]] std::string seconds_text(std::chrono::nanoseconds d);

/// Discord's error shape: {"message": ..., "code": ...}.
[[nodiscard]] HttpResponse discord_error(unsigned status, std::string_view message, int code);

/// Adds X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket when the decision has a bucket.
void add_bucket_headers(HttpResponse& response, const LimitDecision& decision);

/// The 429 for a rate_limited decision: headers (Retry-After, Scope, Global) and body.
[[nodiscard]] HttpResponse rate_limited(const LimitDecision& decision);

/// What a banned client gets: Cloudflare's HTML 429, with no JSON, no retry_after and none of
/// Discord's headers (not even Via), which is how clients tell a ban from a rate limit.
[[nodiscard]] HttpResponse banned();

/// Marks an answer as Discord's own (behind Google's load balancer, like the real API).
void add_discord_headers(HttpResponse& response);

}  // namespace cadence::sim::detail
