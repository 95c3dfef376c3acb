// Settings of lavalink::NodePool.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "cadence/lavalink/penalty.hpp"
#include "cadence/lavalink/voice_joiner.hpp"

namespace cadence::lavalink {

class Node;

struct NodePoolOptions {
  /// Moves (failover, re-creating players) in flight at once over the whole pool, so that a
  /// replacement node is not stampeded.
  std::size_t move_concurrency = 8;
  /// A player whose move failed is tried again on another node up to this many times before it
  /// waits for the next node to connect.
  unsigned move_attempts = 3;
  /// Track exceptions, stuck tracks and failed loads count against a node for this long.
  std::chrono::milliseconds failure_window{std::chrono::minutes(5)};
  /// Prefer nodes whose NodeOptions::region is this (others are used only when none of these
  /// can take a player). Empty: no preference.
  std::string preferred_region;
  /// Adjusts a node's penalty (for instance by REST latency or cost); receives the node and the
  /// computed penalty, returns the one to use.
  std::function<double(const Node&, double)> penalty_hook;
  /// Resuming for every node's sessions (players survive a dropped connection and a process
  /// restart within this timeout). std::nullopt: the nodes' own settings.
  std::optional<std::chrono::seconds> resume_timeout = std::chrono::seconds(60);
  /// When set, the pool writes a Snapshot here this often while something changed (and on
  /// save_snapshot()).
  std::string snapshot_path;
  std::chrono::milliseconds snapshot_interval{std::chrono::seconds(5)};
  /// How long update_player waits for a player that is moving before NoSessionsError.
  std::chrono::milliseconds move_wait{std::chrono::seconds(5)};
  /// The voice joiner's settings (connect_voice's timeout, on_error for voice PATCHes that no
  /// connect_voice waited for).
  VoiceJoinerOptions voice;
};

}  // namespace cadence::lavalink
