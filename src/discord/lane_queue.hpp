// The tickets waiting for a global lane, in the order the schedule needs them rather than the
// order they arrived. When more requests are ready than the lane has slots, a request whose
// bucket has windows of queued work behind it goes before one with slack (a lone GET), so that
// a bucket on the critical path never starts a window late. The key is a deadline: when the
// ticket arrived, less the work its bucket still has ahead. A ticket with slack therefore ages
// into the front instead of starving behind busy buckets.
#pragma once

#include <cstddef>
#include <set>
#include <tuple>
#include <vector>

#include "discord/bucket.hpp"

namespace cadence::discord::detail {

class LaneQueue {
 public:
  /// Retries go first, then the earliest key; equal keys in arrival (ticket id) order.
  void push(Ticket* t, TimePoint key, bool front) {
    t->lane_key = front ? TimePoint::min() : key;
    entries_.emplace(t->lane_key, t->id, t);
  }
  void remove(Ticket* t) { entries_.erase({t->lane_key, t->id, t}); }
  [[nodiscard]] Ticket* front() const noexcept {
    return entries_.empty() ? nullptr : std::get<2>(*entries_.begin());
  }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  /// A copy, for loops that may remove what they visit.
  [[nodiscard]] std::vector<Ticket*> tickets() const {
    std::vector<Ticket*> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(std::get<2>(e));
    return out;
  }

 private:
  std::set<std::tuple<TimePoint, TicketId, Ticket*>> entries_;
};

}  // namespace cadence::discord::detail
