// LavaLyrics' lyrics object (topi314/LavaLyrics): GET /v4/lyrics?track=... and
// GET /v4/sessions/{sid}/players/{gid}/track/lyrics. See Rest::lyrics and Rest::player_lyrics.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cadence::lavalink {

/// One timed line of synced lyrics.
struct LyricsLine {
  /// Where the line starts in the track.
  std::chrono::milliseconds timestamp{0};
  std::optional<std::chrono::milliseconds> duration;
  std::string line;
  /// The providing plugin's own data (an object).
  boost::json::value plugin = boost::json::object();
  friend bool operator==(const LyricsLine&, const LyricsLine&) = default;
};

struct Lyrics {
  /// The source the lyrics came from (e.g. "spotify", "deezer").
  std::string source_name;
  /// Who provides them (e.g. "MusixMatch").
  std::string provider;
  /// The whole text, when the source has it.
  std::optional<std::string> text;
  /// Synced lines; empty when the source only has plain text.
  std::vector<LyricsLine> lines;
  /// The providing plugin's own data (an object).
  boost::json::value plugin = boost::json::object();
  friend bool operator==(const Lyrics&, const Lyrics&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const LyricsLine& l);
LyricsLine tag_invoke(const boost::json::value_to_tag<LyricsLine>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Lyrics& l);
Lyrics tag_invoke(const boost::json::value_to_tag<Lyrics>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
