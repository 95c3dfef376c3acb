#include "cadence/core/clock.hpp"

#include <vector>

namespace cadence {

std::shared_ptr<SteadyClock> SteadyClock::shared() {
  static const auto instance = std::make_shared<SteadyClock>();
  return instance;
}

ManualClock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::advance(duration by) {
  if (by.count() <= 0) return;
  advance_to(now() + by);
}

void ManualClock::advance_to(time_point when) {
  // Wake-ups run without the lock held, because they may read the clock or register more.
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mutex_);
      auto first = wakeups_.begin();
      if (first == wakeups_.end() || first->first > when) {
        if (when > now_) now_ = when;
        return;
      }
      if (first->first > now_) now_ = first->first;
      fn = std::move(first->second.second);
      wakeups_.erase(first);
    }
    fn();
  }
}

std::uint64_t ManualClock::at(time_point when, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  wakeups_.emplace(when, std::make_pair(id, std::move(fn)));
  return id;
}

bool ManualClock::cancel(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto it = wakeups_.begin(); it != wakeups_.end(); ++it) {
    if (it->second.first == id) {
      wakeups_.erase(it);
      return true;
    }
  }
  return false;
}

std::size_t ManualClock::pending() const {
  std::lock_guard lock(mutex_);
  return wakeups_.size();
}

}  // namespace cadence
