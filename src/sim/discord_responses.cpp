#include "sim/discord_responses.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace cadence::sim::detail {

std::string seconds_text(std::chrono::nanoseconds d) {
  const auto ms = (std::max<std::int64_t>(d.count(), 0) + 999999) / 1000000;
  return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
}

namespace {

// Retry-After is whole seconds on the wire (Discord's example: header 65 for a body of 64.57).
std::string whole_seconds(std::chrono::nanoseconds d) {
  const auto ns = std::max<std::int64_t>(d.count(), 0);
  return std::to_string((ns + 999999999) / 1000000000);
}

std::string epoch_after(std::chrono::nanoseconds d) {
  const auto at = std::chrono::system_clock::now().time_since_epoch() + d;
  return seconds_text(std::chrono::duration_cast<std::chrono::nanoseconds>(at));
}

}  // namespace

void add_discord_headers(HttpResponse& response) {
  response.headers.emplace_back("Via", "1.1 google");
}

HttpResponse discord_error(unsigned status, std::string_view message, int code) {
  auto response = HttpResponse::json(
      status, fmt::format(R"({{"message": {}, "code": {}}})",
                          boost::json::serialize(boost::json::string(message)), code));
  add_discord_headers(response);
  return response;
}

void add_bucket_headers(HttpResponse& response, const LimitDecision& d) {
  if (!d.has_bucket) return;
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  response.headers.emplace_back("X-RateLimit-Reset", epoch_after(d.reset_after));
  response.headers.emplace_back("X-RateLimit-Reset-After", seconds_text(d.reset_after));
  response.headers.emplace_back("X-RateLimit-Bucket", d.bucket_hash);
}

HttpResponse rate_limited(const LimitDecision& d) {
  const bool global = d.scope == LimitScope::global;
  auto response = HttpResponse::json(
      429, fmt::format(R"({{"message": "You are being rate limited.", "retry_after": {}, )"
                       R"("global": {}}})",
                       seconds_text(d.retry_after), global ? "true" : "false"));
  add_discord_headers(response);
  response.headers.emplace_back("Retry-After", whole_seconds(d.retry_after));
  if (global) response.headers.emplace_back("X-RateLimit-Global", "true");
  response.headers.emplace_back("X-RateLimit-Scope", std::string(to_string(d.scope)));
  add_bucket_headers(response, d);
  return response;
}

HttpResponse banned() {
  return HttpResponse::text(
      429,
      "<!DOCTYPE html>\n<html><head><title>Access denied | discord.com used Cloudflare to "
      "restrict access</title></head>\n<body><h1>Error 1015</h1><p>You are being rate limited."
      "</p><p>error code: 1015</p></body></html>\n",
      "text/html; charset=UTF-8");
}

}  // namespace cadence::sim::detail
