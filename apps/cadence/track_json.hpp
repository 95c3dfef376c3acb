// One decoded track as the JSON line `cadence track decode` writes: Lavalink's field names,
// plus version and (when present) sourceData as base64.
#pragma once

#include <cstddef>

#include "cadence/lavalink/track_codec.hpp"

namespace cadence::app {

/// Bytes write_track_json may touch for `track` (an upper bound: the escaper over-copies).
std::size_t track_json_bound(const lavalink::TrackView& track);

/// Writes the line, newline included, at `out` (track_json_bound bytes of room); returns its end.
char* write_track_json(const lavalink::TrackView& track, char* out);

}  // namespace cadence::app
