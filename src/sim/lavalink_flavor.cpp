#include "sim/lavalink_flavor.hpp"

namespace cadence::sim::detail {

namespace json = boost::json;

std::string_view nodelink_version() noexcept { return "2.3.0"; }

json::object nodelink_info(json::array filters, const std::vector<std::string>& sources) {
  // Only the shape is NodeLink's (version numbers as strings, issue 9); the values, like the
  // Node.js-flavoured "jvm" and "lavaplayer", are the simulator's own.
  return json::object{
      {"version", json::object{{"semver", nodelink_version()},
                               {"major", "2"},
                               {"minor", "3"},
                               {"patch", "0"},
                               {"preRelease", nullptr}}},
      {"buildTime", -1},
      {"git", json::object{{"branch", "main"}, {"commit", "fae1694"}, {"commitTime", -1}}},
      {"jvm", "v20.18.1"},
      {"lavaplayer", "@performanc/voice@2.2.1"},
      {"sourceManagers", json::array(sources.begin(), sources.end())},
      {"filters", std::move(filters)},
      {"plugins", json::array{}}};
}

json::object nodelink_no_voice() {
  return json::object{{"token", nullptr}, {"endpoint", nullptr}, {"sessionId", nullptr}};
}

bool nodelink_lacks(const std::vector<std::string>& segments, std::string_view method) noexcept {
  const auto n = segments.size();
  if (n >= 2 && segments[1] == "routeplanner") return true;
  return n == 3 && segments[1] == "sessions" && method == "PATCH";
}

}  // namespace cadence::sim::detail
