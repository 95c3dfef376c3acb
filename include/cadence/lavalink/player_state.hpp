// A player's playback state (Player.state and the playerUpdate op).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>

#include "cadence/lavalink/timestamp.hpp"

namespace cadence::lavalink {

struct PlayerState {
  /// When the server took this state.
  Timestamp time{};
  std::chrono::milliseconds position{0};
  bool connected = false;
  /// Voice gateway round trip; -1 ms when not connected.
  std::chrono::milliseconds ping{-1};
  friend bool operator==(const PlayerState&, const PlayerState&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const PlayerState& s);
PlayerState tag_invoke(const boost::json::value_to_tag<PlayerState>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
