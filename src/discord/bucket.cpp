#include "discord/bucket.hpp"

#include <utility>

namespace cadence::discord::detail {

void TicketQueue::push_back(Ticket* t) noexcept {
  t->queue = this;
  t->next = nullptr;
  t->prev = tail_;
  if (tail_) {
    tail_->next = t;
  } else {
    head_ = t;
  }
  tail_ = t;
  ++size_;
}

void TicketQueue::push_front(Ticket* t) noexcept {
  t->queue = this;
  t->prev = nullptr;
  t->next = head_;
  if (head_) {
    head_->prev = t;
  } else {
    tail_ = t;
  }
  head_ = t;
  ++size_;
}

void TicketQueue::remove(Ticket* t) noexcept {
  if (t->queue != this) return;
  if (t->prev) {
    t->prev->next = t->next;
  } else {
    head_ = t->next;
  }
  if (t->next) {
    t->next->prev = t->prev;
  } else {
    tail_ = t->prev;
  }
  t->prev = t->next = nullptr;
  t->queue = nullptr;
  --size_;
}

void SendLog::push(TimePoint t) {
  if (size_ == ring_.size()) {
    // Grow, unrolling the ring so that the oldest entry is first again.
    std::vector<TimePoint> grown;
    grown.reserve(ring_.empty() ? 2 : ring_.size() * 2);
    for (std::size_t k = 0; k < size_; ++k) grown.push_back(ring_[(head_ + k) % ring_.size()]);
    grown.resize(grown.capacity());
    ring_ = std::move(grown);
    head_ = 0;
  }
  ring_[(head_ + size_) % ring_.size()] = t;
  ++size_;
  // Sink the new entry to its place; new dates are close to now, so this stays near the end.
  for (std::size_t k = size_ - 1; k > 0; --k) {
    auto& prev = ring_[(head_ + k - 1) % ring_.size()];
    auto& cur = ring_[(head_ + k) % ring_.size()];
    if (prev <= cur) break;
    std::swap(prev, cur);
  }
}

void SendLog::prune(TimePoint cutoff) noexcept {
  while (size_ > 0 && ring_[head_] <= cutoff) {
    head_ = (head_ + 1) % ring_.size();
    --size_;
  }
  if (size_ == 0) {
    head_ = 0;
    // An idle bucket gives its memory back.
    if (ring_.size() > 8) std::vector<TimePoint>().swap(ring_);
  }
}

bool SendLog::erase_one(TimePoint t) noexcept {
  for (std::size_t k = size_; k-- > 0;) {
    if (ring_[(head_ + k) % ring_.size()] == t) {
      for (auto j = k; j + 1 < size_; ++j) {
        ring_[(head_ + j) % ring_.size()] = ring_[(head_ + j + 1) % ring_.size()];
      }
      --size_;
      return true;
    }
  }
  return false;
}

std::size_t SendLog::count_in(TimePoint from, TimePoint to) const noexcept {
  std::size_t n = 0;
  for (std::size_t k = 0; k < size_; ++k) {
    const auto t = ring_[(head_ + k) % ring_.size()];
    if (t > from && t <= to) ++n;
  }
  return n;
}

void SendLog::retime(TimePoint from, TimePoint to) {
  if (from == to || !erase_one(from)) return;
  push(to);
}

}  // namespace cadence::discord::detail
