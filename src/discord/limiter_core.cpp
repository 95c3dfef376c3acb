#include "discord/limiter_core.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <utility>

namespace cadence::discord::detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::uint32_t kNameTopicLimit = 2;
constexpr auto kNameTopicPeriod = std::chrono::minutes(10);

milliseconds ceil_ms(Duration d) {
  if (d <= Duration::zero()) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(d);
}

std::uint32_t saturating_sub(std::uint32_t a, std::uint64_t b) {
  return b >= a ? 0 : static_cast<std::uint32_t>(a - b);
}

std::string gate_key(const std::string& route_key, const std::string& request_class) {
  return route_key + "#" + request_class;
}

}  // namespace

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
      bot_lane_{.pacing = GlobalLane(options_.global_limit,
                                     std::chrono::seconds(1) + options_.global_margin)},
      ip_lane_{.pacing = GlobalLane(options_.ip_limit,
                                    std::chrono::seconds(1) + options_.global_margin)} {
  if (!clock_) throw std::invalid_argument("RateLimiter needs a clock");
  breaker_ = options_.breaker ? options_.breaker : std::make_shared<InvalidRequestBreaker>();
  breaker_generation_ = breaker_->generation();
  next_sweep_ = clock_->now() + options_.sweep_interval;
}

LimiterCore::~LimiterCore() {
  if (breaker_listener_ != 0) breaker_->unsubscribe(breaker_listener_);
  // Tickets are owned by tickets_; unlink them so no queue points at freed memory.
  for (auto& [id, t] : tickets_) {
    if (t->queue) t->queue->remove(t.get());
  }
}

void LimiterCore::set_dispatch(std::function<void(std::function<void()>)> defer,
                               std::function<void()> on_change) {
  defer_ = std::move(defer);
  on_change_ = std::move(on_change);
  if (breaker_listener_ != 0) breaker_->unsubscribe(std::exchange(breaker_listener_, 0));
  if (defer_ && on_change_) {
    // Another limiter's response may trip the shared breaker on another thread: only wake this
    // one up on its own strand, where dispatch() notices the new generation.
    breaker_listener_ =
        breaker_->subscribe([defer = defer_, on_change = on_change_] { defer(on_change); });
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup

std::string LimiterCore::hash_bucket_id(const std::string& hash, const std::string& major) const {
  return major.empty() ? hash : hash + " " + major;
}

std::shared_ptr<Bucket> LimiterCore::bucket_for(const std::string& bucket_route,
                                                const std::string& major,
                                                const std::string& route_key) {
  std::string id = route_key;
  std::optional<std::string> hash;
  if (auto it = route_hash_.find(bucket_route); it != route_hash_.end()) {
    id = hash_bucket_id(it->second.hash, major);
    hash = it->second.hash;
  }
  auto& slot = buckets_[id];
  if (!slot) {
    slot = std::make_shared<Bucket>();
    slot->id = id;
    slot->hash = std::move(hash);
  }
  return slot;
}

std::shared_ptr<RouteEntry> LimiterCore::entry_for(const Route& route, TimePoint now) {
  auto& slot = routes_[route.key()];
  if (!slot) {
    slot = std::make_shared<RouteEntry>();
    slot->key = route.key();
    slot->bucket_route = route.bucket_route();
    slot->major = route.major();
    slot->route_template = route.route_template();
    slot->major_kind = route.major_kind();
    slot->emoji = route.sublimit() == Sublimit::emoji;
    slot->path_token = route.has_path_token();
    slot->interaction = route.is_interaction();
  }
  if (!slot->bucket || buckets_.find(slot->bucket->id) == buckets_.end()) {
    slot->bucket = bucket_for(slot->bucket_route, slot->major, slot->key);
  }
  if (slot->emoji) slot->bucket->max_in_flight = 1;
  slot->last_used = now;
  slot->bucket->last_used = now;
  if (auto it = route_hash_.find(slot->bucket_route); it != route_hash_.end()) {
    it->second.last_used = now;
  }
  return slot;
}

std::shared_ptr<Gate> LimiterCore::learned_gate(const std::string& key) {
  auto& slot = gates_[key];
  if (!slot) {
    slot = std::make_shared<Gate>();
    slot->key = key;
  }
  return slot;
}

std::shared_ptr<Gate> LimiterCore::gate_for(const Route& route, bool create_known) {
  if (route.sublimit() == Sublimit::channel_name_topic) {
    const auto key = gate_key(route.key(), "name/topic");
    if (auto it = gates_.find(key); it != gates_.end()) return it->second;
    if (!create_known) return nullptr;
    auto g = learned_gate(key);
    g->limit = kNameTopicLimit;
    g->period = kNameTopicPeriod + options_.bucket_margin;
    return g;
  }
  if (gates_.empty()) return nullptr;
  if (auto it = gates_.find(gate_key(route.key(), route.request_class())); it != gates_.end()) {
    return it->second;
  }
  return nullptr;
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

std::exception_ptr LimiterCore::refusal(const RouteEntry& entry, const Route& route, bool auth,
                                        TimePoint now) {
  if (const auto until = breaker_->banned_until(now)) {
    return std::make_exception_ptr(RateLimitedError(
        entry.key, RateLimitScope::ban, ceil_ms(*until - now),
        "Discord answered 429 without JSON before (a Cloudflare ban?); requests stay stopped "
        "until the ban pause ends or clear_ban()"));
  }
  if (breaker_->is_open(now)) {
    check_breaker(now);
    return std::make_exception_ptr(RateLimitedError(
        entry.key, RateLimitScope::breaker, ceil_ms(breaker_->time_until_closed(now)),
        fmt::format("{} invalid requests (401/403/429) in the last {} s; refusing before "
                    "Discord bans the IP",
                    breaker_->count(now), breaker_->options().window.count())));
  }
  if (token_stopped_ && auth && !route.has_path_token()) {
    return std::make_exception_ptr(
        ApiError(401, 0,
                 "401: Unauthorized (an earlier request was refused with this token; fix the "
                 "token and call reset_token())"));
  }
  if (is_dead_webhook(entry)) {
    return std::make_exception_ptr(
        ApiError(404, 10015,
                 "Unknown Webhook (this webhook answered 404 before; not sent again, since "
                 "repeated requests get the IP restricted)"));
  }
  return nullptr;
}

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
  auto entry = entry_for(route, t_now);
  if (auto error = refusal(*entry, route, options.auth, t_now)) {
    result.error = std::move(error);
    return result;
  }
  const Lane lane = route.is_interaction() ? Lane::none : (options.auth ? Lane::bot : Lane::ip);
  auto gate = gate_for(route, true);
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
    b.window = next_window_++;
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
  while (Ticket* t = b->queue.front()) {
    TimePoint wake = kNever;
    if (!bucket_can_reserve(*b, now, wake)) {
      if (wake != kNever) schedule(b, wake);
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
  rec.auth = t->auth;
  rec.request_class = std::move(t->request_class);
  const auto pid = next_permit_++;
  if (!b->known) {
    rec.unknown = true;
    unknown_permits_[t->route->major].push_back(pid);
    // Its answer will tell the limit, and the requests queued behind it will want slots at
    // once: hold some back for them (a guess: Discord's smallest common limit, 5, less this).
    if (auto* lane = lane_state(t->lane)) {
      rec.lane_hold = static_cast<std::uint32_t>(std::min<std::size_t>(b->queue.size(), 4));
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
  check_breaker(t_now);
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
                                     TimePoint now) {
  for (Ticket* t = queue.front(); t;) {
    Ticket* next = t->next;
    if (t->deadline && *t->deadline < until) {
      fail_ticket(t, std::make_exception_ptr(RateLimitedError(
                         t->route->key, scope, ceil_ms(until - now),
                         "the wait after a 429 is longer than the request's deadline")));
    }
    t = next;
  }
}

void LimiterCore::park(const std::shared_ptr<Bucket>& b, TimePoint until, RateLimitScope scope) {
  if (until > b->parked_until) {
    b->parked_until = until;
    b->park_scope = scope;
  }
  fail_past_deadline(b->queue, b->parked_until, scope, now());
  mark(b);
}

void LimiterCore::park(const std::shared_ptr<Gate>& g, TimePoint until) {
  g->parked_until = std::max(g->parked_until, until);
  fail_past_deadline(g->queue, g->parked_until, RateLimitScope::sublimit, now());
  mark(g);
}

// ---------------------------------------------------------------------------------------------
// Completion

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
  if (at <= rec.written_at) return;
  rec.written_at = at;
  // Before the answer, slots only move later: a wake-up already scheduled finds nothing free
  // and sets a new one.
  if (const auto date = slot_date(at); date > rec.slot_at) redate(rec, date);
}

TimePoint LimiterCore::slot_date(TimePoint written) const {
  // Until its answer comes, a request may be counted as late after its write as the slowest
  // recent round trip took beyond the fastest (a busy edge, a starved host).
  return written + latency_.spread();
}

void LimiterCore::redate(PermitRecord& rec, TimePoint to) {
  if (to == rec.slot_at) return;
  rec.bucket->sends.retime(rec.slot_at, to);
  if (rec.gate && rec.gate->period) rec.gate->sends.retime(rec.slot_at, to);
  if (auto* lane = lane_state(rec.lane)) {
    lane->pacing.retime(rec.slot_at, to);
    if (to < rec.slot_at) mark(*lane);
  }
  if (to < rec.slot_at) {
    mark(rec.bucket);
    if (rec.gate) mark(rec.gate);
  }
  rec.slot_at = to;
}

void LimiterCore::settle_slot(PermitRecord& rec, TimePoint answered) {
  // The server counted the request before it answered, and the answer took at least the
  // fastest round trip less the way there: so it counted it no later than `answered` less the
  // fastest round trip, measured from any later send's point of view. That date replaces the
  // guess made at the write, earlier or later.
  latency_.add(answered - rec.written_at);
  redate(rec, std::max(rec.written_at, answered - latency_.answer_offset()));
}

std::shared_ptr<Bucket> LimiterCore::learn_hash(RouteEntry& entry,
                                                const std::shared_ptr<RouteEntry>& owner,
                                                const std::string& hash, TimePoint now) {
  auto& he = route_hash_[entry.bucket_route];
  if (he.hash != hash) {
    if (options_.observer) options_.observer->on_hash_changed(entry.bucket_route, he.hash, hash);
    he.hash = hash;
  }
  he.last_used = now;

  const auto target_id = hash_bucket_id(hash, entry.major);
  auto current = entry.bucket;
  if (current->id == target_id) {
    if (!current->hash) current->hash = hash;
    return current;
  }
  auto it = buckets_.find(target_id);
  const bool route_keyed = !current->hash && current->id == entry.key;
  if (it == buckets_.end() && route_keyed) {
    // The route's own bucket simply becomes the hash's bucket.
    buckets_.erase(current->id);
    current->id = target_id;
    current->hash = hash;
    buckets_.emplace(target_id, current);
    return current;
  }
  std::shared_ptr<Bucket> target;
  if (it == buckets_.end()) {
    target = std::make_shared<Bucket>();
    target->id = target_id;
    target->hash = hash;
    buckets_.emplace(target_id, target);
  } else {
    target = it->second;
  }
  target->last_used = now;
  // Move this route's queued tickets to the bucket it really is in (merging routes that share
  // a hash, or following a hash change), keeping their order.
  for (Ticket* t = current->queue.front(); t;) {
    Ticket* next = t->next;
    if (t->route == owner) {
      current->queue.remove(t);
      target->queue.push_back(t);
    }
    t = next;
  }
  entry.bucket = target;
  if (entry.emoji) target->max_in_flight = 1;
  if (route_keyed) {
    if (auto cur = buckets_.find(current->id); cur != buckets_.end() && cur->second == current) {
      buckets_.erase(cur);
    }
  }
  mark(current);
  mark(target);
  return target;
}

void LimiterCore::apply_headers(const std::shared_ptr<Bucket>& target, const PermitRecord& rec,
                                bool same_bucket, const RateLimitHeaders& h, TimePoint now) {
  Bucket& t = *target;
  if (!h.limit || !h.remaining || !h.reset_after) return;
  const auto limit = *h.limit;
  const auto remaining = std::min(*h.remaining, limit);
  const auto reset_est = now + *h.reset_after + options_.bucket_margin;

  // Every reset_after is at most the window's length, and the one that answers the request
  // that opened a window (fixed or sliding) equals it; the largest seen is the estimate.
  t.period = std::max(t.period.value_or(Duration::zero()), Duration(*h.reset_after));
  if (!t.known) {
    t.known = true;
    t.limit = limit;
    t.window = next_window_++;
    t.window_in_flight = t.in_flight;
    t.remaining = saturating_sub(remaining, std::uint64_t{t.in_flight} + t.reserved);
    t.reset_at = reset_est;
    if (auto it = unknown_permits_.find(rec.route->major); it != unknown_permits_.end()) {
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
  t.remaining = std::min(t.remaining,
                         saturating_sub(remaining, std::uint64_t{t.window_in_flight} + t.reserved));
  if (t.reset_at) {
    t.reset_at = std::min(*t.reset_at, reset_est);
  } else if (current_window) {
    t.reset_at = reset_est;
  }
}

void LimiterCore::note_window_evidence(Bucket& b, const PermitRecord& rec, std::uint32_t used,
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

void LimiterCore::on_429(const std::shared_ptr<RouteEntry>& entry, const PermitRecord& rec,
                         const std::string& request_class, const std::shared_ptr<Bucket>& target,
                         const Outcome& outcome, TimePoint now) {
  const auto& body = outcome.body;
  if (!body || !body->retry_after) {
    const auto pause = outcome.headers.retry_after
                           ? std::max<Duration>(*outcome.headers.retry_after, Duration::zero())
                           : options_.ban_pause;
    const auto until = now + (pause > Duration::zero() ? pause : options_.ban_pause);
    breaker_->ban(until);
    breaker_->record(now);
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
  if (scope != RateLimitScope::shared) breaker_->record(now);
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
      auto g = learned_gate(gate_key(entry->key, request_class));
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
  if (rec.unknown) {
    if (auto it = unknown_permits_.find(entry->major); it != unknown_permits_.end()) {
      std::erase(it->second, permit);
      if (it->second.empty()) unknown_permits_.erase(it);
    }
  }

  if (!outcome) {
    if (rec.unknown) settle_sibling(permit, rec, nullptr, true);
    // Not sent: every slot it took is given back.
    if (b->known && rec.window == b->window) b->remaining = std::min(b->limit, b->remaining + 1);
    b->sends.erase_one(rec.slot_at);
    if (rec.gate && rec.gate->period) rec.gate->sends.erase_one(rec.slot_at);
    if (auto* lane = lane_state(rec.lane)) {
      lane->pacing.refund(rec.slot_at);
      mark(*lane);
    }
    dispatch(t_now);
    return;
  }
  if (outcome->status == 0) {
    if (rec.unknown) settle_sibling(permit, rec, nullptr, false);  // counted who knows where
    end_unanswered_window(*b, rec, t_now);
    dispatch(t_now);
    return;
  }

  settle_slot(rec, at);
  std::shared_ptr<Bucket> target = entry->bucket;
  if (outcome->headers.bucket) {
    target = learn_hash(*entry, entry, *outcome->headers.bucket, t_now);
  }
  apply_headers(target, rec, target == b, outcome->headers, t_now);
  mark(target);
  if (rec.unknown) {
    // Only a hash proves which bucket the request was counted in.
    settle_sibling(permit, rec, outcome->headers.bucket ? target.get() : nullptr, false);
  }

  const auto status = outcome->status;
  if (status == 429) {
    on_429(entry, rec, rec.request_class, target, *outcome, t_now);
  } else if (status == 401 || status == 403) {
    breaker_->record(t_now);
  }
  if (status == 401 && rec.auth && !entry->path_token) {
    token_stopped_ = true;
    if (options_.observer) options_.observer->on_token_stopped();
    fail_all([](const Ticket& t) -> std::exception_ptr {
      if (!t.auth || t.route->path_token) return nullptr;
      return std::make_exception_ptr(ApiError(
          401, 0, "401: Unauthorized (the bot token was refused; fix it and call reset_token())"));
    });
  }
  if (status == 404 && entry->major_kind == MajorKind::webhook) {
    const bool webhook_root = entry->route_template == "/webhooks/{webhook_id}" ||
                              entry->route_template == "/webhooks/{webhook_id}/{webhook_token}";
    if (outcome->error_code == 10015 || (!outcome->error_code && webhook_root)) {
      // An interaction's webhook id is the application id: only that token is dead.
      remember_dead_webhook(entry->interaction ? entry->major
                                               : entry->major.substr(0, entry->major.find('/')));
    }
  }
  end_unanswered_window(*b, rec, t_now);
  check_breaker(t_now);
  dispatch(t_now);
}

void LimiterCore::end_unanswered_window(Bucket& b, const PermitRecord& rec, TimePoint now) {
  // A window opened after a reset has no known end until an answer with bucket headers comes.
  // When the last request of that window comes back without them (a global 429, which no
  // bucket counted; a network error), no answer is left to tell, and a bucket at remaining 0
  // would wait forever: the requests stranded on a starved machine. End the window now and let
  // the send log decide: each of those requests may have been counted, so each keeps its slot
  // for one period after it was sent, which is what a sliding or a fixed window allows.
  if (!b.known || rec.window != b.window || b.reset_at || b.window_in_flight > 0) return;
  b.reset_at = now;
}

void LimiterCore::settle_sibling(std::uint64_t permit, const PermitRecord& rec,
                                 const Bucket* counted_in, bool never_sent) {
  auto it = holders_.find(rec.route->major);
  if (it == holders_.end()) return;
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
      mark(h);
    }
  }
  std::erase_if(holders, [](const std::shared_ptr<Bucket>& h) { return h->held_for.empty(); });
  if (holders.empty()) holders_.erase(it);
}

void LimiterCore::absorb_breaker_events(TimePoint now) {
  const auto generation = breaker_->generation();
  if (generation == breaker_generation_) return;
  breaker_generation_ = generation;
  if (tickets_.empty()) return;
  if (const auto until = breaker_->banned_until(now)) {
    const auto wait = ceil_ms(*until - now);
    fail_all([&](const Ticket& t) {
      return std::make_exception_ptr(RateLimitedError(
          t.route->key, RateLimitScope::ban, wait,
          "Discord answered 429 without a JSON retry_after (a Cloudflare ban?) to a request "
          "sharing this IP's breaker: every queued request failed and new ones are refused"));
    });
  } else if (breaker_->is_open(now)) {
    check_breaker(now);
    const auto wait = ceil_ms(breaker_->time_until_closed(now));
    const auto count = breaker_->count(now);
    fail_all([&](const Ticket& t) {
      return std::make_exception_ptr(RateLimitedError(
          t.route->key, RateLimitScope::breaker, wait,
          fmt::format("{} invalid requests (401/403/429) in the last {} s; queued requests "
                      "failed before Discord bans the IP",
                      count, breaker_->options().window.count())));
    });
  }
}

void LimiterCore::check_breaker(TimePoint now) {
  const bool open = breaker_->is_open(now);
  if (open != breaker_open_) {
    breaker_open_ = open;
    if (options_.observer) options_.observer->on_breaker(open, breaker_->count(now));
  }
}

void LimiterCore::remember_dead_webhook(const std::string& key) {
  if (options_.dead_webhook_capacity == 0) return;
  dead_webhooks_[key] = dead_webhook_seq_++;
  if (dead_webhooks_.size() > options_.dead_webhook_capacity) {
    auto oldest =
        std::min_element(dead_webhooks_.begin(), dead_webhooks_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    dead_webhooks_.erase(oldest);
  }
}

bool LimiterCore::is_dead_webhook(const RouteEntry& entry) const {
  if (dead_webhooks_.empty() || entry.major_kind != MajorKind::webhook) return false;
  if (dead_webhooks_.count(entry.major)) return true;
  return dead_webhooks_.count(entry.major.substr(0, entry.major.find('/'))) > 0;
}

// ---------------------------------------------------------------------------------------------
// Introspection and sweeping

std::size_t LimiterCore::sweep(TimePoint now) {
  next_sweep_ = now + options_.sweep_interval;
  const auto cutoff = now - options_.bucket_idle;
  std::size_t removed = 0;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = *it->second;
    const bool idle = b.queue.empty() && b.in_flight == 0 && b.reserved == 0 &&
                      b.last_used <= cutoff && (!b.reset_at || *b.reset_at <= now) &&
                      b.parked_until <= now;
    if (idle) {
      it = buckets_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  for (auto it = routes_.begin(); it != routes_.end();) {
    const auto& e = it->second;
    const bool orphan = buckets_.find(e->bucket->id) == buckets_.end();
    if (e.use_count() == 1 && (orphan || e->last_used <= cutoff)) {
      it = routes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = gates_.begin(); it != gates_.end();) {
    const Gate& g = *it->second;
    const bool idle = g.queue.empty() && g.in_flight == 0 && g.last_used <= cutoff &&
                      g.parked_until <= now && (!g.period || g.last_used + *g.period <= now);
    it = idle ? gates_.erase(it) : std::next(it);
  }
  for (auto it = route_hash_.begin(); it != route_hash_.end();) {
    it = it->second.last_used + options_.hash_lifetime <= now ? route_hash_.erase(it)
                                                              : std::next(it);
  }
  if (removed && options_.observer) options_.observer->on_sweep(removed);
  return removed;
}

BucketSnapshot LimiterCore::snapshot(const Route& route) const {
  const auto t_now = now();
  std::shared_ptr<Bucket> b;
  if (auto it = routes_.find(route.key()); it != routes_.end() && it->second->bucket) {
    if (auto bit = buckets_.find(it->second->bucket->id);
        bit != buckets_.end() && bit->second == it->second->bucket) {
      b = bit->second;
    }
  }
  std::string id = route.key();
  std::optional<std::string> hash;
  if (auto it = route_hash_.find(route.bucket_route()); it != route_hash_.end()) {
    hash = it->second.hash;
    id = hash_bucket_id(it->second.hash, route.major());
  }
  if (!b) {
    if (auto bit = buckets_.find(id); bit != buckets_.end()) b = bit->second;
  }
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
  s.buckets = buckets_.size();
  s.routes = routes_.size();
  s.learned_hashes = route_hash_.size();
  s.gates = gates_.size();
  s.queued = tickets_.size();
  s.permits = permits_.size();
  return s;
}

}  // namespace cadence::discord::detail
