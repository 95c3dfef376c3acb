#include "discord/window_reconciler.hpp"

#include <algorithm>

namespace cadence::discord::detail {

void WindowReconciler::unknown_sent(const std::string& major, std::uint64_t permit) {
  unknown_permits_[major].push_back(permit);
}

void WindowReconciler::unknown_done(const std::string& major, std::uint64_t permit) {
  if (auto it = unknown_permits_.find(major); it != unknown_permits_.end()) {
    std::erase(it->second, permit);
    if (it->second.empty()) unknown_permits_.erase(it);
  }
}

void WindowReconciler::apply(const std::shared_ptr<Bucket>& target, const PermitRecord& rec,
                             bool same_bucket, const RateLimitHeaders& h, TimePoint now) {
  Bucket& t = *target;
  if (!h.limit || !h.remaining || !h.reset_after) return;
  const auto limit = *h.limit;
  const auto remaining = std::min(*h.remaining, limit);
  const auto reset_est = now + *h.reset_after + margin_;

  // Every reset_after is at most the window's length, and the one that answers the request
  // that opened a window (fixed or sliding) equals it; the largest seen is the estimate.
  t.period = std::max(t.period.value_or(Duration::zero()), Duration(*h.reset_after));
  if (!t.known) {
    t.known = true;
    t.limit = limit;
    t.window = new_window();
    t.window_in_flight = t.in_flight;
    t.remaining = saturating_sub(remaining, std::uint64_t{t.in_flight} + t.reserved);
    t.reset_at = reset_est;
    if (auto it = unknown_permits_.find(rec.route->major); it != unknown_permits_.end()) {
      // Requests in flight on unknown buckets of the same major parameter may be in this very
      // bucket (two routes sharing a hash): their slots are held back until they answer.
      t.held_for = it->second;
      t.held_window = t.window;
      t.remaining = saturating_sub(t.remaining, t.held_for.size());
      holders_[rec.route->major].push_back(target);
    }
    return;
  }
  t.limit = limit;
  const bool current_window = same_bucket && rec.window == t.window;
  if (!current_window && same_bucket) return;  // from a window that has already ended
  if (same_bucket && t.period) note_window_evidence(t, rec, limit - remaining, now);
  if (!(current_window && explained_by_send_log(t, limit - remaining, rec.written_at))) {
    t.remaining = std::min(
        t.remaining, saturating_sub(remaining, std::uint64_t{t.window_in_flight} + t.reserved));
  }
  if (t.reset_at) {
    t.reset_at = std::min(*t.reset_at, reset_est);
  } else if (current_window) {
    t.reset_at = reset_est;
  }
}

bool WindowReconciler::explained_by_send_log(const Bucket& b, std::uint32_t used,
                                             TimePoint written) const {
  // Under a window that is not proven fixed, the send log already keeps each of our requests'
  // slots for a whole period from when the server may have counted it, which no window
  // (fixed, or sliding whichever request its Reset-After counts from) outlasts. When our own
  // sends still in the log account for everything the server says is used, its Remaining and
  // Reset-After add nothing to that; taking them would cost a whole window whenever a sliding
  // server dates Reset-After from the newest request and counted the previous window's
  // requests apart (a lagging server). More used than our log holds means another client (or
  // a misdated send) shares the bucket: then the headers rule.
  // The server counted at some moment after the request was written; an answer read late (a
  // starved client) must not drop from the count sends the server still held then.
  if (b.fixed || !b.period) return false;
  return used <= b.sends.count_in(written - (*b.period + margin_), kNever);
}

void WindowReconciler::note_window_evidence(Bucket& b, const PermitRecord& rec, std::uint32_t used,
                                            TimePoint answered) {
  // A sliding window counts every request of the last period, so a server with one counts at
  // least those of ours it surely saw first: answered before this one was written, and
  // written less than a period before this answer came. Fewer used than that proves the server
  // forgot them at a reset: fixed windows. Dates that are only estimates never count, so
  // lateness on either side cannot fake the evidence.
  if (!b.fixed) {
    std::uint32_t seen = 0;
    for (const auto& a : b.answered) {
      if (a.answered < rec.written_at && a.written > answered - *b.period) ++seen;
    }
    if (used < 1 + seen) b.fixed = true;
  }
  const std::size_t keep = std::min<std::size_t>(b.limit, 16);
  if (b.answered.size() >= keep && !b.answered.empty()) b.answered.erase(b.answered.begin());
  if (keep > 0) b.answered.push_back({rec.written_at, answered});
}

std::vector<std::shared_ptr<Bucket>> WindowReconciler::settle_sibling(std::uint64_t permit,
                                                                      const PermitRecord& rec,
                                                                      const Bucket* counted_in,
                                                                      bool never_sent) {
  std::vector<std::shared_ptr<Bucket>> freed_in;
  auto it = holders_.find(rec.route->major);
  if (it == holders_.end()) return freed_in;
  auto& holders = it->second;
  for (auto& h : holders) {
    auto pos = std::find(h->held_for.begin(), h->held_for.end(), permit);
    if (pos == h->held_for.end()) continue;
    h->held_for.erase(pos);
    // Never sent, or counted in another bucket: the slot held back here is free again. Counted
    // here, or nobody knows where (no hash in the answer): it stays used.
    const bool freed = never_sent || (counted_in != nullptr && counted_in != h.get());
    if (freed && h->known && h->window == h->held_window) {
      h->remaining = std::min(h->limit, h->remaining + 1);
      freed_in.push_back(h);
    }
  }
  std::erase_if(holders, [](const std::shared_ptr<Bucket>& h) { return h->held_for.empty(); });
  if (holders.empty()) holders_.erase(it);
  return freed_in;
}

void WindowReconciler::end_unanswered_window(Bucket& b, const PermitRecord& rec, TimePoint now) {
  // Each of the window's requests may have been counted, so each keeps its slot for one period
  // after it was sent (the send log), which is what a sliding or a fixed window allows.
  if (!b.known || rec.window != b.window || b.reset_at || b.window_in_flight > 0) return;
  b.reset_at = now;
}

}  // namespace cadence::discord::detail
