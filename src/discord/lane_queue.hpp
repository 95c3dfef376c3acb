// The tickets waiting for a global lane, in the order the schedule needs them rather than the
// order they arrived. When more requests are ready than the lane has slots, a request whose
// bucket has work queued behind it goes before one with slack (a lone GET), so that a bucket on
// the critical path never starts a window late. The key is a deadline: when the ticket arrived,
// less the work its bucket still has ahead. A ticket with slack therefore ages into the front
// instead of starving behind busy buckets.
//
// Tickets with slack are kept apart so that the lane can hold slots back from them alone: while
// a bucket's first request is out (its limit unknown, work queued behind it), the slots its
// answer will ask for are not given to requests that could as well go a second later.
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
  /// `urgent`: the ticket's bucket has work behind it.
  void push(Ticket* t, TimePoint key, bool front, bool urgent) {
    t->lane_key = front ? TimePoint::min() : key;
    t->lane_urgent = urgent || front;
    set_of(*t).emplace(t->lane_key, t->id, t);
  }
  void remove(Ticket* t) { set_of(*t).erase({t->lane_key, t->id, t}); }
  /// The next ticket to grant; with `relaxed_too` false, the next urgent one only.
  [[nodiscard]] Ticket* front(bool relaxed_too = true) const noexcept {
    Ticket* u = urgent_.empty() ? nullptr : std::get<2>(*urgent_.begin());
    if (!relaxed_too || relaxed_.empty()) return u;
    Ticket* r = std::get<2>(*relaxed_.begin());
    if (!u) return r;
    return std::tie(r->lane_key, r->id) < std::tie(u->lane_key, u->id) ? r : u;
  }
  [[nodiscard]] bool empty() const noexcept { return urgent_.empty() && relaxed_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return urgent_.size() + relaxed_.size(); }
  /// A copy, for loops that may remove what they visit.
  [[nodiscard]] std::vector<Ticket*> tickets() const {
    std::vector<Ticket*> out;
    out.reserve(size());
    for (const auto* set : {&urgent_, &relaxed_}) {
      for (const auto& e : *set) out.push_back(std::get<2>(e));
    }
    return out;
  }

 private:
  using Set = std::set<std::tuple<TimePoint, TicketId, Ticket*>>;
  Set& set_of(const Ticket& t) { return t.lane_urgent ? urgent_ : relaxed_; }
  Set urgent_;
  Set relaxed_;
};

}  // namespace cadence::discord::detail
