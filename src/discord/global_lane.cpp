#include "discord/global_lane.hpp"

#include <algorithm>
#include <stdexcept>

namespace cadence::discord {

GlobalLane::GlobalLane(std::uint32_t limit, Clock::duration window)
    : limit_(limit), window_(window) {
  if (limit == 0) throw std::invalid_argument("global lane limit must be at least 1");
  if (window <= Clock::duration::zero()) {
    throw std::invalid_argument("global lane window must be positive");
  }
}

bool GlobalLane::try_acquire(Clock::time_point now) { return try_acquire(now, now); }

bool GlobalLane::try_acquire(Clock::time_point now, Clock::time_point date) {
  if (now < paused_until_) return false;
  while (!sends_.empty() && sends_.front() + window_ <= now) sends_.pop_front();
  if (sends_.size() >= limit_) return false;
  sends_.insert(std::upper_bound(sends_.begin(), sends_.end(), date), date);
  return true;
}

Clock::time_point GlobalLane::next_free(Clock::time_point now) const {
  auto t = std::max(now, paused_until_);
  if (sends_.size() >= limit_) t = std::max(t, sends_.front() + window_);
  return t;
}

void GlobalLane::refund(Clock::time_point taken_at) {
  for (auto it = sends_.rbegin(); it != sends_.rend(); ++it) {
    if (*it == taken_at) {
      sends_.erase(std::next(it).base());
      return;
    }
  }
}

void GlobalLane::retime(Clock::time_point from, Clock::time_point to) {
  if (from == to) return;
  const auto it = std::find(sends_.rbegin(), sends_.rend(), from);
  if (it == sends_.rend()) return;
  sends_.erase(std::next(it).base());
  sends_.insert(std::upper_bound(sends_.begin(), sends_.end(), to), to);
}

void GlobalLane::pause_until(Clock::time_point until) {
  paused_until_ = std::max(paused_until_, until);
}

std::uint32_t GlobalLane::available(Clock::time_point now) const {
  if (now < paused_until_) return 0;
  const auto u = used(now);
  return u >= limit_ ? 0 : limit_ - u;
}

std::uint32_t GlobalLane::used(Clock::time_point now) const {
  std::uint32_t n = 0;
  for (const auto t : sends_) {
    if (t + window_ > now) ++n;
  }
  return n;
}

}  // namespace cadence::discord
