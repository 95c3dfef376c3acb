// One rate-limit window of the simulated Discord, with time passed in by the caller so that the
// arithmetic is tested on fake times and the server feeds it the steady clock.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Discord does not say whether its windows are fixed or sliding, so the simulator offers both and
// the client must cope with either:
// - fixed: the window opens at the first request after the previous one closed and admits `limit`
//   requests until it closes `length` later, when all of them come back at once;
// - sliding: a request is admitted when fewer than `limit` were admitted in the `length` before it,
//   so capacity comes back one use at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string_view>

namespace cadence::sim {

enum class WindowMode { fixed, sliding };

/// "fixed" or "sliding".
[[nodiscard]] std::string_view to_string(WindowMode mode) noexcept;
/// Parses "fixed" or "sliding"; throws std::invalid_argument for anything else.
[[nodiscard]] WindowMode parse_window_mode(std::string_view text);

/// What a window tells a request: the values behind the X-RateLimit-* headers.
struct WindowVerdict {
  bool allowed = false;
  std::uint32_t limit = 0;
  /// Uses left after this request (after admitting it, when it was admitted).
  std::uint32_t remaining = 0;
  /// Until every use counted now has expired (X-RateLimit-Reset-After); zero for an idle window.
  std::chrono::nanoseconds reset_after{0};
  /// Until the next use frees up (the 429's retry_after); zero when uses are left.
  std::chrono::nanoseconds retry_after{0};
};

class Window {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `limit` must be at least 1 and `length` positive (std::invalid_argument otherwise).
  Window(WindowMode mode, std::uint32_t limit, std::chrono::nanoseconds length);

  /// Admits and counts one use at `now`, or refuses without counting it.
  WindowVerdict try_acquire(time_point now);
  /// What try_acquire would answer at `now`, without counting anything.
  [[nodiscard]] WindowVerdict peek(time_point now) const;
  /// True when no use counts any more at `now`: the window can be forgotten.
  [[nodiscard]] bool idle(time_point now) const;

  [[nodiscard]] WindowMode mode() const noexcept { return mode_; }
  [[nodiscard]] std::uint32_t limit() const noexcept { return limit_; }
  [[nodiscard]] std::chrono::nanoseconds length() const noexcept { return length_; }

 private:
  WindowVerdict evaluate(time_point now, bool consume);
  void expire(time_point now);

  WindowMode mode_;
  std::uint32_t limit_;
  std::chrono::nanoseconds length_;
  // fixed: when the open window closes, and how many uses it counted.
  time_point closes_at_{};
  std::uint32_t used_ = 0;
  // sliding: when each counted use happened, oldest first (at most limit_ entries).
  std::deque<time_point> uses_;
};

}  // namespace cadence::sim
