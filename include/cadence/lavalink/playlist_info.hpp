// The `info` of a playlist load result.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <string>

namespace cadence::lavalink {

struct PlaylistInfo {
  std::string name;
  /// Index of the selected track, -1 when none is selected.
  int selected_track = -1;
  friend bool operator==(const PlaylistInfo&, const PlaylistInfo&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const PlaylistInfo& info);
PlaylistInfo tag_invoke(const boost::json::value_to_tag<PlaylistInfo>&,
                        const boost::json::value& jv);

}  // namespace cadence::lavalink
