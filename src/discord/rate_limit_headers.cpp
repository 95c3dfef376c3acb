#include "cadence/discord/rate_limit_headers.hpp"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>

#include "discord/text.hpp"

namespace cadence::discord {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint32_t> parse_count(std::string_view s) noexcept {
  s = trim(s);
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint32_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool valid_bucket(std::string_view s) noexcept {
  if (s.empty() || s.size() > 128) return false;
  for (const char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

template <typename T>
void set_once(std::optional<T>& slot, std::optional<T> value, std::uint32_t& malformed,
              std::uint32_t bit) {
  if (slot) return;
  if (value) {
    slot = std::move(value);
  } else {
    malformed |= bit;
  }
}

std::optional<std::chrono::milliseconds> seconds_from_json(const boost::json::value& v) noexcept {
  double s = 0;
  if (v.is_double()) {
    s = v.get_double();
  } else if (v.is_int64()) {
    s = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    s = static_cast<double>(v.get_uint64());
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(s) || s < 0 || s > 1e9) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000.0 - 1e-6)));
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) noexcept {
  const auto s = trim(text);
  if (s.empty()) return std::nullopt;
  std::size_t i = 0;
  std::uint64_t whole = 0;
  std::size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (++int_digits > 11) return std::nullopt;
    whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    ++i;
  }
  std::uint64_t frac_ms = 0;
  bool round_up = false;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (frac_digits < 3) {
        frac_ms = frac_ms * 10 + static_cast<std::uint64_t>(s[i] - '0');
      } else if (s[i] != '0') {
        round_up = true;  // waits are rounded up so that we never wake early
      }
      ++frac_digits;
      ++i;
    }
    if (frac_digits == 0) return std::nullopt;
    for (auto k = frac_digits; k < 3; ++k) frac_ms *= 10;
  }
  if (i != s.size() || int_digits == 0) return std::nullopt;
  if (whole > 10'000'000'000ULL) return std::nullopt;
  const auto ms = whole * 1000 + frac_ms + (round_up ? 1 : 0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

namespace {

// A wait (Retry-After, X-RateLimit-Reset-After) longer than this is malformed, as in the 429
// body. The parser reads up to 1e10 s for the epoch in X-RateLimit-Reset, but a wait that long
// overflows steady_clock's nanoseconds once the limiter converts it (UBSan, found by
// fuzz/rate_limit_headers: "Retry-After: 9999999999").
std::optional<std::chrono::milliseconds> parse_wait(std::string_view text) noexcept {
  auto wait = parse_seconds(text);
  if (wait && *wait > std::chrono::seconds(1'000'000'000)) return std::nullopt;
  return wait;
}

}  // namespace

void RateLimitHeaders::add_field(std::string_view name, std::string_view value) {
  using detail::iequals;
  if (name.size() < 11) return;
  if (iequals(name, header::retry_after)) {
    set_once(retry_after, parse_wait(value), malformed, f_retry_after);
    return;
  }
  if (name.size() < 13 || !iequals(name.substr(0, 12), "X-RateLimit-")) return;
  if (iequals(name, header::bucket)) {
    const auto v = trim(value);
    set_once(bucket, valid_bucket(v) ? std::optional<std::string>(std::string(v)) : std::nullopt,
             malformed, f_bucket);
  } else if (iequals(name, header::limit)) {
    auto v = parse_count(value);
    if (v && *v == 0) v.reset();  // a limit of 0 would block a bucket forever
    set_once(limit, v, malformed, f_limit);
  } else if (iequals(name, header::remaining)) {
    set_once(remaining, parse_count(value), malformed, f_remaining);
  } else if (iequals(name, header::reset_after)) {
    set_once(reset_after, parse_wait(value), malformed, f_reset_after);
  } else if (iequals(name, header::reset)) {
    set_once(reset_epoch, parse_seconds(value), malformed, f_reset);
  } else if (iequals(name, header::global)) {
    const auto v = trim(value);
    if (iequals(v, "true")) {
      global = true;
    } else if (!iequals(v, "false")) {
      malformed |= f_global;
    }
  } else if (iequals(name, header::scope)) {
    if (scope) return;
    const auto v = trim(value);
    if (iequals(v, "user")) {
      scope = RateLimitScope::user;
    } else if (iequals(v, "global")) {
      scope = RateLimitScope::global;
    } else if (iequals(v, "shared")) {
      scope = RateLimitScope::shared;
    } else {
      malformed |= f_scope;
    }
  }
}

std::optional<RateLimitBody> parse_rate_limit_body(std::string_view body) noexcept {
  try {
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (ec) return std::nullopt;
    const auto* obj = v.if_object();
    if (!obj) return std::nullopt;
    RateLimitBody out;
    if (const auto* r = obj->if_contains("retry_after")) out.retry_after = seconds_from_json(*r);
    if (const auto* g = obj->if_contains("global"); g && g->is_bool()) out.global = g->get_bool();
    if (const auto* c = obj->if_contains("code")) {
      if (c->is_int64() && c->get_int64() >= INT32_MIN && c->get_int64() <= INT32_MAX) {
        out.code = static_cast<int>(c->get_int64());
      } else if (c->is_uint64() && c->get_uint64() <= INT32_MAX) {
        out.code = static_cast<int>(c->get_uint64());
      }
    }
    if (const auto* m = obj->if_contains("message"); m && m->is_string()) {
      out.message = std::string(m->get_string());
    }
    return out;
  } catch (...) {
    // Only allocation can throw here; a body we cannot hold is treated as not JSON.
    return std::nullopt;
  }
}

}  // namespace cadence::discord
