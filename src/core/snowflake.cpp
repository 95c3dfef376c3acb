#include "cadence/core/snowflake.hpp"

#include <boost/json/value.hpp>
#include <charconv>
#include <stdexcept>

namespace cadence {

std::optional<Snowflake> Snowflake::parse(std::string_view text) noexcept {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return Snowflake(value);
}

Snowflake Snowflake::from_time(std::chrono::system_clock::time_point when) noexcept {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const auto count = ms.count();
  if (count <= static_cast<std::int64_t>(discord_epoch_ms)) return Snowflake(0);
  return Snowflake((static_cast<std::uint64_t>(count) - discord_epoch_ms) << 22);
}

std::chrono::system_clock::time_point Snowflake::created_at() const noexcept {
  const auto ms = (value_ >> 22) + discord_epoch_ms;
  return std::chrono::system_clock::time_point(
      std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
}

std::string Snowflake::to_string() const { return std::to_string(value_); }

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, Snowflake id) {
  jv = id.to_string();
}

Snowflake tag_invoke(const boost::json::value_to_tag<Snowflake>&, const boost::json::value& jv) {
  if (const auto* s = jv.if_string()) {
    if (auto id = Snowflake::parse(*s)) return *id;
  } else if (const auto* u = jv.if_uint64()) {
    return Snowflake(*u);
  } else if (const auto* i = jv.if_int64(); i && *i >= 0) {
    return Snowflake(static_cast<std::uint64_t>(*i));
  }
  throw std::invalid_argument("expected a snowflake (a decimal id as a string)");
}

}  // namespace cadence
