// A player as GET /v4/sessions/{id}/players[/{guild}] and PATCH return it.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>

#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/player_state.hpp"
#include "cadence/lavalink/track.hpp"
#include "cadence/lavalink/voice_state.hpp"

namespace cadence::lavalink {

struct Player {
  Snowflake guild_id;
  /// The playing track; std::nullopt when nothing plays (null, or an object naming no track).
  std::optional<Track> track;
  /// 0-1000 percent.
  int volume = 100;
  bool paused = false;
  PlayerState state;
  /// token, endpoint and sessionId are "" when there is no voice connection (voice.connected()).
  VoiceState voice;
  Filters filters;
  friend bool operator==(const Player&, const Player&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Player& p);
Player tag_invoke(const boost::json::value_to_tag<Player>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
