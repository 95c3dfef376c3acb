// Discord's rate-limit headers and 429 body, parsed into plain values. The parser takes any
// range of (name, value) pairs of strings, so it needs no HTTP types and can be fuzzed and
// benchmarked alone. Malformed values are ignored (and flagged), never fatal.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>

#include "cadence/discord/error.hpp"

namespace cadence::discord {

/// Header names Discord sends (compared case-insensitively).
namespace header {
inline constexpr std::string_view bucket = "X-RateLimit-Bucket";
inline constexpr std::string_view limit = "X-RateLimit-Limit";
inline constexpr std::string_view remaining = "X-RateLimit-Remaining";
inline constexpr std::string_view reset = "X-RateLimit-Reset";
inline constexpr std::string_view reset_after = "X-RateLimit-Reset-After";
inline constexpr std::string_view global = "X-RateLimit-Global";
inline constexpr std::string_view scope = "X-RateLimit-Scope";
inline constexpr std::string_view retry_after = "Retry-After";
}  // namespace header

/// What one response said about rate limits. Every field is optional: Discord sends the bucket
/// headers on most routes (429s included), Scope and Global only on 429s.
struct RateLimitHeaders {
  /// Which field held a value that could not be parsed (bit per field, see Field).
  enum Field : std::uint32_t {
    f_bucket = 1u << 0,
    f_limit = 1u << 1,
    f_remaining = 1u << 2,
    f_reset = 1u << 3,
    f_reset_after = 1u << 4,
    f_global = 1u << 5,
    f_scope = 1u << 6,
    f_retry_after = 1u << 7,
  };

  std::optional<std::string> bucket;
  std::optional<std::uint32_t> limit;
  std::optional<std::uint32_t> remaining;
  /// X-RateLimit-Reset-After, rounded up to whole milliseconds: measured on a steady clock from
  /// when the response arrived, so clock skew does not matter.
  std::optional<std::chrono::milliseconds> reset_after;
  /// X-RateLimit-Reset (Unix epoch, milliseconds): a fallback only; skew makes it unreliable.
  std::optional<std::chrono::milliseconds> reset_epoch;
  bool global = false;
  /// Only user, global or shared.
  std::optional<RateLimitScope> scope;
  /// The Retry-After header (whole seconds as Discord sends it; decimals accepted).
  std::optional<std::chrono::milliseconds> retry_after;
  /// Fields whose value was malformed and therefore ignored (a bitmask of Field).
  std::uint32_t malformed = 0;

  /// True when no bucket information came (no Limit, Remaining, Reset-After or Bucket).
  [[nodiscard]] bool has_bucket_info() const noexcept {
    return bucket || limit || remaining || reset_after;
  }

  /// Feeds one header field; unrelated names are ignored. The first occurrence of a field wins.
  void add_field(std::string_view name, std::string_view value);
};

/// Parses the rate-limit fields out of `fields`, a range of pair-like (name, value) elements
/// convertible to std::string_view (http::Headers, std::map, vector<pair<string,string>>...).
template <std::ranges::input_range Fields>
[[nodiscard]] RateLimitHeaders parse_rate_limit_headers(const Fields& fields) {
  RateLimitHeaders out;
  for (const auto& field : fields) {
    const auto& [name, value] = field;
    out.add_field(std::string_view(name), std::string_view(value));
  }
  return out;
}

/// The JSON body of a 429: {"message", "retry_after", "global", "code"?}.
struct RateLimitBody {
  /// retry_after (float seconds in the body), rounded up to milliseconds.
  std::optional<std::chrono::milliseconds> retry_after;
  bool global = false;
  std::optional<int> code;
  std::string message;
};

/// Parses a 429 body. std::nullopt when the body is not a JSON object (a Cloudflare ban page,
/// for instance). Fields of the wrong type are ignored.
[[nodiscard]] std::optional<RateLimitBody> parse_rate_limit_body(std::string_view body) noexcept;

/// Parses a non-negative decimal number of seconds ("1", "0.250", "64.57") into milliseconds,
/// rounding up; std::nullopt for anything else (signs, exponents, more than 10^10 seconds, which
/// still admits X-RateLimit-Reset's epoch seconds).
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_seconds(
    std::string_view text) noexcept;

}  // namespace cadence::discord
