// What happens when a permit completes or reports its write: slot dating from round trips,
// the answer's headers (WindowReconciler), 429s by scope, and the account (AccountGuard).
#include <algorithm>
#include <utility>

#include "discord/limiter_core.hpp"

namespace cadence::discord::detail {

void LimiterCore::release(std::uint64_t permit, const Outcome* outcome) noexcept {
  try {
    // Read before any deferral: the answer's arrival dates its slot, and the strand's queue
    // must not add to that.
    const auto at = now();
    if (defer_) {
      std::optional<Outcome> copy;
      if (outcome) copy = *outcome;
      defer_([weak = weak_from_this(), permit, copy = std::move(copy), at] {
        if (auto self = weak.lock()) {
          self->apply_release(permit, copy ? &*copy : nullptr, at);
          if (self->on_change_) self->on_change_();
        }
      });
      return;
    }
    apply_release(permit, outcome, at);
  } catch (...) {
    // Out of memory while releasing: the slot stays counted until the bucket is swept, which
    // errs on the safe side.
  }
}

void LimiterCore::mark_sent(std::uint64_t permit) noexcept {
  try {
    const auto at = now();
    if (defer_) {
      defer_([weak = weak_from_this(), permit, at] {
        if (auto self = weak.lock()) self->apply_sent(permit, at);
      });
      return;
    }
    apply_sent(permit, at);
  } catch (...) {
    // Out of memory: the slot keeps its grant time, as without the report.
  }
}

void LimiterCore::apply_sent(std::uint64_t permit, TimePoint at) {
  auto it = permits_.find(permit);
  if (it == permits_.end()) return;
  auto& rec = it->second;
  rec.write_reported = true;
  if (at <= rec.written_at) return;
  rec.written_at = at;
  // Before the answer, slots only move later: a wake-up already scheduled finds nothing free
  // and sets a new one.
  const auto date = slot_date(at);
  if (date > rec.slot_at) redate_logs(rec, date);
  if (date > rec.lane_at) redate_lane(rec, date);
}

TimePoint LimiterCore::slot_date(TimePoint written) const {
  // Until its answer comes, a request may be counted as late after its write as the slowest
  // recent round trip took beyond the fastest (a busy edge, a starved host).
  return written + latency_.spread();
}

void LimiterCore::redate(PermitRecord& rec, TimePoint to) {
  redate_logs(rec, to);
  redate_lane(rec, to);
}

void LimiterCore::redate_logs(PermitRecord& rec, TimePoint to) {
  if (to == rec.slot_at) return;
  rec.bucket->sends.retime(rec.slot_at, to);
  if (rec.gate && rec.gate->period) rec.gate->sends.retime(rec.slot_at, to);
  if (to < rec.slot_at) {
    mark(rec.bucket);
    if (rec.gate) mark(rec.gate);
  }
  rec.slot_at = to;
}

void LimiterCore::redate_lane(PermitRecord& rec, TimePoint to) {
  if (to == rec.lane_at) return;
  if (auto* lane = lane_state(rec.lane)) {
    lane->pacing.retime(rec.lane_at, to);
    if (to < rec.lane_at) mark(*lane);
  }
  rec.lane_at = to;
}

void LimiterCore::settle_slot(PermitRecord& rec, TimePoint answered) {
  // The server counted the request before it answered, and the answer took at least the
  // fastest round trip less the way there: so it counted it no later than `answered` less the
  // fastest round trip, measured from any later send's point of view. That date replaces the
  // guess made at the write, earlier or later.
  if (!rec.write_reported) {
    redate(rec, answered);  // when it left is unknown: only the answer bounds the count
    return;
  }
  latency_.add(answered - rec.written_at);
  redate_logs(rec, std::max(rec.written_at, answered - latency_.answer_offset()));
  // The global lane has no headers that could contradict its log, so its slot is dated by the
  // fastest way back (less what the fastest sample may overstate it by) rather than half of it.
  // The shared-limits store hears slot_at only: across processes the send-log date rules.
  redate_lane(rec, std::max(rec.written_at, answered - latency_.lane_offset()));
}

void LimiterCore::on_429(const std::shared_ptr<RouteEntry>& entry, const PermitRecord& rec,
                         const std::shared_ptr<Bucket>& target, const Outcome& outcome,
                         TimePoint now) {
  const auto& body = outcome.body;
  if (!body || !body->retry_after) {
    const auto pause = outcome.headers.retry_after
                           ? std::max<Duration>(*outcome.headers.retry_after, Duration::zero())
                           : options_.ban_pause;
    const auto until = now + (pause > Duration::zero() ? pause : options_.ban_pause);
    guard_.ban(until);
    guard_.record_invalid(now);
    if (options_.observer) {
      options_.observer->on_rate_limited(entry->key, RateLimitScope::ban, ceil_ms(until - now));
    }
    fail_all([&](const Ticket& t) {
      return std::make_exception_ptr(RateLimitedError(
          t.route->key, RateLimitScope::ban, ceil_ms(until - now),
          "Discord answered 429 without a JSON retry_after (a Cloudflare ban?): every queued "
          "request failed and new ones are refused"));
    });
    return;
  }
  const auto retry_after = *body->retry_after;
  const auto scope = classify_429(*entry, outcome);
  if (options_.observer) options_.observer->on_rate_limited(entry->key, scope, retry_after);
  if (scope != RateLimitScope::shared) guard_.record_invalid(now);
  const auto until = now + retry_after + options_.bucket_margin;
  switch (scope) {
    case RateLimitScope::global:
      if (auto* lane = lane_state(rec.lane)) {
        lane->pacing.pause_until(until);
        lane->scheduled = std::min(lane->scheduled, until);
        for (Ticket* t : lane->queue.tickets()) {
          if (t->deadline && *t->deadline < until) {
            fail_ticket(t, std::make_exception_ptr(RateLimitedError(
                               t->route->key, RateLimitScope::global, ceil_ms(until - now),
                               "the global pause is longer than the request's deadline")));
          }
        }
      } else {
        park(target, until, RateLimitScope::global);
      }
      break;
    case RateLimitScope::shared:
      park(target, until, RateLimitScope::shared);
      break;
    case RateLimitScope::user:
      target->fixed = false;  // whatever made us think so, the send log is the safe side
      if (target->known) {
        target->remaining = 0;
        target->reset_at = std::max(target->reset_at.value_or(until), until);
      }
      park(target, until, RateLimitScope::user);
      break;
    case RateLimitScope::sublimit: {
      auto g = directory_.learned_gate(entry->key, rec.request_class);
      g->max_in_flight = 1;
      g->last_used = now;
      park(g, until);
      // Tickets of this class already past the gate wait in the bucket; later ones use the gate.
      break;
    }
    case RateLimitScope::ban:
    case RateLimitScope::breaker:
      break;
  }
}

void LimiterCore::apply_release(std::uint64_t permit, const Outcome* outcome, TimePoint at) {
  auto it = permits_.find(permit);
  if (it == permits_.end()) return;
  PermitRecord rec = std::move(it->second);
  permits_.erase(it);
  const auto t_now = now();
  // Told last, once the slot has its final date (the answer settles it below).
  struct Tell {
    const FinishListener& to;
    std::uint64_t permit;
    const Outcome* outcome;
    const PermitRecord& rec;
    TimePoint at;
    ~Tell() {
      if (!to) return;
      try {
        to(permit, outcome, at - rec.slot_at);
      } catch (...) {
        // Out of memory while telling a shared store: its lease expires on its own.
      }
    }
  } tell{finished_, permit, outcome, rec, t_now};

  auto& b = rec.bucket;
  --b->in_flight;
  if (b->known && rec.window == b->window && b->window_in_flight > 0) --b->window_in_flight;
  b->last_used = t_now;
  mark(b);
  if (rec.gate) {
    --rec.gate->in_flight;
    rec.gate->last_used = t_now;
    mark(rec.gate);
  }
  auto& entry = rec.route;
  entry->last_used = t_now;
  if (rec.lane_hold > 0) {
    if (auto* lane = lane_state(rec.lane)) {
      lane->held -= std::min(lane->held, rec.lane_hold);
      mark(*lane);
    }
  }
  if (rec.unknown) windows_.unknown_done(entry->major, permit);

  if (!outcome) {
    if (rec.unknown) settle_sibling(permit, rec, nullptr, true);
    // Not sent: every slot it took is given back.
    if (b->known && rec.window == b->window) b->remaining = std::min(b->limit, b->remaining + 1);
    b->sends.erase_one(rec.slot_at);
    if (rec.gate && rec.gate->period) rec.gate->sends.erase_one(rec.slot_at);
    if (auto* lane = lane_state(rec.lane)) {
      lane->pacing.refund(rec.lane_at);
      mark(*lane);
    }
    dispatch(t_now);
    return;
  }
  if (outcome->status == 0) {
    if (rec.unknown) settle_sibling(permit, rec, nullptr, false);  // counted who knows where
    WindowReconciler::end_unanswered_window(*b, rec, t_now);
    dispatch(t_now);
    return;
  }

  settle_slot(rec, at);
  std::shared_ptr<Bucket> target = entry->bucket;
  if (outcome->headers.bucket) {
    const auto learned = directory_.learn_hash(entry, *outcome->headers.bucket, t_now);
    target = learned.target;
    if (learned.previous) mark(learned.previous);
    for (const auto& s : learned.siblings) mark(s);
    if (target != b && b->sends.erase_one(rec.slot_at)) {
      // Counted in the hash's bucket, not in the one it was sent on (two routes sharing a
      // bucket): its slot belongs to that bucket's send log, or a sliding window there would
      // look one request emptier than the server's.
      target->sends.push(rec.slot_at);
    }
  } else if (outcome->status != 429) {
    directory_.route_gives_no_hash(entry->bucket_route);
  }
  windows_.apply(target, rec, target == b, outcome->headers, t_now);
  if (target->known) directory_.note_known(entry->major, t_now);
  mark(target);
  if (rec.unknown) {
    // Only a hash proves which bucket the request was counted in.
    settle_sibling(permit, rec, outcome->headers.bucket ? target.get() : nullptr, false);
  }

  const auto status = outcome->status;
  if (status == 429) on_429(entry, rec, target, *outcome, t_now);
  if (guard_.note_answer(*entry, status, outcome->error_code, rec.auth, t_now)) {
    fail_all([](const Ticket& t) -> std::exception_ptr {
      if (!t.auth || t.route->path_token) return nullptr;
      return std::make_exception_ptr(ApiError(
          401, 0, "401: Unauthorized (the bot token was refused; fix it and call reset_token())"));
    });
  }
  WindowReconciler::end_unanswered_window(*b, rec, t_now);
  guard_.check_breaker(t_now);
  dispatch(t_now);
}

void LimiterCore::settle_sibling(std::uint64_t permit, const PermitRecord& rec,
                                 const Bucket* counted_in, bool never_sent) {
  for (const auto& freed : windows_.settle_sibling(permit, rec, counted_in, never_sent)) {
    mark(freed);
  }
}

}  // namespace cadence::discord::detail
