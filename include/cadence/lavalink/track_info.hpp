// A track's metadata as Lavalink's JSON carries it (`info` inside a Track).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace cadence::lavalink {

struct TrackInfo {
  std::string identifier;
  /// Not part of the binary encoding: the codec sets it to !is_stream.
  bool is_seekable = false;
  std::string author;
  /// std::chrono::milliseconds::max() is lavaplayer's "unknown length".
  std::chrono::milliseconds length{0};
  bool is_stream = false;
  std::chrono::milliseconds position{0};
  std::string title;
  std::optional<std::string> uri;
  std::string source_name;
  std::optional<std::string> artwork_url;
  std::optional<std::string> isrc;

  friend bool operator==(const TrackInfo&, const TrackInfo&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const TrackInfo& info);
TrackInfo tag_invoke(const boost::json::value_to_tag<TrackInfo>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
