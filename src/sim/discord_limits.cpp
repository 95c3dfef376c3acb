#include "cadence/sim/discord_limits.hpp"

#include <boost/json.hpp>
#include <optional>

#include "cadence/core/snowflake.hpp"

namespace cadence::sim {
namespace {

// Interaction tokens are base64 of "interaction:<id>:<secret>"; Discord exempts requests that
// carry one from the global limit, whatever webhook route they use.
constexpr std::string_view interaction_token_prefix = "aW50ZXJhY3Rpb24";

// What the bucket holds before this request, for 429s that consume nothing: Window::peek
// reports the room left after admitting the request, one less than what is there now.
std::uint32_t remaining_now(const WindowVerdict& v) { return v.allowed ? v.remaining + 1 : 0; }

}  // namespace

std::string_view to_string(LimitScope scope) noexcept {
  switch (scope) {
    case LimitScope::user:
      return "user";
    case LimitScope::global:
      return "global";
    case LimitScope::shared:
      return "shared";
  }
  return "user";
}

DiscordLimits::DiscordLimits(RouteTable table, LimitsConfig config)
    : table_(std::move(table)), config_(std::move(config)) {}

void DiscordLimits::configure(LimitsConfig config) {
  config_ = std::move(config);
  reset();
}

void DiscordLimits::reset() {
  buckets_.clear();
  sublimits_.clear();
  globals_.clear();
  busy_.clear();
  clients_.clear();
  sweep_at_ = 4096;
}

std::size_t DiscordLimits::window_count() const noexcept {
  return buckets_.size() + sublimits_.size() + globals_.size();
}

Window& DiscordLimits::window(std::unordered_map<std::string, Window>& map, const std::string& key,
                              std::uint32_t limit, std::chrono::nanoseconds length) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(key, Window(config_.window_mode, limit, length)).first;
  return it->second;
}

void DiscordLimits::sweep(time_point now) {
  // Benchmarks touch thousands of channels; idle windows hold nothing a request could observe,
  // so they go, and the next sweep waits until the map has doubled to keep this amortised O(1).
  for (auto* map : {&buckets_, &sublimits_, &globals_})
    std::erase_if(*map, [now](const auto& entry) { return entry.second.idle(now); });
  sweep_at_ = std::max<std::size_t>(4096, 2 * window_count());
}

bool DiscordLimits::valid_token(std::string_view authorization) const {
  for (std::string_view scheme : {"Bot ", "Bearer "}) {
    if (authorization.substr(0, scheme.size()) == scheme)
      return authorization.substr(scheme.size()) == config_.token;
  }
  return false;
}

void DiscordLimits::count_invalid(std::string_view client, time_point now) {
  if (config_.invalid_request_limit == 0) return;
  auto it = clients_.find(client);
  if (it == clients_.end())
    it = clients_.emplace(std::string(client), Client(config_.invalid_request_window)).first;
  if (it->second.invalid.add(now) > config_.invalid_request_limit)
    it->second.banned_until = now + config_.ban_duration;
}

void DiscordLimits::record_invalid(std::string_view client, time_point now) {
  count_invalid(client, now);
}

std::uint64_t DiscordLimits::invalid_requests(std::string_view client, time_point now) const {
  const auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.invalid.count(now);
}

std::uint64_t DiscordLimits::invalid_requests_total(time_point now) const {
  std::uint64_t total = 0;
  for (const auto& [address, client] : clients_) total += client.invalid.count(now);
  return total;
}

bool DiscordLimits::banned(std::string_view client, time_point now) const {
  const auto it = clients_.find(client);
  return it != clients_.end() && now < it->second.banned_until;
}

bool DiscordLimits::any_banned(time_point now) const {
  for (const auto& [address, client] : clients_)
    if (now < client.banned_until) return true;
  return false;
}

void DiscordLimits::mark_busy(std::string resource, time_point until, std::string bucket_hash) {
  busy_.emplace(std::move(resource), Busy{until, std::move(bucket_hash)});
}

bool DiscordLimits::sublimit_applies(const SublimitSpec& sub, const RouteMatch& match,
                                     const LimitRequest& request) const {
  if (!sub.body_has.empty()) {
    boost::json::error_code ec;
    const auto body = boost::json::parse(request.body, ec);
    if (ec || !body.is_object()) return false;
    bool any = false;
    for (const auto& field : sub.body_has) any = any || body.get_object().contains(field);
    if (!any) return false;
  }
  if (sub.younger_than || sub.older_than) {
    const auto id = Snowflake::parse(match.param(sub.param));
    if (!id) return false;
    const auto age = request.wall_now - id->created_at();
    if (sub.younger_than && !(age < *sub.younger_than)) return false;
    if (sub.older_than && !(age > *sub.older_than)) return false;
  }
  return true;
}

LimitDecision DiscordLimits::decide(const LimitRequest& request, time_point now) {
  LimitDecision d;
  using Outcome = LimitDecision::Outcome;
  // Sweeping only here, never between two window() calls, keeps references to windows valid.
  if (window_count() >= sweep_at_) sweep(now);
  if (banned(request.client, now)) {
    d.outcome = Outcome::banned;
    return d;
  }
  switch (table_.match(request.method, request.path, d.match)) {
    case RouteTable::Lookup::unknown:
      d.outcome = Outcome::not_found;
      return d;
    case RouteTable::Lookup::wrong_method:
      d.outcome = Outcome::method_not_allowed;
      return d;
    case RouteTable::Lookup::found:
      break;
  }
  const RouteSpec& route = *d.match.route;
  d.bucket_key = route.bucket + ":" + d.match.major;

  const bool authed = request.has_authorization && valid_token(request.authorization);
  if ((route.auth && !authed) || (request.has_authorization && !authed)) {
    d.outcome = Outcome::unauthorized;
    count_invalid(request.client, now);
    return d;
  }

  const bool interaction =
      !route.interaction_token.empty() &&
      d.match.param(route.interaction_token).starts_with(interaction_token_prefix);
  if (route.global && !interaction) {
    // One lane per token, and one per address for requests that carry none.
    const std::string lane = authed ? "bot" : "ip:" + std::string(request.client);
    auto& global = window(globals_, lane, config_.global_limit, config_.global_window);
    const auto verdict = global.try_acquire(now);
    if (!verdict.allowed) {
      d.outcome = Outcome::rate_limited;
      d.scope = LimitScope::global;
      d.retry_after = verdict.retry_after;
      count_invalid(request.client, now);
      return d;
    }
  }

  auto& bucket = window(buckets_, d.bucket_key, route.limit, route.window);
  const auto bucket_now = bucket.peek(now);
  d.has_bucket = true;
  d.bucket_hash = route.bucket;
  d.limit = bucket_now.limit;
  d.remaining = remaining_now(bucket_now);
  d.reset_after = bucket_now.reset_after;

  if (!d.match.resource.empty()) {
    std::optional<time_point> busy_until;
    const auto [first, last] = busy_.equal_range(d.match.resource);
    for (auto it = first; it != last;) {
      if (now >= it->second.until) {
        it = busy_.erase(it);
        continue;
      }
      if (it->second.bucket.empty() || it->second.bucket == route.bucket)
        busy_until = std::max(busy_until.value_or(now), it->second.until);
      ++it;
    }
    if (busy_until) {
      // Discord's own example shows a shared 429 whose Reset-After matches its retry_after.
      d.outcome = Outcome::rate_limited;
      d.scope = LimitScope::shared;
      d.retry_after = *busy_until - now;
      d.reset_after = std::max(d.reset_after, d.retry_after);
      return d;
    }
  }

  if (!bucket_now.allowed) {
    d.outcome = Outcome::rate_limited;
    d.scope = LimitScope::user;
    d.reset_after = bucket_now.reset_after;
    d.retry_after = bucket_now.retry_after;
    count_invalid(request.client, now);
    return d;
  }

  std::vector<Window*> subs;
  for (std::size_t i = 0; i < route.sublimits.size(); ++i) {
    const auto& spec = route.sublimits[i];
    if (!sublimit_applies(spec, d.match, request)) continue;
    const auto key =
        route.method + " " + route.path + "#" + std::to_string(i) + ":" + d.match.major;
    auto& sub = window(sublimits_, key, spec.limit, spec.window);
    const auto verdict = sub.peek(now);
    if (!verdict.allowed) {
      d.outcome = Outcome::rate_limited;
      d.scope = LimitScope::user;
      d.sublimit = true;
      d.retry_after = std::max(d.retry_after, verdict.retry_after);
    }
    subs.push_back(&sub);
  }
  if (d.outcome == Outcome::rate_limited) {
    count_invalid(request.client, now);
    return d;
  }

  const auto taken = bucket.try_acquire(now);
  for (auto* sub : subs) sub->try_acquire(now);
  d.remaining = taken.remaining;
  d.reset_after = taken.reset_after;
  return d;
}

}  // namespace cadence::sim
