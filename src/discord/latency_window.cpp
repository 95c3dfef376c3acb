#include "discord/latency_window.hpp"

#include <algorithm>

namespace cadence::discord::detail {

void LatencyWindow::add(Clock::duration rtt) noexcept {
  ring_[next_] = std::max(rtt, Clock::duration::zero());
  next_ = (next_ + 1) % kSize;
  if (count_ < kSize) ++count_;
  const auto [lo, hi] =
      std::minmax_element(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_));
  min_ = *lo;
  max_ = *hi;
}

}  // namespace cadence::discord::detail
