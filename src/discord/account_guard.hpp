// What keeps the account and the IP safe, apart from rate limits: the invalid-request breaker
// (shared by every limiter on one IP), a ban after a 429 without JSON, a bot token stopped by a
// 401, and webhooks remembered dead after a 404. It decides refusals before a request is
// queued and learns from the status of every answer.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "cadence/discord/invalid_request_breaker.hpp"
#include "cadence/discord/rate_limit_observer.hpp"
#include "discord/bucket.hpp"

namespace cadence::discord::detail {

class AccountGuard {
 public:
  AccountGuard(std::shared_ptr<InvalidRequestBreaker> breaker, std::size_t dead_webhook_capacity,
               std::shared_ptr<RateLimitObserver> observer);
  ~AccountGuard();
  AccountGuard(const AccountGuard&) = delete;
  AccountGuard& operator=(const AccountGuard&) = delete;

  /// Another limiter's answer may trip the shared breaker on another thread: `wake` is called
  /// then, and must only hand the news to the owner's strand (take_news() reads it there).
  /// An empty function stops listening.
  void listen(std::function<void()> wake);

  /// Why a request on `entry` must not be sent now (ban, open breaker, stopped token, dead
  /// webhook), or null.
  [[nodiscard]] std::exception_ptr refusal(const RouteEntry& entry, bool auth, TimePoint now);

  /// Learns from an answer's status: 401 and 403 count as invalid; a 401 to the bot token
  /// stops it (true is returned once, when it stops: fail what is queued); a webhook's 404 is
  /// remembered. 429s are reported through record_invalid() and ban() instead.
  bool note_answer(const RouteEntry& entry, unsigned status, std::optional<int> error_code,
                   bool auth, TimePoint now);
  void record_invalid(TimePoint now) { breaker_->record(now); }
  void ban(TimePoint until) { breaker_->ban(until); }

  /// A ban that started or a breaker that opened since the last look, whichever limiter's
  /// answer caused it: how every queued request should fail.
  struct News {
    RateLimitScope scope;
    std::chrono::milliseconds wait;
    std::string reason;
  };
  [[nodiscard]] std::optional<News> take_news(TimePoint now);
  /// Tells the observer when the breaker opens or closes.
  void check_breaker(TimePoint now);

  [[nodiscard]] bool token_stopped() const noexcept { return token_stopped_; }
  void reset_token() noexcept { token_stopped_ = false; }
  void clear_ban() { breaker_->clear_ban(); }
  [[nodiscard]] const std::shared_ptr<InvalidRequestBreaker>& breaker() const noexcept {
    return breaker_;
  }

 private:
  void remember_dead_webhook(const std::string& key);
  [[nodiscard]] bool is_dead_webhook(const RouteEntry& entry) const;

  std::shared_ptr<InvalidRequestBreaker> breaker_;
  std::shared_ptr<RateLimitObserver> observer_;
  bool breaker_open_ = false;
  std::uint64_t generation_ = 0;
  std::uint64_t listener_ = 0;
  bool token_stopped_ = false;
  /// Dead webhooks, oldest first, with an index into the list: remembering, looking up and
  /// forgetting the oldest are all O(1).
  std::size_t dead_capacity_;
  std::list<std::string> dead_order_;
  std::unordered_map<std::string, std::list<std::string>::iterator> dead_webhooks_;
};

}  // namespace cadence::discord::detail
