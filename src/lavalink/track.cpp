#include "cadence/lavalink/track.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
Track read_track(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  Track track;
  track.encoded = r.string("encoded");
  const Path info_path = path.field("info");
  track.info = read_track_info(r.require("info"), info_path);
  track.plugin_info = r.raw_object("pluginInfo");
  track.user_data = r.raw_object("userData");
  return track;
}

std::optional<Track> read_track_or_none(const json::value& v, const Path& path) {
  if (v.is_null()) return std::nullopt;
  if (v.is_object()) {
    bool names_a_track = false;
    for (const auto& field : v.get_object())
      if (field.key() != "userData" && field.key() != "pluginInfo") names_a_track = true;
    if (!names_a_track) return std::nullopt;
  }
  return read_track(v, path);
}
}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Track& track) {
  boost::json::object o;
  o.reserve(4);
  o.emplace("encoded", track.encoded);
  o.emplace("info", boost::json::value_from(track.info));
  o.emplace("pluginInfo", track.plugin_info);
  o.emplace("userData", track.user_data);
  jv = std::move(o);
}

Track tag_invoke(const boost::json::value_to_tag<Track>&, const boost::json::value& jv) {
  return detail::read_track(jv, detail::Path{});
}

}  // namespace cadence::lavalink
