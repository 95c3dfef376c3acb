// Discord's rate limits as an I/O-free state machine on an injected clock.
//
// The limiter knows nothing about HTTP: it takes Routes and Outcomes (parsed headers and
// status), and hands out Permits. It never sleeps and never reads wall time; it says when
// something may next change (next_wakeup()) and what became ready when asked (poll()).
// AsyncRateLimiter runs it on a strand with timers.
//
// How a request passes (each stage FIFO, a retried request goes first):
//   1. refusals: ban, open breaker, stopped token, remembered dead webhook, deadline shorter than
//      the known wait, route configured to reject rather than wait;
//   2. sublimit gate of its request class (channel name/topic 2 per 10 min; classes that drew a
//      429 with remaining > 0 go one at a time and wait retry_after);
//   3. bucket: unknown (no headers yet) -> one request in flight; known -> up to `remaining`
//      reserved at once, never more than `limit` sent in any interval as long as the bucket's
//      window (so sliding-window servers see no 429 either), parked after a shared/user 429;
//   4. lane: the bot's global lane (50/s default), the per-IP lane for auth = false, or none for
//      interaction routes. The lane orders its tickets by need, not arrival: a ticket whose
//      bucket still has windows of work queued behind it goes first (see submit()).
//
// A slot (global lane, bucket and sublimit send logs) is dated from when the server may have
// counted the request: until its answer, its write plus the recent spread of round trips; after
// it, the answer's arrival less the fastest recent round trip. So a server that counts requests
// late (a busy edge, a loaded host) or a client whose answers are read late draws no 429.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/invalid_request_breaker.hpp"
#include "cadence/discord/limit_store.hpp"
#include "cadence/discord/permit.hpp"
#include "cadence/discord/rate_limit_headers.hpp"
#include "cadence/discord/rate_limit_observer.hpp"
#include "cadence/discord/route.hpp"

namespace cadence::discord {

/// Which global lane a request counts against.
enum class Lane {
  bot,   ///< the token's global limit (requests with Authorization)
  ip,    ///< the per-IP limit of requests without Authorization (auth = false)
  none,  ///< interaction routes: not globally limited
};

using TicketId = std::uint64_t;

/// Routes that should fail at once with RateLimitedError instead of waiting for a limit.
struct RejectPolicy {
  /// Route templates starting with one of these ("/channels/{channel_id}/messages", "/guilds")
  /// reject when a limit makes them wait longer than min_wait.
  std::vector<std::string> route_prefixes;
  Clock::duration min_wait = Clock::duration::zero();
  /// Decides for every route that must wait; overrides route_prefixes when set.
  std::function<bool(const Route&, RateLimitScope, Clock::duration)> predicate;
};

struct RateLimiterOptions {
  /// The bot's global limit per second (Discord's default is 50; some bots get more).
  std::uint32_t global_limit = 50;
  /// Requests without Authorization, per IP.
  std::uint32_t ip_limit = 50;
  /// Added to the 1 s global window so that Discord's window closes first.
  Clock::duration global_margin = std::chrono::milliseconds(10);
  /// Added to every bucket reset and window, for the same reason.
  Clock::duration bucket_margin = std::chrono::milliseconds(10);
  /// Idle buckets (nothing queued or in flight, reset passed) are removed after this long.
  Clock::duration bucket_idle = std::chrono::minutes(10);
  /// How often idle buckets are looked for.
  Clock::duration sweep_interval = std::chrono::minutes(1);
  /// Learned route -> hash mappings unused this long are forgotten.
  Clock::duration hash_lifetime = std::chrono::hours(24);
  /// How long everything stays stopped after a ban (a 429 without JSON), unless clear_ban().
  Clock::duration ban_pause = std::chrono::hours(1);
  /// Webhooks that answered 404 are remembered, at most this many (oldest forgotten first).
  std::size_t dead_webhook_capacity = 10000;
  /// Shared between the limiters of all tokens that use one IP; one is made when null.
  std::shared_ptr<InvalidRequestBreaker> breaker;
  std::shared_ptr<RateLimitObserver> observer;
  RejectPolicy reject;
  /// Limits shared with other processes on the same token (null: this process is alone). Used
  /// by AsyncRateLimiter and Rest; the synchronous RateLimiter ignores it.
  std::shared_ptr<LimitStore> store;
};

struct AcquireOptions {
  /// false: the request is sent without Authorization (webhook execution by token), so it
  /// counts against the per-IP lane and a 401 does not stop the bot token.
  bool auth = true;
  /// The request must be granted by then; a known wait beyond it is refused at once with
  /// RateLimitedError, and a ticket still queued then fails with cadence::TimeoutError.
  std::optional<Clock::time_point> deadline;
  /// A resend after a 429 (see Verdict::retry): goes to the front of its queues.
  bool retry = false;
};

/// The answer to acquire(): exactly one of permit, ticket or error is set.
struct AcquireResult {
  Permit permit;             ///< granted now
  TicketId ticket = 0;       ///< queued: poll() delivers it
  std::exception_ptr error;  ///< refused
  /// For a queued ticket: the known wait (zero when it depends on outstanding responses).
  Clock::duration wait = Clock::duration::zero();
  /// For a queued ticket: the limit it waits for, if it waits for one.
  std::optional<RateLimitScope> wait_scope;

  [[nodiscard]] bool granted() const noexcept { return permit.valid(); }
  [[nodiscard]] bool queued() const noexcept { return ticket != 0; }
  [[nodiscard]] bool failed() const noexcept { return error != nullptr; }
};

/// A queued ticket that was granted (permit) or failed (error) since the last poll().
struct Ready {
  TicketId ticket = 0;
  Permit permit;
  std::exception_ptr error;
};

/// What the limiter knows about the bucket a route maps to.
struct BucketSnapshot {
  /// "<hash> <major>" once the hash is learned, else the route key.
  std::string key;
  std::optional<std::string> hash;
  /// Limit and remaining as the limiter counts them (remaining net of requests reserved).
  std::optional<std::uint32_t> limit;
  std::optional<std::uint32_t> remaining;
  std::optional<Clock::duration> reset_after;
  std::size_t queued = 0;
  std::uint32_t in_flight = 0;
  /// True once a response with rate-limit headers came for this bucket.
  bool known = false;
};

/// Sizes, for monitoring and the memory-bound tests.
struct RateLimiterStats {
  std::size_t buckets = 0;
  std::size_t routes = 0;
  std::size_t learned_hashes = 0;
  std::size_t gates = 0;
  std::size_t queued = 0;
  std::size_t permits = 0;
};

/// The limiter. Not thread-safe: use it from one thread or strand (AsyncRateLimiter does).
class RateLimiter {
 public:
  explicit RateLimiter(std::shared_ptr<const Clock> clock = SteadyClock::shared(),
                       RateLimiterOptions options = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Asks to send one request on `route`. Grants a permit at once when nothing is ahead of it,
  /// queues a ticket otherwise, or refuses (RateLimitedError, cadence::TimeoutError never here,
  /// ApiError 401 after a stopped token, ApiError 404 for a remembered dead webhook).
  [[nodiscard]] AcquireResult acquire(const Route& route, const AcquireOptions& options = {});
  /// Like acquire(), but never grants inside the call: the ticket (or the refusal) comes back
  /// at once, and the grant from the next poll(), which considers every ticket submitted since
  /// together. When more requests are ready than the global lane has slots, they are then
  /// ordered by need (buckets with the most work behind them first), not by who called first.
  /// AsyncRateLimiter submits this way.
  [[nodiscard]] AcquireResult submit(const Route& route, const AcquireOptions& options = {});

  /// Tickets that became ready (granted or failed) by now, in the order they became ready.
  [[nodiscard]] std::vector<Ready> poll();
  /// When poll() may next have something to deliver because time passed (it may also have
  /// something earlier, after a permit completes). std::nullopt when nothing waits on time.
  [[nodiscard]] std::optional<Clock::time_point> next_wakeup() const;

  /// Removes a queued ticket; false if it is not queued (granted, failed or unknown).
  bool cancel(TicketId ticket);
  /// Fails every queued ticket with `error` (delivered by the next poll()).
  void fail_all(std::exception_ptr error);

  [[nodiscard]] BucketSnapshot bucket(const Route& route) const;
  [[nodiscard]] RateLimiterStats stats() const;
  /// The watchdog invariant: every queued request has a way forward (a request in flight whose
  /// answer will release it, or a wake-up at a finite time). Returns a description of the first
  /// queue that has none; std::nullopt is the only correct answer, so tests assert it after
  /// every step and a service may log it.
  [[nodiscard]] std::optional<std::string> stranded() const;

  /// Resumes after a 401 stopped the token (use once the token is fixed).
  void reset_token();
  [[nodiscard]] bool token_stopped() const noexcept;
  /// Lifts a ban before ban_pause ends.
  void clear_ban();
  /// Removes idle buckets now (acquire() and poll() do it every sweep_interval; next_wakeup()
  /// asks for it only while requests are queued or in flight); returns how many.
  std::size_t sweep();

  [[nodiscard]] const RateLimiterOptions& options() const noexcept;
  [[nodiscard]] const std::shared_ptr<InvalidRequestBreaker>& breaker() const noexcept;

 private:
  friend class detail::AsyncLimiterState;
  /// For AsyncRateLimiter: how permit completions reach the limiter (posted to its strand), and
  /// a callback after every state change made through a permit.
  void set_dispatch(std::function<void(std::function<void()>)> defer,
                    std::function<void()> on_change);

  std::shared_ptr<detail::LimiterCore> core_;
};

}  // namespace cadence::discord
