// The proxy's counters and gauges, and their Prometheus text rendering. Thread-safe: answers
// complete on any thread of the executor, and limiters report 429s from their strands.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/discord/error.hpp"

namespace cadence::proxy::detail {

/// What is read when /metrics is asked for rather than counted as it happens.
struct MetricsSnapshot {
  /// Tokens with a limiter now (the group without a token is not a token).
  std::size_t tokens = 0;
  /// Buckets the limiters track, summed over tokens.
  std::size_t buckets = 0;
  /// Requests queued inside the limiters, summed.
  std::size_t limiter_queued = 0;
  /// Invalid requests (401, 403, non-shared 429) in the breaker's window, and where it opens.
  std::uint32_t invalid_requests = 0;
  std::uint32_t invalid_request_threshold = 0;
  /// Per token: its short hash and the requests it has in the proxy.
  std::vector<std::pair<std::string, std::size_t>> per_token;
  bool draining = false;
};

class ProxyMetrics {
 public:
  /// One answer to a client: the method, the route template (or "invalid" / "other") and the
  /// status it got, whoever produced it.
  void count_answer(std::string_view method, std::string_view route, unsigned status);
  /// A request the proxy answered itself: "max_wait", "max_queue", "bad_request", ...
  void count_refusal(std::string_view reason);
  /// The upstream answered 429.
  void count_upstream_rate_limited(discord::RateLimitScope scope);
  /// From a request's arrival to its first byte written upstream.
  void observe_wait(Clock::duration wait);
  /// Requests read and not yet answered.
  void add_held(int delta) { held_.fetch_add(delta, std::memory_order_relaxed); }
  /// Requests written upstream and not yet answered.
  void add_in_flight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }

  /// The Prometheus text format (version 0.0.4).
  [[nodiscard]] std::string render(const MetricsSnapshot& snapshot) const;

  /// Upper bounds of the wait histogram, in seconds.
  static constexpr std::array<double, 13> kWaitBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                          1,     2.5,  5,     10,   30,  60};

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> answers_;
  std::map<std::string, std::uint64_t> refusals_;
  std::map<std::string, std::uint64_t> upstream_429_;
  std::array<std::uint64_t, kWaitBuckets.size()> wait_counts_{};
  std::uint64_t wait_count_ = 0;
  double wait_sum_ = 0;
  std::atomic<std::int64_t> held_{0};
  std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace cadence::proxy::detail
