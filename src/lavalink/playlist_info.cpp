#include "cadence/lavalink/playlist_info.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const PlaylistInfo& info) {
  jv = boost::json::object{{"name", info.name}, {"selectedTrack", info.selected_track}};
}

PlaylistInfo tag_invoke(const boost::json::value_to_tag<PlaylistInfo>&,
                        const boost::json::value& jv) {
  const detail::Path root;
  const detail::ObjectReader r(jv, root);
  return PlaylistInfo{r.string("name"), r.integer("selectedTrack")};
}

}  // namespace cadence::lavalink
