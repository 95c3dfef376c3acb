// GET /v4/routeplanner/status: one alternative per route planner class. Big numbers (an IPv6
// block's size, indexes) arrive as strings and stay strings.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cadence/lavalink/timestamp.hpp"

namespace cadence::lavalink {

struct IpBlock {
  std::string type;  ///< "Inet4Address" or "Inet6Address"
  std::string size;  ///< addresses in the block, decimal (can exceed 64 bits)
  friend bool operator==(const IpBlock&, const IpBlock&) = default;
};

struct FailingAddress {
  std::string address;
  Timestamp timestamp{};
  std::string time;  ///< the server's human-readable form of timestamp
  friend bool operator==(const FailingAddress&, const FailingAddress&) = default;
};

/// Switches address when one gets banned.
struct RotatingIpRoutePlanner {
  IpBlock ip_block;
  std::vector<FailingAddress> failing_addresses;
  std::string rotate_index;
  std::string ip_index;
  std::string current_address;
  friend bool operator==(const RotatingIpRoutePlanner&, const RotatingIpRoutePlanner&) = default;
};

/// Switches address on every clock update (needs at least a /64).
struct NanoIpRoutePlanner {
  IpBlock ip_block;
  std::vector<FailingAddress> failing_addresses;
  std::string current_address_index;
  friend bool operator==(const NanoIpRoutePlanner&, const NanoIpRoutePlanner&) = default;
};

/// Switches on clock updates, and to a new /64 block on a ban.
struct RotatingNanoIpRoutePlanner {
  IpBlock ip_block;
  std::vector<FailingAddress> failing_addresses;
  std::string block_index;
  std::string current_address_index;
  friend bool operator==(const RotatingNanoIpRoutePlanner&,
                         const RotatingNanoIpRoutePlanner&) = default;
};

/// A random address for each request.
struct BalancingIpRoutePlanner {
  IpBlock ip_block;
  std::vector<FailingAddress> failing_addresses;
  friend bool operator==(const BalancingIpRoutePlanner&, const BalancingIpRoutePlanner&) = default;
};

/// A class this version does not know (a newer server's, or a plugin's), with its details
/// untouched, so that a status call does not fail on it.
struct UnknownRoutePlanner {
  std::string class_name;
  boost::json::value details;
  friend bool operator==(const UnknownRoutePlanner&, const UnknownRoutePlanner&) = default;
};

using RoutePlannerStatus =
    std::variant<RotatingIpRoutePlanner, NanoIpRoutePlanner, RotatingNanoIpRoutePlanner,
                 BalancingIpRoutePlanner, UnknownRoutePlanner>;

/// The `class` string of an alternative (the server's text for UnknownRoutePlanner).
[[nodiscard]] std::string_view class_name(const RoutePlannerStatus& status) noexcept;

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const RoutePlannerStatus& status);
/// Keeps rvalues away from Boost.JSON's generic std::variant conversion (which drops `class`).
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                RoutePlannerStatus&& status);
RoutePlannerStatus tag_invoke(const boost::json::value_to_tag<RoutePlannerStatus>&,
                              const boost::json::value& jv);

}  // namespace cadence::lavalink
