// How loaded a node is, as one number (lower is better): Lavalink's classic penalty formula with
// the refinements of the official JVM client, fed with players counted locally between stats
// messages so that the balancer reacts to its own placements at once (no 60-second sawtooth).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <optional>

#include "cadence/lavalink/stats.hpp"

namespace cadence::lavalink {

struct PenaltyInputs {
  /// Playing players: the last stats' playingPlayers plus the players this client placed on
  /// (minus those it removed from) the node since that message.
  int playing_players = 0;
  /// stats.cpu.systemLoad, 0..1.
  double system_load = 0.0;
  /// stats.frameStats (per-player averages over the last minute), when sent.
  std::optional<Stats::FrameStats> frames;
  /// Failures in the pool's rolling window.
  int tracks_stuck = 0;
  int track_exceptions = 0;
  int loads_failed = 0;
  int loads_attempted = 0;
};

/// players
/// + 1.05^(100 * systemLoad) * 10 - 10
/// + 1.03^(500 * deficit / 3000) * 600 - 600           (frames, deficit >= 0)
/// + 2 * (1.03^(500 * nulled / 3000) * 600 - 600)      (frames, nulled >= 0)
/// + 100 * stuck + 10 * exceptions + 1000 * loads_failed / loads_attempted
/// The failure terms are zero without failures (the JVM client's "- 100" and "- 10" offsets
/// would make them negative, which changes nothing between nodes).
[[nodiscard]] double lavalink_penalty(const PenaltyInputs& in) noexcept;

}  // namespace cadence::lavalink
