#include "cadence/discord/invalid_request_breaker.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace cadence::discord {
namespace {

std::int64_t second_of(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::size_t index(std::int64_t second) {
  constexpr auto n = static_cast<std::int64_t>(3601);
  return static_cast<std::size_t>(((second % n) + n) % n);
}

}  // namespace

InvalidRequestBreaker::InvalidRequestBreaker(Options options) : options_(options) {
  if (options_.window.count() <= 0 || options_.window.count() >= static_cast<long>(kSlots)) {
    throw std::invalid_argument("InvalidRequestBreaker window must be between 1 s and 3600 s");
  }
  if (options_.threshold == 0) {
    throw std::invalid_argument("InvalidRequestBreaker threshold must be at least 1");
  }
}

Clock::duration InvalidRequestBreaker::time_until_closed(Clock::time_point now) const {
  const auto s = second_of(now);
  std::lock_guard lock(mutex_);
  expire_locked(s);
  auto total = total_;
  if (total < options_.threshold) return Clock::duration::zero();
  // Drop the oldest seconds until the count falls under the threshold.
  for (auto sec = s - options_.window.count(); sec <= s; ++sec) {
    const auto& slot = slots_[index(sec)];
    if (slot.second == sec) total -= slot.count;
    if (total < options_.threshold) {
      const auto closes =
          Clock::time_point(std::chrono::seconds(sec + options_.window.count() + 1));
      return std::max(Clock::duration::zero(), closes - now);
    }
  }
  return options_.window;
}

void InvalidRequestBreaker::expire_locked(std::int64_t second) const {
  const auto cutoff = second - options_.window.count();  // slots before this are out
  if (cutoff - expired_through_ > static_cast<std::int64_t>(kSlots)) {
    // Idle for longer than the ring: everything in it is out of the window.
    slots_.fill(Slot{});
    total_ = 0;
    expired_through_ = cutoff - 1;
    return;
  }
  for (auto sec = expired_through_ + 1; sec < cutoff; ++sec) {
    auto& slot = slots_[index(sec)];
    if (slot.second == sec) {
      total_ -= slot.count;
      slot = Slot{};
    }
  }
  expired_through_ = std::max(expired_through_, cutoff - 1);
}

void InvalidRequestBreaker::record(Clock::time_point now, std::uint32_t n) {
  const auto s = second_of(now);
  bool opened = false;
  {
    std::lock_guard lock(mutex_);
    expire_locked(s);
    if (s <= expired_through_) return;  // older than the window (a caller with another clock)
    auto& slot = slots_[index(s)];
    if (slot.second != s) {
      total_ -= slot.count;
      slot.second = s;
      slot.count = 0;
    }
    const bool was_open = total_ >= options_.threshold;
    slot.count += n;
    total_ += n;
    opened = !was_open && total_ >= options_.threshold;
  }
  if (opened) notify();
}

std::uint32_t InvalidRequestBreaker::count(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  expire_locked(second_of(now));
  return total_;
}

bool InvalidRequestBreaker::is_open(Clock::time_point now) const {
  return count(now) >= options_.threshold;
}

void InvalidRequestBreaker::ban(Clock::time_point until) {
  {
    std::lock_guard lock(mutex_);
    if (!banned_until_ || *banned_until_ < until) banned_until_ = until;
  }
  notify();
}

std::uint64_t InvalidRequestBreaker::subscribe(std::function<void()> fn) {
  std::lock_guard lock(listeners_mutex_);
  const auto id = next_listener_++;
  listeners_.emplace(id, std::move(fn));
  return id;
}

void InvalidRequestBreaker::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(id);
}

void InvalidRequestBreaker::notify() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners.reserve(listeners_.size());
    for (const auto& [id, fn] : listeners_) listeners.push_back(fn);
  }
  for (const auto& fn : listeners) fn();
}

std::optional<Clock::time_point> InvalidRequestBreaker::banned_until(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (banned_until_ && *banned_until_ > now) return banned_until_;
  return std::nullopt;
}

void InvalidRequestBreaker::clear_ban() {
  std::lock_guard lock(mutex_);
  banned_until_.reset();
}

}  // namespace cadence::discord
