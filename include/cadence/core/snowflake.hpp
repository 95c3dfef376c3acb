// Discord's 64-bit ids. Parsing is strict (decimal digits only, no sign, no overflow) because
// route validation relies on it to keep anything else out of id positions in a path.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cadence {

class Snowflake {
 public:
  /// Milliseconds between the Unix epoch and Discord's epoch (2015-01-01T00:00:00Z).
  static constexpr std::uint64_t discord_epoch_ms = 1420070400000ULL;

  constexpr Snowflake() = default;
  constexpr explicit Snowflake(std::uint64_t value) : value_(value) {}

  /// Parses a decimal id; std::nullopt for anything but 1-20 digits that fit 64 bits.
  [[nodiscard]] static std::optional<Snowflake> parse(std::string_view text) noexcept;
  /// The smallest id created at `when` (useful as a before/after bound, and for message age).
  [[nodiscard]] static Snowflake from_time(std::chrono::system_clock::time_point when) noexcept;

  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
  /// When the id was created (the top 42 bits, milliseconds since Discord's epoch).
  [[nodiscard]] std::chrono::system_clock::time_point created_at() const noexcept;
  [[nodiscard]] std::string to_string() const;

  friend constexpr auto operator<=>(Snowflake, Snowflake) = default;

 private:
  std::uint64_t value_ = 0;
};

/// JSON: Discord sends ids as strings; numbers are accepted on input too.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, Snowflake id);
Snowflake tag_invoke(const boost::json::value_to_tag<Snowflake>&, const boost::json::value& jv);

}  // namespace cadence

// Hidden from the API reference: Doxygen cannot place a specialization in namespace std.
/// \cond
template <>
struct std::hash<cadence::Snowflake> {
  std::size_t operator()(cadence::Snowflake id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value());
  }
};
/// \endcond
