// Points in time that Lavalink sends as milliseconds since the Unix epoch.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>

namespace cadence::lavalink {

/// Milliseconds since the Unix epoch, exactly as sent (no rounding through another unit).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

}  // namespace cadence::lavalink
