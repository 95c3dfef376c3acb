// Round-trip times of recent requests, as the limiter sees them (from the moment a request was
// written to the moment its answer was read). They bound where the server's clock stands
// against ours: the server counts a request somewhere between its write and its answer, and a
// busy edge or a starved host moves that moment by as much as the round trips spread.
#pragma once

#include <array>
#include <cstddef>

#include "cadence/core/clock.hpp"

namespace cadence::discord::detail {

class LatencyWindow {
 public:
  /// Fewer samples than this and the minimum is not trusted: a high minimum would date slots
  /// too early, so until then answers date slots from their arrival.
  static constexpr std::size_t kTrusted = 16;

  void add(Clock::duration rtt) noexcept;

  /// The shortest recent round trip, or zero until enough samples came (always safe: a slot
  /// dated `answer - min_rtt()` is never earlier than the server counted it, give or take the
  /// shortest one-way delay, which the margins cover).
  [[nodiscard]] Clock::duration min_rtt() const noexcept {
    return count_ < kTrusted ? Clock::duration::zero() : min_;
  }
  /// How much longer the slowest recent round trip took than the fastest: how late after its
  /// write the server may count a request whose answer has not come yet.
  [[nodiscard]] Clock::duration spread() const noexcept { return max_ - min_; }
  [[nodiscard]] std::size_t samples() const noexcept { return count_; }

 private:
  static constexpr std::size_t kSize = 64;
  std::array<Clock::duration, kSize> ring_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  Clock::duration min_{};  // over the samples held, recomputed on add (64 compares)
  Clock::duration max_{};
};

}  // namespace cadence::discord::detail
