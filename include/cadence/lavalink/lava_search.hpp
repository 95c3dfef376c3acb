// LavaSearch (topi314/LavaSearch): GET /v4/loadsearch?query=...&types=... returns tracks,
// albums, artists, playlists and texts in one answer. See Rest::load_search.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <string>
#include <vector>

#include "cadence/lavalink/load_result.hpp"
#include "cadence/lavalink/track.hpp"

namespace cadence::lavalink {

/// What to search for.
struct LavaSearchQuery {
  /// With a source prefix, e.g. "spsearch:never gonna give you up".
  std::string query;
  /// Any of "track", "album", "artist", "playlist", "text"; empty sends no `types` and leaves
  /// the choice to the plugin. Kept as strings so that a plugin's newer types can be asked for.
  std::vector<std::string> types;
};

/// A text suggestion.
struct SearchText {
  std::string text;
  boost::json::value plugin = boost::json::object();
  friend bool operator==(const SearchText&, const SearchText&) = default;
};

/// The answer; albums, artists and playlists come without tracks (`tracks` is empty).
struct LavaSearchResult {
  std::vector<Track> tracks;
  std::vector<Playlist> albums;
  std::vector<Playlist> artists;
  std::vector<Playlist> playlists;
  std::vector<SearchText> texts;
  boost::json::value plugin = boost::json::object();
  friend bool operator==(const LavaSearchResult&, const LavaSearchResult&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const LavaSearchResult& r);
LavaSearchResult tag_invoke(const boost::json::value_to_tag<LavaSearchResult>&,
                            const boost::json::value& jv);

}  // namespace cadence::lavalink
