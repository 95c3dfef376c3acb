// A queued acquire that is not an Asio completion handler. Rest's operations already live on a
// strand and own their cancellation; wrapping each in a type-erased handler plus a cancellation
// slot of its own cost about 300 B per queued request, so they register themselves instead.
#pragma once

#include <exception>
#include <memory>

#include "cadence/discord/async_rate_limiter.hpp"
#include "cadence/discord/permit.hpp"

namespace cadence::discord::detail {

class LimiterWaiter {
 public:
  LimiterWaiter() = default;
  LimiterWaiter(const LimiterWaiter&) = delete;
  LimiterWaiter& operator=(const LimiterWaiter&) = delete;
  LimiterWaiter(LimiterWaiter&&) = delete;
  LimiterWaiter& operator=(LimiterWaiter&&) = delete;

  /// The result of one acquire, exactly once, called on the limiter's strand: the waiter must
  /// hand it to its own strand (post) rather than act on it here.
  virtual void permit_ready(std::exception_ptr error, Permit permit) = 0;

 protected:
  ~LimiterWaiter() = default;

 private:
  friend class AsyncLimiterState;
  /// The ticket of the wait in progress; read and written on the limiter's strand only.
  TicketId ticket_ = 0;
};

/// What AsyncRateLimiter offers a LimiterWaiter (it is a friend of AsyncRateLimiter).
struct WaiterAccess {
  /// Like async_acquire(), with `waiter` told instead of a completion handler.
  static void acquire(AsyncRateLimiter& limiter, Route route, AcquireOptions options,
                      std::shared_ptr<LimiterWaiter> waiter);
  /// Ends the waiter's wait in progress, if any, with operation_aborted (like a terminal
  /// cancellation of async_acquire). Nothing happens when its permit was already handed out.
  static void cancel(AsyncRateLimiter& limiter, std::shared_ptr<LimiterWaiter> waiter);
};

}  // namespace cadence::discord::detail
