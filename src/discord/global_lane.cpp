#include "cadence/discord/global_lane.hpp"

#include <algorithm>
#include <stdexcept>

namespace cadence::discord {

GlobalLane::GlobalLane(std::uint32_t limit, Clock::duration window)
    : limit_(limit), window_(window) {
  if (limit == 0) throw std::invalid_argument("global lane limit must be at least 1");
  if (window <= Clock::duration::zero()) {
    throw std::invalid_argument("global lane window must be positive");
  }
  sends_.resize(limit);
}

bool GlobalLane::try_acquire(Clock::time_point now) {
  if (now < paused_until_) return false;
  if (size_ == limit_) {
    if (sends_[head_] + window_ > now) return false;
    head_ = (head_ + 1) % limit_;
    --size_;
  }
  sends_[(head_ + size_) % limit_] = now;
  ++size_;
  return true;
}

Clock::time_point GlobalLane::next_free(Clock::time_point now) const {
  auto t = std::max(now, paused_until_);
  if (size_ == limit_) t = std::max(t, sends_[head_] + window_);
  return t;
}

void GlobalLane::refund(Clock::time_point taken_at) {
  // Remove the newest entry with that time; later entries shift down to keep the ring sorted.
  for (std::size_t k = size_; k-- > 0;) {
    const auto i = (head_ + k) % limit_;
    if (sends_[i] == taken_at) {
      for (auto j = k; j + 1 < size_; ++j) {
        sends_[(head_ + j) % limit_] = sends_[(head_ + j + 1) % limit_];
      }
      --size_;
      return;
    }
  }
}

void GlobalLane::pause_until(Clock::time_point until) {
  paused_until_ = std::max(paused_until_, until);
}

std::uint32_t GlobalLane::used(Clock::time_point now) const {
  std::uint32_t n = 0;
  for (std::size_t k = 0; k < size_; ++k) {
    if (sends_[(head_ + k) % limit_] + window_ > now) ++n;
  }
  return n;
}

}  // namespace cadence::discord
