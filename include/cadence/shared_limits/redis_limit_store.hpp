// Discord rate limits shared in Redis by every process that uses one token: shards, workers,
// several `cadence proxy` instances behind a load balancer.
//
// Each request asks Redis once before it goes (one atomic script: the token's global window, its
// bucket, pauses after 429s) and tells it once when it ends (when the server counted it, what the
// headers taught). Time comes from Redis' clock inside the scripts; keys are namespaced by a keyed
// hash of the token (never the token) and expire on their own. See docs/shared-limits.md.
//
// When Redis cannot be reached, `when_down` decides: fail every request with
// SharedLimitsUnavailable, or go on with local limits and a 1/N share of the global limit (N:
// the processes last seen in Redis, or expected_processes), and rejoin when Redis returns,
// bringing along the sends it did not see.
//
// Threading: admit() and finished() may be called from any thread; the store runs on its own
// strand. start() and close() from one thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cadence/core/error.hpp"
#include "cadence/discord/limit_store.hpp"
#include "cadence/redis/options.hpp"

namespace cadence::shared_limits {

/// A request refused because the shared store is unreachable and the policy is to fail closed.
class SharedLimitsUnavailable : public cadence::Error {
 public:
  using cadence::Error::Error;
};

enum class WhenDown {
  fail,   ///< refuse requests while Redis is away
  local,  ///< go on with local limits and a conservative share of the global limit
};

struct RedisLimitStoreOptions {
  redis::Options redis;
  /// The bot token whose limits these are. Only a keyed hash of it is kept and sent.
  std::string token;
  /// The key of that hash, and the first part of every key name.
  std::string key_namespace = "cadence";
  std::uint32_t global_limit = 50;
  /// Added to the 1 s global window and to every bucket window (as RateLimiterOptions).
  std::chrono::milliseconds global_margin{10};
  std::chrono::milliseconds bucket_margin{10};
  /// How long an admitted request holds its slots before its answer dates them: longer than
  /// any request takes to reach Discord (a request whose answer never comes keeps it). Every
  /// process on a token should use the same value: others read it back to tell when a slot
  /// taken but not yet dated can free (a different value costs extra questions, never a 429).
  std::chrono::milliseconds provisional_hold{2000};
  WhenDown when_down = WhenDown::local;
  /// For the fallback share: how many processes use the token. 0: as many as were last seen.
  std::uint32_t expected_processes = 0;
  /// How often a process says it is alive.
  std::chrono::milliseconds heartbeat{1000};
  /// Told (on the store's strand) each time the limits become shared (true: Redis is reached)
  /// or local (false: Redis is away, `when_down` decides), the first time included; for a log
  /// line an operator will see. Must not block.
  std::function<void(bool shared)> on_change;
};

class RedisLimitStore final : public discord::LimitStore {
 public:
  /// Connects at start(). Throws std::invalid_argument for an empty token.
  RedisLimitStore(boost::asio::any_io_executor executor, RedisLimitStoreOptions options);
  ~RedisLimitStore() override;
  RedisLimitStore(const RedisLimitStore&) = delete;
  RedisLimitStore& operator=(const RedisLimitStore&) = delete;

  void start();
  /// Stops talking to Redis; later admissions follow `when_down`.
  void close();
  /// Calls `done` (on the store's strand) once every admitted request has ended and Redis has
  /// heard of it, or after `limit`: a process about to exit lets its last answers date their
  /// slots, which would otherwise hold them for provisional_hold. Call it after the last request
  /// completed.
  void drain(std::chrono::milliseconds limit, std::function<void()> done);

  void admit(const discord::SharedRequest& request,
             std::function<void(discord::SharedAdmission)> done) override;
  void finished(std::uint64_t id, const discord::Outcome* outcome,
                Clock::duration counted_ago) override;

  struct Stats {
    std::uint64_t admitted = 0;        ///< by Redis
    std::uint64_t waits = 0;           ///< answers "wait and ask again"
    std::uint64_t admitted_local = 0;  ///< by the fallback while Redis was away
    std::uint64_t refused = 0;         ///< SharedLimitsUnavailable
    std::uint64_t redis_commands = 0;
    std::uint32_t processes = 0;  ///< last seen in Redis
    bool connected = false;
    /// Round trips of the admission script (the latency Redis adds to a request that does not
    /// wait), over the last 4,096, in microseconds.
    std::uint64_t admit_p50_us = 0;
    std::uint64_t admit_p99_us = 0;
  };
  [[nodiscard]] Stats stats() const;

  /// The prefix of this token's keys ("<namespace>:{<16 hex>}:"), for tests and operators.
  [[nodiscard]] const std::string& key_prefix() const noexcept;

 private:
  std::shared_ptr<class RedisLimitStoreImpl> impl_;
};

/// The key prefix for `token` under `key_namespace` (HMAC-SHA256 of the token keyed by the
/// namespace, first 16 hex digits).
[[nodiscard]] std::string key_prefix_for(std::string_view key_namespace, std::string_view token);

}  // namespace cadence::shared_limits
