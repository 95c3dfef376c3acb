// The injectable clock. Scheduling in Cadence never reads wall time: rate-limit windows are
// measured from Reset-After on a steady clock, and tests swap in a ManualClock that only moves
// when the test says so, so that limiter tests need no sleeps.
// Threading: SteadyClock is safe from any thread; so is ManualClock (a mutex guards its time and
// wake-ups), so a test may move it while the io_context runs on another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace cadence {

/// A source of steady time. Implementations must be monotonic.
class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  [[nodiscard]] virtual time_point now() const = 0;
};

/// std::chrono::steady_clock; the default everywhere.
class SteadyClock final : public Clock {
 public:
  [[nodiscard]] time_point now() const override { return std::chrono::steady_clock::now(); }
  /// A process-wide instance, for callers that do not inject a clock.
  static std::shared_ptr<SteadyClock> shared();
};

/// A clock that stands still until advance() is called. Thread-safe.
///
/// Code that waits on a clock can register a wake-up with at(); advance() runs every wake-up
/// whose time has come, in time order, after moving the clock to that time. This is how the
/// rate limiter's async shell runs on virtual time in tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{} + std::chrono::hours(1)) : now_(start) {}

  [[nodiscard]] time_point now() const override;

  /// Moves time forward by `by` (negative values are ignored), running due wake-ups.
  void advance(duration by);
  /// Moves time to `when` if it is in the future, running due wake-ups.
  void advance_to(time_point when);

  /// Registers `fn` to run once when the clock reaches `when`; returns an id for cancel().
  std::uint64_t at(time_point when, std::function<void()> fn);
  /// Cancels a wake-up; returns false if it already ran or never existed.
  bool cancel(std::uint64_t id);
  /// How many wake-ups are registered.
  [[nodiscard]] std::size_t pending() const;

 private:
  mutable std::mutex mutex_;
  time_point now_;
  std::uint64_t next_id_ = 1;
  std::multimap<time_point, std::pair<std::uint64_t, std::function<void()>>> wakeups_;
};

}  // namespace cadence
