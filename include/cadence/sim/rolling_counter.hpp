// Counts events over the last `length` of time, as Discord counts invalid requests (401, 403 and
// non-shared 429) over 10 minutes per IP before Cloudflare bans it. Time is passed in, so the
// counter is tested on fake times.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

namespace cadence::sim {

class RollingCounter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit RollingCounter(std::chrono::nanoseconds length) : length_(length) {}

  /// Counts one event at `now`; returns how many fall in the window ending at `now`.
  std::uint64_t add(time_point now);
  /// How many events fall in the window ending at `now`.
  [[nodiscard]] std::uint64_t count(time_point now) const;
  void clear() noexcept {
    events_.clear();
    total_ = 0;
  }

 private:
  std::chrono::nanoseconds length_;
  // One entry per distinct time with how many events happened then, oldest first; bursts at the
  // same instant cost one entry.
  std::deque<std::pair<time_point, std::uint64_t>> events_;
  std::uint64_t total_ = 0;
};

}  // namespace cadence::sim
