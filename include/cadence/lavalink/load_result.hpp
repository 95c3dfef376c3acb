// The answer of GET /v4/loadtracks: {loadType, data}, one alternative per loadType.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Load failures come back as HTTP 200 with loadType "error", so an Exception alternative is a
// normal result, not a thrown error. A loadType this version does not know (NodeLink's
// "album", "short", ...) is kept raw instead of failing.
//
// Example:
//   auto result = boost::json::value_to<cadence::lavalink::LoadResult>(body);
//   if (auto* playlist = std::get_if<cadence::lavalink::Playlist>(&result)) { ... }
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cadence/lavalink/exception.hpp"
#include "cadence/lavalink/playlist_info.hpp"
#include "cadence/lavalink/track.hpp"

namespace cadence::lavalink {

/// loadType "playlist".
struct Playlist {
  PlaylistInfo info;
  boost::json::value plugin_info = boost::json::object();
  std::vector<Track> tracks;
  friend bool operator==(const Playlist&, const Playlist&) = default;
};

/// loadType "search".
struct SearchResult {
  std::vector<Track> tracks;
  friend bool operator==(const SearchResult&, const SearchResult&) = default;
};

/// loadType "empty": nothing matched.
struct EmptyResult {
  friend bool operator==(const EmptyResult&, const EmptyResult&) = default;
};

/// A loadType this version does not know, with its data untouched.
struct UnknownLoadResult {
  std::string load_type;
  boost::json::value data;
  friend bool operator==(const UnknownLoadResult&, const UnknownLoadResult&) = default;
};

/// track / playlist / search / empty / error (Exception) / unknown.
using LoadResult =
    std::variant<Track, Playlist, SearchResult, EmptyResult, Exception, UnknownLoadResult>;

/// The loadType string of an alternative ("track", "playlist", ...).
[[nodiscard]] std::string_view load_type(const LoadResult& result) noexcept;

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Playlist& p);
Playlist tag_invoke(const boost::json::value_to_tag<Playlist>&, const boost::json::value& jv);

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const LoadResult& result);
/// Needed so that rvalues pick this rather than Boost.JSON's generic std::variant conversion
/// (which would drop loadType).
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, LoadResult&& result);
LoadResult tag_invoke(const boost::json::value_to_tag<LoadResult>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
