#include "cadence/sim/rolling_counter.hpp"

namespace cadence::sim {

std::uint64_t RollingCounter::add(time_point now) {
  while (!events_.empty() && now >= events_.front().first + length_) {
    total_ -= events_.front().second;
    events_.pop_front();
  }
  if (!events_.empty() && events_.back().first == now) {
    ++events_.back().second;
  } else {
    events_.emplace_back(now, 1);
  }
  return ++total_;
}

std::uint64_t RollingCounter::count(time_point now) const {
  std::uint64_t expired = 0;
  for (const auto& [when, n] : events_) {
    if (now < when + length_) break;
    expired += n;
  }
  return total_ - expired;
}

}  // namespace cadence::sim
