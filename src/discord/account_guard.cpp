#include "discord/account_guard.hpp"

#include <fmt/format.h>
#include <utility>

#include "cadence/discord/error.hpp"

namespace cadence::discord::detail {

AccountGuard::AccountGuard(std::shared_ptr<InvalidRequestBreaker> breaker,
                           std::size_t dead_webhook_capacity,
                           std::shared_ptr<RateLimitObserver> observer)
    : breaker_(breaker ? std::move(breaker) : std::make_shared<InvalidRequestBreaker>()),
      observer_(std::move(observer)),
      generation_(breaker_->generation()),
      dead_capacity_(dead_webhook_capacity) {}

AccountGuard::~AccountGuard() {
  if (listener_ != 0) breaker_->unsubscribe(listener_);
}

void AccountGuard::listen(std::function<void()> wake) {
  if (listener_ != 0) breaker_->unsubscribe(std::exchange(listener_, 0));
  if (wake) listener_ = breaker_->subscribe(std::move(wake));
}

std::exception_ptr AccountGuard::refusal(const RouteEntry& entry, bool auth, TimePoint now) {
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
  if (token_stopped_ && auth && !entry.path_token) {
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

bool AccountGuard::note_answer(const RouteEntry& entry, unsigned status,
                               std::optional<int> error_code, bool auth, TimePoint now) {
  if (status == 401 || status == 403) breaker_->record(now);
  if (status == 404 && entry.major_kind == MajorKind::webhook) {
    const bool webhook_root = entry.route_template == "/webhooks/{webhook_id}" ||
                              entry.route_template == "/webhooks/{webhook_id}/{webhook_token}";
    if (error_code == 10015 || (!error_code && webhook_root)) {
      // An interaction's webhook id is the application id: only that token is dead.
      remember_dead_webhook(entry.interaction ? entry.major
                                              : entry.major.substr(0, entry.major.find('/')));
    }
  }
  if (status != 401 || !auth || entry.path_token || token_stopped_) return false;
  token_stopped_ = true;
  if (observer_) observer_->on_token_stopped();
  return true;
}

std::optional<AccountGuard::News> AccountGuard::take_news(TimePoint now) {
  const auto generation = breaker_->generation();
  if (generation == generation_) return std::nullopt;
  generation_ = generation;
  if (const auto until = breaker_->banned_until(now)) {
    return News{RateLimitScope::ban, ceil_ms(*until - now),
                "Discord answered 429 without a JSON retry_after (a Cloudflare ban?) to a request "
                "sharing this IP's breaker: every queued request failed and new ones are refused"};
  }
  if (breaker_->is_open(now)) {
    check_breaker(now);
    return News{RateLimitScope::breaker, ceil_ms(breaker_->time_until_closed(now)),
                fmt::format("{} invalid requests (401/403/429) in the last {} s; queued requests "
                            "failed before Discord bans the IP",
                            breaker_->count(now), breaker_->options().window.count())};
  }
  return std::nullopt;
}

void AccountGuard::check_breaker(TimePoint now) {
  const bool open = breaker_->is_open(now);
  if (open != breaker_open_) {
    breaker_open_ = open;
    if (observer_) observer_->on_breaker(open, breaker_->count(now));
  }
}

void AccountGuard::remember_dead_webhook(const std::string& key) {
  if (dead_capacity_ == 0) return;
  if (auto it = dead_webhooks_.find(key); it != dead_webhooks_.end()) {
    dead_order_.splice(dead_order_.end(), dead_order_, it->second);  // newest again
    return;
  }
  dead_order_.push_back(key);
  dead_webhooks_.emplace(key, std::prev(dead_order_.end()));
  if (dead_webhooks_.size() > dead_capacity_) {
    dead_webhooks_.erase(dead_order_.front());
    dead_order_.pop_front();
  }
}

bool AccountGuard::is_dead_webhook(const RouteEntry& entry) const {
  if (dead_webhooks_.empty() || entry.major_kind != MajorKind::webhook) return false;
  if (dead_webhooks_.count(entry.major)) return true;
  return dead_webhooks_.count(entry.major.substr(0, entry.major.find('/'))) > 0;
}

}  // namespace cadence::discord::detail
