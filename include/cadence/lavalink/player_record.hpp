// What NodePool knows about one guild's player, kept current from REST answers and the node's
// events: enough to re-create the player anywhere (failover, a session that was not resumed, a
// process restart).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/player_update.hpp"
#include "cadence/lavalink/timestamp.hpp"
#include "cadence/lavalink/track.hpp"
#include "cadence/lavalink/voice_state.hpp"

namespace cadence::lavalink {

struct PlayerRecord {
  using Clock = std::chrono::steady_clock;

  Snowflake guild_id;
  /// The name of the node that has (or is getting) the player.
  std::string node;
  /// The playing track (its user_data is the track's userData); std::nullopt when stopped.
  std::optional<Track> track;
  /// The position at `observed_at`.
  std::chrono::milliseconds position{0};
  Clock::time_point observed_at{};
  /// The server's own time stamp of the state `position` came from (zero when it had none).
  /// Answers and WebSocket updates race; on one server clock, an update stamped no later than
  /// this is older news and is dropped.
  Timestamp state_time{};
  bool paused = false;
  int volume = 100;
  Filters filters;
  /// The end marker this client set on the current track.
  std::optional<std::chrono::milliseconds> end_time;
  /// The voice state last sent (with channelId); std::nullopt before one was.
  std::optional<VoiceState> voice;
  /// A move to another node (failover, move()) is under way or waiting for a node.
  bool moving = false;

  /// When, on the steady clock, the server took a state stamped `server_time` (its wall clock):
  /// a message that waited in a buffer carries an older position than its arrival suggests.
  /// The age is clamped to 0..10 s, so a server whose clock is off cannot skew much.
  [[nodiscard]] static Clock::time_point observed_time(Timestamp server_time,
                                                       Clock::time_point now);

  /// The position now: `position` plus the time since it was observed unless paused, never past
  /// the end of a track that is not a stream.
  [[nodiscard]] std::chrono::milliseconds position_at(Clock::time_point now) const;

  /// Takes what the server answered to a PATCH (or a GET), plus what the answer does not
  /// carry from `sent` (the end marker, the voice channel id).
  void apply(const Player& answer, const PlayerUpdate* sent, Clock::time_point now);

  /// The update that re-creates this player on another node: track (with userData) at the
  /// interpolated position, paused, volume, filters, end marker and voice.
  [[nodiscard]] PlayerUpdate restore_update(Clock::time_point now) const;
};

}  // namespace cadence::lavalink
