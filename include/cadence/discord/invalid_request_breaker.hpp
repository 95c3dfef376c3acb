// Discord (through Cloudflare) bans an IP for a while after 10,000 invalid requests (401, 403,
// 429 other than shared-scope) in 10 minutes. The breaker counts them and opens before that.
// Threading: one breaker is shared (std::shared_ptr) by every Rest of a token, and every member may
// be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "cadence/core/clock.hpp"

namespace cadence::discord {

/// Counts invalid requests in a sliding window and holds the IP's ban state. The budget is per
/// IP, not per token, so several RateLimiters (one per token) may share one breaker through a
/// std::shared_ptr; every member is thread-safe.
///
/// The window is kept in one-second slots: a request is remembered for up to one second longer
/// than the window, never shorter. Memory is constant (600 slots for 10 minutes).
class InvalidRequestBreaker {
 public:
  struct Options {
    /// Open at this many invalid requests in the window (Discord bans at 10,000).
    std::uint32_t threshold = 8000;
    /// The window; at most 3600 s.
    std::chrono::seconds window = std::chrono::minutes(10);
  };

  InvalidRequestBreaker() : InvalidRequestBreaker(Options{}) {}
  explicit InvalidRequestBreaker(Options options);

  /// Records `n` invalid requests (401, 403, non-shared 429) at `now`.
  void record(Clock::time_point now, std::uint32_t n = 1);
  /// Invalid requests in the window ending at `now`.
  [[nodiscard]] std::uint32_t count(Clock::time_point now) const;
  /// True while count(now) >= threshold: new requests are refused.
  [[nodiscard]] bool is_open(Clock::time_point now) const;
  /// How long until the breaker closes again (zero when closed).
  [[nodiscard]] Clock::duration time_until_closed(Clock::time_point now) const;
  [[nodiscard]] const Options& options() const noexcept { return options_; }

  /// Marks the IP as banned until `until` (a 429 without a JSON body).
  void ban(Clock::time_point until);
  /// The end of the ban, when one is in force at `now`.
  [[nodiscard]] std::optional<Clock::time_point> banned_until(Clock::time_point now) const;
  /// Lifts the ban (after the operator checked that it is over).
  void clear_ban();

  /// Changes whenever a ban starts or the count reaches the threshold (the breaker opens), so
  /// that every limiter sharing this breaker can fail what it has queued, not only the one whose
  /// response tripped it.
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return generation_.load(std::memory_order_acquire);
  }
  /// Registers `fn`, called after generation() changed, on the thread that changed it, without
  /// the breaker's lock held (so it may call the breaker). It must only hand the news over to the
  /// listener's own thread or strand. Returns an id for unsubscribe().
  std::uint64_t subscribe(std::function<void()> fn);
  void unsubscribe(std::uint64_t id);

 private:
  void notify();

  static constexpr std::size_t kSlots = 3601;
  struct Slot {
    std::int64_t second = -1;
    std::uint32_t count = 0;
  };
  /// Forgets slots that left the window ending at `second`; amortised O(1).
  void expire_locked(std::int64_t second) const;

  Options options_;
  mutable std::mutex mutex_;
  mutable std::array<Slot, kSlots> slots_{};
  mutable std::uint32_t total_ = 0;
  mutable std::int64_t expired_through_ = -1;
  std::optional<Clock::time_point> banned_until_;
  std::atomic<std::uint64_t> generation_{0};
  std::mutex listeners_mutex_;
  std::map<std::uint64_t, std::function<void()>> listeners_;
  std::uint64_t next_listener_ = 1;
};

}  // namespace cadence::discord
