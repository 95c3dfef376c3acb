// A track as Lavalink's REST API and events carry it.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <string>

#include "cadence/lavalink/track_info.hpp"

namespace cadence::lavalink {

struct Track {
  /// The base64 form (decode it locally with TrackCodec).
  std::string encoded;
  TrackInfo info;
  /// Whatever plugins attached, kept as the server sent it (an object).
  boost::json::value plugin_info = boost::json::object();
  /// The client's own data, set with PlayerUpdate (an object).
  boost::json::value user_data = boost::json::object();

  friend bool operator==(const Track&, const Track&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Track& track);
Track tag_invoke(const boost::json::value_to_tag<Track>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
