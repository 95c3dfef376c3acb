#include "cadence/sim/window.hpp"

#include <stdexcept>
#include <string>

namespace cadence::sim {

std::string_view to_string(WindowMode mode) noexcept {
  return mode == WindowMode::fixed ? "fixed" : "sliding";
}

WindowMode parse_window_mode(std::string_view text) {
  if (text == "fixed") return WindowMode::fixed;
  if (text == "sliding") return WindowMode::sliding;
  throw std::invalid_argument("window mode must be \"fixed\" or \"sliding\", not \"" +
                              std::string(text) + "\"");
}

Window::Window(WindowMode mode, std::uint32_t limit, std::chrono::nanoseconds length)
    : mode_(mode), limit_(limit), length_(length) {
  if (limit == 0) throw std::invalid_argument("a rate-limit window needs a limit of at least 1");
  if (length <= std::chrono::nanoseconds::zero())
    throw std::invalid_argument("a rate-limit window needs a positive length");
}

WindowVerdict Window::try_acquire(time_point now) { return evaluate(now, true); }

WindowVerdict Window::peek(time_point now) const {
  // Evaluating on a copy keeps one code path for both; windows are small (at most `limit` times).
  Window copy = *this;
  return copy.evaluate(now, false);
}

bool Window::idle(time_point now) const {
  if (mode_ == WindowMode::fixed) return used_ == 0 || now >= closes_at_;
  return uses_.empty() || now >= uses_.back() + length_;
}

void Window::expire(time_point now) {
  if (mode_ == WindowMode::fixed) {
    if (used_ > 0 && now >= closes_at_) used_ = 0;
    return;
  }
  while (!uses_.empty() && now >= uses_.front() + length_) uses_.pop_front();
}

WindowVerdict Window::evaluate(time_point now, bool consume) {
  expire(now);
  WindowVerdict verdict;
  verdict.limit = limit_;
  if (mode_ == WindowMode::fixed) {
    const bool fresh = used_ == 0;
    verdict.allowed = used_ < limit_;
    if (verdict.allowed && consume) {
      // Discord's reset-after counts from the first request of a window, not from a grid.
      if (fresh) closes_at_ = now + length_;
      ++used_;
    }
    const std::uint32_t counted = used_ + ((verdict.allowed && !consume) ? 1 : 0);
    verdict.remaining = verdict.allowed ? limit_ - counted : 0;
    if (fresh && !consume) {
      verdict.reset_after = length_;
    } else {
      verdict.reset_after = closes_at_ - now;
    }
    if (!verdict.allowed) verdict.retry_after = closes_at_ - now;
    return verdict;
  }
  const auto in_window = static_cast<std::uint32_t>(uses_.size());
  verdict.allowed = in_window < limit_;
  if (verdict.allowed) {
    if (consume) uses_.push_back(now);
    verdict.remaining = limit_ - in_window - 1;
    // The newest use is this one, so everything counted has expired one length from now.
    verdict.reset_after = length_;
  } else {
    verdict.remaining = 0;
    verdict.reset_after = uses_.back() + length_ - now;
    verdict.retry_after = uses_.front() + length_ - now;
  }
  return verdict;
}

}  // namespace cadence::sim
