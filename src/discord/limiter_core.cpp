#include "discord/limiter_core.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <utility>

namespace cadence::discord::detail {

namespace {
constexpr const char* kLongerAfter429 =
    "the wait after a 429 is longer than the request's deadline";
}  // namespace

using std::chrono::duration_cast;
using std::chrono::milliseconds;

RateLimitScope classify_429(const RouteEntry& route, const Outcome& outcome) noexcept {
  const auto& h = outcome.headers;
  if ((outcome.body && outcome.body->global) || h.global || h.scope == RateLimitScope::global) {
    return RateLimitScope::global;
  }
  if (h.scope == RateLimitScope::shared) return RateLimitScope::shared;
  // Emoji headers are known to be inaccurate, so a 429 there is about the whole bucket.
  if (!route.emoji && h.remaining && *h.remaining > 0) return RateLimitScope::sublimit;
  return RateLimitScope::user;
}

Verdict verdict_for(const RouteEntry& route, const Outcome& outcome) {
  Verdict v;
  if (outcome.status != 429) return v;
  if (!outcome.body || !outcome.body->retry_after) {
    v.scope = RateLimitScope::ban;
    v.retry_after = outcome.headers.retry_after.value_or(milliseconds(0));
    v.error = std::make_exception_ptr(RateLimitedError(
        route.key, RateLimitScope::ban, v.retry_after,
        "Discord answered 429 without a JSON retry_after (a Cloudflare ban?): every request is "
        "stopped; do not retry"));
    return v;
  }
  v.retry = true;
  v.scope = classify_429(route, outcome);
  v.retry_after = *outcome.body->retry_after;
  return v;
}

LimiterCore::LimiterCore(std::shared_ptr<const Clock> clock, RateLimiterOptions options)
    : clock_(std::move(clock)),
      options_(std::move(options)),
      guard_(options_.breaker, options_.dead_webhook_capacity, options_.observer),
      bot_lane_{.pacing = GlobalLane(options_.global_limit,
                                     std::chrono::seconds(1) + options_.global_margin)},
      ip_lane_{.pacing = GlobalLane(options_.ip_limit,
                                    std::chrono::seconds(1) + options_.global_margin)} {
  if (!clock_) throw std::invalid_argument("RateLimiter needs a clock");
  next_sweep_ = clock_->now() + options_.sweep_interval;
}

LimiterCore::~LimiterCore() {
  // Tickets are owned by tickets_; unlink them so no queue points at freed memory.
  for (auto& [id, t] : tickets_) {
    if (t->queue) t->queue->remove(t.get());
  }
}

void LimiterCore::set_dispatch(std::function<void(std::function<void()>)> defer,
                               std::function<void()> on_change) {
  defer_ = std::move(defer);
  on_change_ = std::move(on_change);
  // Another limiter's answer may trip the shared breaker on another thread: only wake this one
  // up on its own strand, where dispatch() notices the news.
  guard_.listen(
      defer_ && on_change_
          ? std::function<void()>([defer = defer_, on_change = on_change_] { defer(on_change); })
          : std::function<void()>());
}

LimiterCore::LaneState* LimiterCore::lane_state(Lane lane) noexcept {
  switch (lane) {
    case Lane::bot:
      return &bot_lane_;
    case Lane::ip:
      return &ip_lane_;
    case Lane::none:
      return nullptr;
  }
  return nullptr;
}

const LimiterCore::LaneState* LimiterCore::lane_state(Lane lane) const noexcept {
  return const_cast<LimiterCore*>(this)->lane_state(lane);
}

// ---------------------------------------------------------------------------------------------
// Acquire

LimiterCore::Wait LimiterCore::known_wait(const RouteEntry& entry, Gate* gate, Lane lane,
                                          TimePoint now) {
  Wait w;
  if (gate) {
    if (gate->parked_until > now) w.raise(gate->parked_until - now, RateLimitScope::sublimit);
    if (gate->period) {
      gate->sends.prune(now - *gate->period);
      if (gate->sends.size() > 0 && gate->sends.size() + gate->unsent >= gate->limit) {
        w.raise(gate->sends.oldest() + *gate->period - now, RateLimitScope::sublimit);
      }
    }
  }
  const Bucket& b = *entry.bucket;
  if (b.parked_until > now) w.raise(b.parked_until - now, b.park_scope);
  if (b.known && b.reset_at) {
    const bool rolled = now >= *b.reset_at;
    const std::uint64_t available =
        rolled ? saturating_sub(b.limit, b.reserved) : std::uint64_t{b.remaining};
    const auto ahead = static_cast<std::uint64_t>(b.queue.size());
    if (!rolled && available <= ahead) {
      const auto first = *b.reset_at - now;
      const auto period = b.period.value_or(first);
      const auto extra_windows = static_cast<std::int64_t>((ahead - available) / b.limit);
      w.raise(first + period * extra_windows, RateLimitScope::user);
    }
  }
  if (const auto* l = lane_state(lane)) {
    const auto free = l->pacing.next_free(now);
    const auto ahead = static_cast<std::int64_t>(l->queue.size() / l->pacing.limit());
    const auto lane_wait = (free - now) + l->pacing.window() * ahead;
    if (lane_wait > Duration::zero()) w.raise(lane_wait, RateLimitScope::global);
  }
  return w;
}

bool LimiterCore::rejects(const Route& route, const Wait& wait) const {
  if (!wait.scope || wait.duration <= options_.reject.min_wait) return false;
  if (options_.reject.predicate) {
    return options_.reject.predicate(route, *wait.scope, wait.duration);
  }
  return std::any_of(options_.reject.route_prefixes.begin(), options_.reject.route_prefixes.end(),
                     [&](const std::string& p) { return route.route_template().starts_with(p); });
}

AcquireResult LimiterCore::acquire(const Route& route, const AcquireOptions& options,
                                   bool grant_now) {
  const auto t_now = now();
  if (t_now >= next_sweep_) sweep(t_now);
  AcquireResult result;
  auto entry = directory_.entry_for(route, t_now);
  if (auto error = guard_.refusal(*entry, options.auth, t_now)) {
    result.error = std::move(error);
    return result;
  }
  const Lane lane = route.is_interaction() ? Lane::none : (options.auth ? Lane::bot : Lane::ip);
  auto gate = directory_.gate_for(route, true);
  const auto wait = known_wait(*entry, gate.get(), lane, t_now);
  if (options.deadline && wait.scope && t_now + wait.duration > *options.deadline) {
    result.error = std::make_exception_ptr(
        RateLimitedError(entry->key, *wait.scope, ceil_ms(wait.duration),
                         "the known wait is longer than the request's deadline"));
    return result;
  }
  if (rejects(route, wait)) {
    result.error = std::make_exception_ptr(
        RateLimitedError(entry->key, *wait.scope, ceil_ms(wait.duration),
                         "this route is configured to reject instead of waiting"));
    return result;
  }

  auto owned = std::make_unique<Ticket>();
  Ticket* t = owned.get();
  t->id = next_ticket_++;
  t->route = entry;
  t->gate = gate;
  t->lane = lane;
  t->auth = options.auth;
  t->front = options.retry;
  t->deadline = options.deadline;
  t->enqueued = t_now;
  t->request_class = route.request_class();
  tickets_.emplace(t->id, std::move(owned));
  if (t->deadline) deadlines_.push({*t->deadline, t->id});
  if (wait.scope && options_.observer) {
    options_.observer->on_wait(entry->key, *wait.scope, wait.duration);
  }

  if (gate) {
    gate->last_used = t_now;
    t->stage = Stage::gate;
    options.retry ? gate->queue.push_front(t) : gate->queue.push_back(t);
    mark(gate);
  } else {
    to_bucket(t);
  }
  const auto id = t->id;
  if (!grant_now) {
    // Considered at the next poll(), together with everything submitted meanwhile.
    undispatched_ = true;
    result.ticket = id;
    result.wait = wait.duration;
    result.wait_scope = wait.scope;
    return result;
  }
  dispatch(t_now);

  for (auto it = ready_.rbegin(); it != ready_.rend(); ++it) {
    if (it->ticket == id) {
      result.permit = std::move(it->permit);
      result.error = std::move(it->error);
      ready_.erase(std::next(it).base());
      return result;
    }
  }
  result.ticket = id;
  result.wait = wait.duration;
  result.wait_scope = wait.scope;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void LimiterCore::mark(const std::shared_ptr<Bucket>& b) {
  if (!b->dirty) {
    b->dirty = true;
    dirty_buckets_.push_back(b);
  }
}

void LimiterCore::mark(const std::shared_ptr<Gate>& g) {
  if (!g->dirty) {
    g->dirty = true;
    dirty_gates_.push_back(g);
  }
}

void LimiterCore::mark(LaneState& lane) { lane.dirty = true; }

void LimiterCore::schedule(const std::shared_ptr<Bucket>& b, TimePoint at) {
  if (at < b->scheduled) {
    b->scheduled = at;
    wakes_.push({at, b, nullptr});
  }
}

void LimiterCore::schedule(const std::shared_ptr<Gate>& g, TimePoint at) {
  if (at < g->scheduled) {
    g->scheduled = at;
    wakes_.push({at, nullptr, g});
  }
}

void LimiterCore::dispatch(TimePoint now) {
  undispatched_ = false;
  absorb_breaker_events(now);
  while (!dirty_gates_.empty() || !dirty_buckets_.empty() || bot_lane_.dirty || ip_lane_.dirty) {
    while (!dirty_gates_.empty()) {
      auto g = std::move(dirty_gates_.back());
      dirty_gates_.pop_back();
      dispatch_gate(g, now);
    }
    while (!dirty_buckets_.empty()) {
      auto b = std::move(dirty_buckets_.back());
      dirty_buckets_.pop_back();
      dispatch_bucket(b, now);
    }
    if (bot_lane_.dirty) dispatch_lane(bot_lane_, now);
    if (ip_lane_.dirty) dispatch_lane(ip_lane_, now);
  }
}

bool LimiterCore::gate_can_pass(Gate& g, TimePoint now, TimePoint& wake) {
  if (now < g.parked_until) {
    wake = g.parked_until;
    return false;
  }
  if (g.in_flight >= g.max_in_flight) return false;
  if (g.period) {
    g.sends.prune(now - *g.period);
    if (g.sends.size() + g.unsent >= g.limit) {
      if (g.sends.size() > 0) wake = g.sends.oldest() + *g.period;
      return false;
    }
  }
  return true;
}

void LimiterCore::dispatch_gate(const std::shared_ptr<Gate>& g, TimePoint now) {
  g->dirty = false;
  while (Ticket* t = g->queue.front()) {
    TimePoint wake = kNever;
    if (!gate_can_pass(*g, now, wake)) {
      if (wake != kNever) schedule(g, wake);
      return;
    }
    g->queue.remove(t);
    ++g->in_flight;
    ++g->unsent;
    to_bucket(t);
  }
}

void LimiterCore::to_bucket(Ticket* t) {
  auto& b = t->route->bucket;
  t->stage = Stage::bucket;
  t->front ? b->queue.push_front(t) : b->queue.push_back(t);
  mark(b);
}

bool LimiterCore::bucket_can_reserve(Bucket& b, TimePoint now, TimePoint& wake) {
  if (now < b.parked_until) {
    wake = b.parked_until;
    return false;
  }
  if (!b.known) return b.in_flight == 0 && b.reserved == 0;
  if (b.reset_at && now >= *b.reset_at) {
    // The server's window has ended: a new one starts with our next send. Requests reserved
    // but not sent yet will land in it.
    b.window = windows_.new_window();
    b.remaining = saturating_sub(b.limit, b.reserved);
    b.window_in_flight = 0;
    b.reset_at.reset();
  }
  if (b.in_flight + b.reserved >= b.max_in_flight) return false;
  if (b.remaining == 0) {
    if (b.reset_at) wake = *b.reset_at;
    return false;
  }
  if (b.period && !b.fixed) {
    // Sliding-window safety: a slot used at t is free again only at t + period.
    const auto span = *b.period + options_.bucket_margin;
    b.sends.prune(now - span);
    if (b.sends.size() + b.reserved >= b.limit) {
      if (b.sends.size() > 0) wake = b.sends.oldest() + span;
      return false;
    }
  }
  return true;
}

void LimiterCore::dispatch_bucket(const std::shared_ptr<Bucket>& b, TimePoint now) {
  b->dirty = false;
  if (!b->probe_of.empty() && b->in_flight + b->reserved == 0) {
    for (auto& w : directory_.probe_idle(*b)) mark(w);
  }
  while (Ticket* t = b->queue.front()) {
    if (directory_.wait_for_probe(*t->route, b)) return;  // woken by the probe's bucket
    TimePoint wake = kNever;
    if (!bucket_can_reserve(*b, now, wake)) {
      if (wake == kNever) return;  // the wait hangs on answers still out
      // The wait is known now (a window's reset, the send log, a pause): what was queued before
      // it was known and cannot go before its deadline fails at once, as a request would that
      // came after (RequestParams::deadline), rather than when its deadline passes.
      fail_past_deadline(b->queue, wake,
                         now < b->parked_until ? b->park_scope : RateLimitScope::user, now,
                         "the bucket's wait is longer than the request's deadline");
      if (!b->queue.empty()) schedule(b, wake);
      return;
    }
    b->queue.remove(t);
    if (b->known) --b->remaining;
    ++b->reserved;
    t->reserved = b;
    if (auto* lane = lane_state(t->lane)) {
      t->stage = Stage::lane;
      const auto work = work_ahead(*b);
      lane->queue.push(t, t->enqueued - work, t->front, work > Duration::zero());
      mark(*lane);
    } else {
      grant(t, now);
    }
  }
}

Duration LimiterCore::work_ahead(const Bucket& b) const {
  const auto behind = b.queue.size();
  if (behind == 0) return Duration::zero();
  // An unknown bucket sends one request at a time until its first answer; what is behind it
  // may be a whole critical path, so its first request counts as a window of work.
  if (!b.known || !b.period) return std::chrono::seconds(1);
  return *b.period * static_cast<std::int64_t>((behind + b.limit - 1) / b.limit);
}

void LimiterCore::dispatch_lane(LaneState& lane, TimePoint now) {
  lane.dirty = false;
  for (;;) {
    // Relaxed tickets may not take the slots held back for answers still out; when they are
    // all that is left, the answers (which mark the lane) wake them.
    const bool relaxed_too = lane.held == 0 || lane.pacing.available(now) > lane.held;
    Ticket* t = lane.queue.front(relaxed_too);
    if (!t) return;
    if (!lane.pacing.try_acquire(now, slot_date(now))) {
      const auto at = lane.pacing.next_free(now);
      if (at < lane.scheduled || lane.scheduled <= now) lane.scheduled = at;
      return;
    }
    lane.queue.remove(t);
    grant(t, now);
  }
}

void LimiterCore::grant(Ticket* t, TimePoint now) {
  auto& b = t->reserved;
  --b->reserved;
  ++b->in_flight;
  if (b->known) ++b->window_in_flight;
  const auto slot = slot_date(now);
  b->sends.push(slot);
  if (t->gate) {
    --t->gate->unsent;
    if (t->gate->period) t->gate->sends.push(slot);
  }
  PermitRecord rec;
  rec.route = t->route;
  rec.bucket = b;
  rec.gate = t->gate;
  rec.window = b->window;
  rec.lane = t->lane;
  rec.written_at = now;
  rec.slot_at = slot;
  rec.lane_at = slot;
  rec.auth = t->auth;
  rec.request_class = std::move(t->request_class);
  const auto pid = next_permit_++;
  if (!b->known) {
    rec.unknown = true;
    windows_.unknown_sent(t->route->major, pid);
    // Its answer will tell the limit, and the requests queued behind it will want slots at
    // once: hold some back for them (a guess: Discord's smallest common limit, 5, less this).
    // A probe's answer also releases the first request of each bucket that waited for it.
    if (auto* lane = lane_state(t->lane)) {
      std::size_t hold = std::min<std::size_t>(b->queue.size(), 4);
      if (!b->probe_of.empty()) hold += directory_.waiting_work(b->probe_of);
      rec.lane_hold = static_cast<std::uint32_t>(std::min<std::size_t>(hold, 25));
      lane->held += rec.lane_hold;
    }
  }
  permits_.emplace(pid, std::move(rec));
  Ready ready;
  ready.ticket = t->id;
  ready.permit = Permit(weak_from_this(), pid, t->id, t->route);
  ready_.push_back(std::move(ready));
  tickets_.erase(t->id);
}

void LimiterCore::drop_ticket(Ticket* t) {
  if (t->queue) t->queue->remove(t);
  if (t->stage == Stage::lane) {
    if (auto* lane = lane_state(t->lane)) lane->queue.remove(t);
  }
  if (t->reserved) {
    auto& b = t->reserved;
    --b->reserved;
    if (b->known) b->remaining = std::min(b->limit, b->remaining + 1);
    mark(b);
  }
  if (t->gate && t->stage != Stage::gate) {
    --t->gate->unsent;
    --t->gate->in_flight;
    mark(t->gate);
  }
}

void LimiterCore::fail_ticket(Ticket* t, std::exception_ptr error) {
  drop_ticket(t);
  Ready ready;
  ready.ticket = t->id;
  ready.error = std::move(error);
  ready_.push_back(std::move(ready));
  tickets_.erase(t->id);
}

bool LimiterCore::cancel(TicketId id) {
  auto it = tickets_.find(id);
  if (it == tickets_.end()) return false;
  drop_ticket(it->second.get());
  tickets_.erase(it);
  dispatch(now());
  return true;
}

void LimiterCore::fail_all(const std::function<std::exception_ptr(const Ticket&)>& error_for) {
  std::vector<Ticket*> victims;
  for (auto& [id, t] : tickets_) {
    if (error_for(*t)) victims.push_back(t.get());
  }
  std::sort(victims.begin(), victims.end(),
            [](const Ticket* a, const Ticket* b) { return a->id < b->id; });
  for (Ticket* t : victims) fail_ticket(t, error_for(*t));
}

std::vector<Ready> LimiterCore::poll() {
  const auto t_now = now();
  while (!deadlines_.empty() && deadlines_.top().at <= t_now) {
    const auto id = deadlines_.top().ticket;
    deadlines_.pop();
    auto it = tickets_.find(id);
    if (it == tickets_.end()) continue;
    const auto waited = duration_cast<milliseconds>(t_now - it->second->enqueued);
    fail_ticket(it->second.get(),
                std::make_exception_ptr(TimeoutError(
                    fmt::format("deadline passed while queued in the rate limiter for {}",
                                it->second->route->key),
                    waited)));
  }
  while (!wakes_.empty() && wakes_.top().at <= t_now) {
    const auto wake = wakes_.top();
    wakes_.pop();
    if (wake.bucket && wake.bucket->scheduled == wake.at) {
      wake.bucket->scheduled = kNever;
      mark(wake.bucket);
    } else if (wake.gate && wake.gate->scheduled == wake.at) {
      wake.gate->scheduled = kNever;
      mark(wake.gate);
    }
  }
  for (auto* lane : {&bot_lane_, &ip_lane_}) {
    if (lane->scheduled <= t_now) {
      lane->scheduled = kNever;
      mark(*lane);
    }
  }
  if (t_now >= next_sweep_) sweep(t_now);
  guard_.check_breaker(t_now);
  dispatch(t_now);
  return std::exchange(ready_, {});
}

std::optional<TimePoint> LimiterCore::next_wakeup() const {
  TimePoint at = kNever;
  if (!wakes_.empty()) at = std::min(at, wakes_.top().at);
  if (!deadlines_.empty()) at = std::min(at, deadlines_.top().at);
  at = std::min({at, bot_lane_.scheduled, ip_lane_.scheduled});
  // Sweeping is due only while requests are queued or in flight; an idle limiter sweeps at its
  // next acquire. A timer for it would keep an idle Rest's io_context::run() from returning.
  if (!tickets_.empty() || !permits_.empty()) at = std::min(at, next_sweep_);
  if (!ready_.empty() || undispatched_) at = std::min(at, now());
  if (at == kNever) return std::nullopt;
  return at;
}

// ---------------------------------------------------------------------------------------------
// Parking

void LimiterCore::fail_past_deadline(TicketQueue& queue, TimePoint until, RateLimitScope scope,
                                     TimePoint now, const char* why) {
  for (Ticket* t = queue.front(); t;) {
    Ticket* next = t->next;
    if (t->deadline && *t->deadline < until) {
      fail_ticket(t, std::make_exception_ptr(
                         RateLimitedError(t->route->key, scope, ceil_ms(until - now), why)));
    }
    t = next;
  }
}

void LimiterCore::park(const std::shared_ptr<Bucket>& b, TimePoint until, RateLimitScope scope) {
  if (until > b->parked_until) {
    b->parked_until = until;
    b->park_scope = scope;
  }
  fail_past_deadline(b->queue, b->parked_until, scope, now(), kLongerAfter429);
  mark(b);
}

void LimiterCore::park(const std::shared_ptr<Gate>& g, TimePoint until) {
  g->parked_until = std::max(g->parked_until, until);
  fail_past_deadline(g->queue, g->parked_until, RateLimitScope::sublimit, now(), kLongerAfter429);
  mark(g);
}

void LimiterCore::absorb_breaker_events(TimePoint now) {
  const auto news = guard_.take_news(now);
  if (!news || tickets_.empty()) return;
  fail_all([&](const Ticket& t) {
    return std::make_exception_ptr(
        RateLimitedError(t.route->key, news->scope, news->wait, news->reason));
  });
}

// ---------------------------------------------------------------------------------------------
// Introspection and sweeping

std::size_t LimiterCore::sweep(TimePoint now) {
  next_sweep_ = now + options_.sweep_interval;
  const auto removed = directory_.sweep(now);
  if (removed && options_.observer) options_.observer->on_sweep(removed);
  return removed;
}

BucketSnapshot LimiterCore::snapshot(const Route& route) const {
  const auto t_now = now();
  const auto b = directory_.find_bucket(route);
  const auto [id, hash] = directory_.bucket_id(route);
  BucketSnapshot s;
  s.key = b ? b->id : id;
  s.hash = b && b->hash ? b->hash : hash;
  if (!b) return s;
  s.known = b->known;
  s.queued = b->queue.size() + b->reserved;
  s.in_flight = b->in_flight;
  if (b->known) {
    s.limit = b->limit;
    if (b->reset_at && t_now >= *b->reset_at) {
      s.remaining = saturating_sub(b->limit, b->reserved);
    } else {
      s.remaining = b->remaining;
      if (b->reset_at) s.reset_after = *b->reset_at - t_now;
    }
  }
  return s;
}

std::optional<std::string> LimiterCore::stranded() const {
  for (const auto& [id, t] : tickets_) {
    switch (t->stage) {
      case Stage::gate: {
        const Gate& g = *t->gate;
        // A gate opens again when one of its requests completes or at its scheduled time.
        if (g.in_flight == 0 && g.scheduled == kNever && !g.dirty) {
          return fmt::format(
              "{}: queued at the sublimit gate {} with nothing in flight and no "
              "wake-up",
              t->route->key, g.key);
        }
        break;
      }
      case Stage::bucket: {
        const Bucket& b = *t->route->bucket;
        if (t->queue != &b.queue) {
          return fmt::format("{}: queued in a bucket its route no longer maps to ({})",
                             t->route->key, b.id);
        }
        if (b.awaiting_probe && directory_.probe_busy(t->route->bucket_route)) break;
        if (b.in_flight == 0 && b.reserved == 0 && b.scheduled == kNever && !b.dirty) {
          return fmt::format(
              "{}: queued in bucket {} with nothing in flight and no wake-up (known {}, "
              "remaining {}, reset {})",
              t->route->key, b.id, b.known, b.remaining, b.reset_at ? "set" : "unknown");
        }
        break;
      }
      case Stage::lane: {
        const auto* lane = lane_state(t->lane);
        if (lane && lane->scheduled == kNever && !lane->dirty && lane->held == 0) {
          return fmt::format("{}: queued in a global lane with no wake-up", t->route->key);
        }
        break;
      }
    }
  }
  return std::nullopt;
}

RateLimiterStats LimiterCore::stats() const {
  RateLimiterStats s;
  s.buckets = directory_.buckets();
  s.routes = directory_.routes();
  s.learned_hashes = directory_.learned_hashes();
  s.gates = directory_.gates();
  s.queued = tickets_.size();
  s.permits = permits_.size();
  return s;
}

}  // namespace cadence::discord::detail
