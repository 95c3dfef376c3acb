// The rate limiter on an Asio strand: "wait until T" becomes a timer, queued tickets become
// completion handlers.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <exception>
#include <memory>

#include "cadence/core/clock.hpp"
#include "cadence/discord/rate_limiter.hpp"

namespace cadence::discord {

namespace detail {
class AsyncLimiterState;
struct WaiterAccess;
}  // namespace detail

/// A RateLimiter that lives on a strand of `executor`. Time comes from a steady clock and an
/// asio::steady_timer, or, for tests, from a ManualClock whose at() wake-ups drive it (advance
/// the clock, then run the io_context).
///
/// Permits it hands out may be completed, cancelled or dropped on any thread: the work is posted
/// to the strand.
class AsyncRateLimiter {
 public:
  using Signature = void(std::exception_ptr, Permit);

  /// Production: SteadyClock and a steady_timer.
  explicit AsyncRateLimiter(boost::asio::any_io_executor executor, RateLimiterOptions options = {});
  /// Virtual time: wake-ups are registered with clock->at().
  AsyncRateLimiter(boost::asio::any_io_executor executor, std::shared_ptr<ManualClock> clock,
                   RateLimiterOptions options = {});
  /// Queued operations complete with boost::asio::error::operation_aborted (as a
  /// boost::system::system_error in the exception_ptr) once the executor runs.
  ~AsyncRateLimiter();
  AsyncRateLimiter(const AsyncRateLimiter&) = delete;
  AsyncRateLimiter& operator=(const AsyncRateLimiter&) = delete;

  /// Waits for a permit to send one request on `route`.
  ///
  /// Signature: void(std::exception_ptr, Permit). On success the pointer is null and the permit
  /// valid; on failure the permit is empty and the pointer holds RateLimitedError (deadline
  /// shorter than the known wait, reject policy, ban, breaker), cadence::TimeoutError (deadline
  /// passed while queued), ApiError (stopped token, dead webhook) or a system_error with
  /// operation_aborted (cancelled, or the limiter destroyed). Completes exactly once, never
  /// inside this call (always through a post to the handler's executor).
  ///
  /// Per-operation cancellation: terminal, partial and total are supported while the request is
  /// queued; the ticket is removed (any slot it held is given back) and the operation completes
  /// with operation_aborted. Once a permit is granted, cancellation has no effect (with a
  /// shared store, RateLimiterOptions::store: once the store admitted the request).
  template <boost::asio::completion_token_for<Signature> Token =
                boost::asio::default_completion_token_t<boost::asio::any_io_executor>>
  auto async_acquire(Route route, AcquireOptions options, Token&& token = {}) {
    return boost::asio::async_initiate<Token, Signature>(
        [this](auto handler, Route r, AcquireOptions o) {
          start(std::move(r), o,
                boost::asio::any_completion_handler<Signature>(std::move(handler)));
        },
        token, std::move(route), options);
  }

  /// What the limiter knows about `route`'s bucket, read on the strand.
  template <boost::asio::completion_token_for<void(std::exception_ptr, BucketSnapshot)> Token =
                boost::asio::default_completion_token_t<boost::asio::any_io_executor>>
  auto async_bucket(Route route, Token&& token = {}) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, BucketSnapshot)>(
        [this](auto handler, Route r) {
          start_bucket(
              std::move(r),
              boost::asio::any_completion_handler<void(std::exception_ptr, BucketSnapshot)>(
                  std::move(handler)));
        },
        token, std::move(route));
  }

  /// The limiter's sizes (RateLimiter::stats()), read on the strand.
  template <boost::asio::completion_token_for<void(std::exception_ptr, RateLimiterStats)> Token =
                boost::asio::default_completion_token_t<boost::asio::any_io_executor>>
  auto async_stats(Token&& token = {}) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, RateLimiterStats)>(
        [this](auto handler) {
          start_stats(
              boost::asio::any_completion_handler<void(std::exception_ptr, RateLimiterStats)>(
                  std::move(handler)));
        },
        token);
  }

  /// Resumes after a 401 stopped the token. Posted to the strand, so an acquire started after
  /// this call (from the same thread) already sees it.
  void reset_token();
  /// Lifts a ban before RateLimiterOptions::ban_pause ends (posted like reset_token()).
  void clear_ban();

  [[nodiscard]] boost::asio::any_io_executor get_executor() const noexcept;

 private:
  void start(Route route, AcquireOptions options,
             boost::asio::any_completion_handler<Signature> handler);
  void start_bucket(
      Route route,
      boost::asio::any_completion_handler<void(std::exception_ptr, BucketSnapshot)> handler);
  void start_stats(
      boost::asio::any_completion_handler<void(std::exception_ptr, RateLimiterStats)> handler);

  friend struct detail::WaiterAccess;  // discord::Rest's operations queue without a handler

  std::shared_ptr<detail::AsyncLimiterState> state_;
};

}  // namespace cadence::discord
