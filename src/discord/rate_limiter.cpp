#include "cadence/discord/rate_limiter.hpp"

#include "discord/limiter_core.hpp"

namespace cadence::discord {

RateLimiter::RateLimiter(std::shared_ptr<const Clock> clock, RateLimiterOptions options)
    : core_(std::make_shared<detail::LimiterCore>(std::move(clock), std::move(options))) {}

RateLimiter::~RateLimiter() = default;

AcquireResult RateLimiter::acquire(const Route& route, const AcquireOptions& options) {
  return core_->acquire(route, options, true);
}

AcquireResult RateLimiter::submit(const Route& route, const AcquireOptions& options) {
  return core_->acquire(route, options, false);
}

std::vector<Ready> RateLimiter::poll() { return core_->poll(); }

std::optional<Clock::time_point> RateLimiter::next_wakeup() const { return core_->next_wakeup(); }

bool RateLimiter::cancel(TicketId ticket) { return core_->cancel(ticket); }

void RateLimiter::fail_all(std::exception_ptr error) {
  core_->fail_all([&](const detail::Ticket&) { return error; });
}

BucketSnapshot RateLimiter::bucket(const Route& route) const { return core_->snapshot(route); }

RateLimiterStats RateLimiter::stats() const { return core_->stats(); }

std::optional<std::string> RateLimiter::stranded() const { return core_->stranded(); }

void RateLimiter::reset_token() { core_->reset_token(); }

bool RateLimiter::token_stopped() const noexcept { return core_->token_stopped(); }

void RateLimiter::clear_ban() { core_->clear_ban(); }

std::size_t RateLimiter::sweep() { return core_->sweep_now(); }

const RateLimiterOptions& RateLimiter::options() const noexcept { return core_->options(); }

const std::shared_ptr<InvalidRequestBreaker>& RateLimiter::breaker() const noexcept {
  return core_->breaker();
}

void RateLimiter::set_dispatch(std::function<void(std::function<void()>)> defer,
                               std::function<void()> on_change) {
  core_->set_dispatch(std::move(defer), std::move(on_change));
}

}  // namespace cadence::discord
