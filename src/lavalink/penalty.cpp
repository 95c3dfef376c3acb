#include "cadence/lavalink/penalty.hpp"

#include <algorithm>
#include <cmath>

namespace cadence::lavalink {

double lavalink_penalty(const PenaltyInputs& in) noexcept {
  double p = std::max(0, in.playing_players);
  p += std::pow(1.05, 100.0 * std::clamp(in.system_load, 0.0, 1.0)) * 10.0 - 10.0;
  if (in.frames) {
    const double deficit = std::max(0, in.frames->deficit);
    const double nulled = std::max(0, in.frames->nulled);
    p += std::pow(1.03, 500.0 * deficit / 3000.0) * 600.0 - 600.0;
    p += 2.0 * (std::pow(1.03, 500.0 * nulled / 3000.0) * 600.0 - 600.0);
  }
  p += 100.0 * std::max(0, in.tracks_stuck) + 10.0 * std::max(0, in.track_exceptions);
  if (in.loads_attempted > 0)
    p += 1000.0 * std::clamp(in.loads_failed, 0, in.loads_attempted) / in.loads_attempted;
  return p;
}

}  // namespace cadence::lavalink
