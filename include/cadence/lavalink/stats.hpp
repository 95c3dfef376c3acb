// GET /v4/stats and the `stats` op.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <cstdint>
#include <optional>

namespace cadence::lavalink {

struct Stats {
  struct Memory {
    std::int64_t free = 0;  ///< bytes
    std::int64_t used = 0;
    std::int64_t allocated = 0;
    std::int64_t reservable = 0;
    friend bool operator==(const Memory&, const Memory&) = default;
  };
  struct Cpu {
    int cores = 0;
    double system_load = 0.0;    ///< 0..1
    double lavalink_load = 0.0;  ///< 0..1
    friend bool operator==(const Cpu&, const Cpu&) = default;
  };
  /// Per-player averages over the last minute for this session's playing players.
  struct FrameStats {
    int sent = 0;
    int nulled = 0;
    int deficit = 0;
    friend bool operator==(const FrameStats&, const FrameStats&) = default;
  };

  /// Players on the whole node (every session, every bot).
  int players = 0;
  int playing_players = 0;
  std::chrono::milliseconds uptime{0};
  Memory memory;
  Cpu cpu;
  /// Never sent by REST; null over the WebSocket when no player has usable counters.
  std::optional<FrameStats> frame_stats;
  friend bool operator==(const Stats&, const Stats&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Stats& s);
Stats tag_invoke(const boost::json::value_to_tag<Stats>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
