// Where the simulated server answers as NodeLink 2.3 instead of Lavalink (LavalinkFlavor). Kept
// apart from the routes so that each route only asks "which flavor?" once. The shapes follow
// what issue 9 reported from a real NodeLink 2.3; message texts and values are made up.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cadence::sim::detail {

/// GET /version's body.
[[nodiscard]] std::string_view nodelink_version() noexcept;
/// GET /v4/info with the enabled filters; NodeLink writes the version numbers as strings.
[[nodiscard]] boost::json::object nodelink_info(boost::json::array filters,
                                                const std::vector<std::string>& sources);
/// A player's `voice` without a voice connection: null fields and no channelId.
[[nodiscard]] boost::json::object nodelink_no_voice();
/// True for the routes NodeLink 2.3 does not have: PATCH /v4/sessions/{id} (no resuming) and
/// everything under /v4/routeplanner (no route planner). `segments` start with "v4".
[[nodiscard]] bool nodelink_lacks(const std::vector<std::string>& segments,
                                  std::string_view method) noexcept;

}  // namespace cadence::sim::detail
