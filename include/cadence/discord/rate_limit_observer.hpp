// Hooks for rate-limit events, for metrics and logs. Every method has an empty default body.
// Threading: an observer is called on the limiter's strand (or thread), one event at a time; one
// shared by several limiters is called from each of theirs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "cadence/core/clock.hpp"
#include "cadence/discord/error.hpp"

namespace cadence::discord {

/// Receives the limiter's events. Called synchronously on the limiter's strand (or thread); it
/// must not call back into the limiter. Keys are route or bucket keys, which never contain a
/// token.
class RateLimitObserver {
 public:
  virtual ~RateLimitObserver() = default;

  /// A request was queued behind a limit (not merely behind earlier requests of its bucket);
  /// `wait` is the known wait, zero when it depends on responses still outstanding.
  virtual void on_wait(std::string_view /*key*/, RateLimitScope /*scope*/,
                       Clock::duration /*wait*/) {}
  /// Discord answered 429. `scope` is user, global, shared, sublimit or ban.
  virtual void on_rate_limited(std::string_view /*key*/, RateLimitScope /*scope*/,
                               std::chrono::milliseconds /*retry_after*/) {}
  /// A route learned its bucket hash (`old_hash` empty) or Discord moved it to another one.
  virtual void on_hash_changed(std::string_view /*bucket_route*/, std::string_view /*old_hash*/,
                               std::string_view /*new_hash*/) {}
  /// The invalid-request breaker opened (`open`) or closed; `count` invalid requests in window.
  virtual void on_breaker(bool /*open*/, std::uint32_t /*count*/) {}
  /// A 401 on the bot's Authorization: every request with auth fails until reset_token().
  virtual void on_token_stopped() {}
  /// Idle buckets were removed.
  virtual void on_sweep(std::size_t /*buckets_removed*/) {}
};

}  // namespace cadence::discord
