// The body of PATCH /v4/sessions/{id}/players/{guild}.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Fields Lavalink lets a client clear (`track.encoded`, `endTime`) are Patch<T>: unset (key
// not sent), null, or a value. The rest are std::optional: unset or a value.
//
// Example:
//   PlayerUpdate update;
//   update.track = PlayerUpdate::TrackUpdate{.encoded = encoded};
//   update.volume = 80;
//   update.validate();  // throws std::invalid_argument for what the server would answer 400
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/patch.hpp"
#include "cadence/lavalink/voice_state.hpp"

namespace cadence::lavalink {

struct PlayerUpdate {
  struct TrackUpdate {
    /// A value plays that track; null stops playback.
    Patch<std::string> encoded;
    /// Resolved by the server to one track and played; excludes `encoded`.
    std::optional<std::string> identifier;
    /// Replaces the track's userData (an object).
    std::optional<boost::json::value> user_data;
    friend bool operator==(const TrackUpdate&, const TrackUpdate&) = default;
  };

  std::optional<TrackUpdate> track;
  /// Deprecated top-level form of track.encoded (`encodedTrack`), kept for code that still
  /// sends it; a value plays that track, null stops playback. Excludes `track`.
  Patch<std::string> encoded_track;
  /// Deprecated top-level form of track.identifier; excludes `track` and `encoded_track`.
  std::optional<std::string> identifier;
  std::optional<std::chrono::milliseconds> position;
  /// Where the track ends; must be > 0. Lavalink does not clear an existing end marker on
  /// null, despite its docs (replace the track to drop one).
  Patch<std::chrono::milliseconds> end_time;
  /// 0-1000 (Lavalink clamps other values, NodeLink refuses them; validate() rejects them).
  std::optional<int> volume;
  std::optional<bool> paused;
  /// Replaces every filter.
  std::optional<Filters> filters;
  std::optional<VoiceState> voice;

  /// Throws std::invalid_argument for an update a server would refuse with 400: both
  /// track.encoded and track.identifier set, `track` together with a deprecated top-level
  /// encoded_track or identifier (or those two together), an endTime <= 0, a volume outside
  /// 0-1000 (NodeLink's 400; Lavalink clamps), a negative position, or nothing set.
  void validate() const;

  friend bool operator==(const PlayerUpdate&, const PlayerUpdate&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const PlayerUpdate& update);
PlayerUpdate tag_invoke(const boost::json::value_to_tag<PlayerUpdate>&,
                        const boost::json::value& jv);

}  // namespace cadence::lavalink
