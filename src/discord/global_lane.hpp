// The pacing of a global lane: at most `limit` sends in any interval of length `window`.
//
// Discord's global limit is 50 requests per second, but whether its window is fixed (starting
// at some request) or sliding is not documented. A sliding log satisfies both: if no `window`
// long interval holds more than `limit` of our sends, then no server window of length <=
// `window` can either. The window is 1 s plus a small margin, so that the server's window always
// closes first even when our requests reach it with some jitter; bursts of `limit` are allowed,
// so the loss against the server's own limit is only the margin (1% for 10 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

#include "cadence/core/clock.hpp"

namespace cadence::discord {

class GlobalLane {
 public:
  /// Throws std::invalid_argument when limit is 0 or window is not positive.
  GlobalLane(std::uint32_t limit, Clock::duration window);

  /// Takes a send slot at `now` if one is free (and the lane is not paused), dated `date` (by
  /// default `now`): the slot is free again `window` after its date.
  [[nodiscard]] bool try_acquire(Clock::time_point now);
  [[nodiscard]] bool try_acquire(Clock::time_point now, Clock::time_point date);
  /// The earliest time at which try_acquire can succeed (`now` if it can now).
  [[nodiscard]] Clock::time_point next_free(Clock::time_point now) const;
  /// Gives back a slot taken at `taken_at` whose request was never sent.
  void refund(Clock::time_point taken_at);
  /// Dates the slot dated `from` at `to` instead: the request left later than it was allowed to
  /// (a new connection, a slow write), or its answer showed when the server counted it.
  /// Discord counts a request when it processes it, so a request held up on its way must not
  /// free its slot early. Nothing happens when no slot has that date.
  void retime(Clock::time_point from, Clock::time_point to);
  /// Stops the lane until `until` (a global 429); never shortens a pause.
  void pause_until(Clock::time_point until);
  [[nodiscard]] Clock::time_point paused_until() const noexcept { return paused_until_; }
  /// Slots free at `now` (none while paused).
  [[nodiscard]] std::uint32_t available(Clock::time_point now) const;
  /// Sends in the window ending at `now`.
  [[nodiscard]] std::uint32_t used(Clock::time_point now) const;

  [[nodiscard]] std::uint32_t limit() const noexcept { return limit_; }
  [[nodiscard]] Clock::duration window() const noexcept { return window_; }

 private:
  std::uint32_t limit_;
  Clock::duration window_;
  Clock::time_point paused_until_{};
  // The dates of the last (at most `limit_`) slots, oldest first; grows only as far as it is used,
  // so a huge limit costs nothing up front.
  std::deque<Clock::time_point> sends_;
};

}  // namespace cadence::discord
