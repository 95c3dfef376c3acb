#include "discord/latency_window.hpp"

#include <algorithm>

namespace cadence::discord::detail {

void LatencyWindow::add(Clock::duration rtt) noexcept {
  rtt = std::max(rtt, Clock::duration::zero());
  ring_[next_] = rtt;
  next_ = (next_ + 1) % kSize;
  if (count_ < kSize) ++count_;
  ++total_;
  lowest_ = std::min(lowest_, rtt);
  const auto [lo, hi] =
      std::minmax_element(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_));
  min_ = *lo;
  max_ = *hi;
}

Clock::duration LatencyWindow::answer_offset() const noexcept {
  // A steady path shows itself in a few samples; a spread one needs many before its fastest
  // sample is near the path's.
  if (total_ >= kSteadyAfter && spread() <= kSteady) return lowest_;
  if (total_ < kTrusted) return Clock::duration::zero();
  return lowest_ / 2;
}

Clock::duration LatencyWindow::lane_offset() const noexcept {
  if (total_ >= kSteadyAfter && spread() <= kSteady) return lowest_;
  if (total_ < kLaneTrusted) return answer_offset();
  const auto excess = 4 * spread() / static_cast<Clock::duration::rep>(total_ + 1);
  return std::max(Clock::duration::zero(), lowest_ - excess);
}

}  // namespace cadence::discord::detail
