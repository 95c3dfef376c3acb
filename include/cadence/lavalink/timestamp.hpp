// Points in time that Lavalink sends as milliseconds since the Unix epoch.
#pragma once

#include <chrono>

namespace cadence::lavalink {

/// Milliseconds since the Unix epoch, exactly as sent (no rounding through another unit).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

}  // namespace cadence::lavalink
