// The Discord part of `cadence demo`: a few hundred requests a music bot makes (messages and
// their edits, reactions, member reads), all at once through one discord::Rest, so that they
// share its rate limits; a live progress line while they drain, and the timeline they leave.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "cadence/discord/rate_limit_observer.hpp"
#include "cadence/discord/rest.hpp"
#include "demo_console.hpp"
#include "demo_timeline.hpp"

namespace cadence::app::demo {

/// Counts the limiter's waits (by the limit waited for) and the 429s Discord sent.
class TrafficObserver : public discord::RateLimitObserver {
 public:
  void on_wait(std::string_view key, discord::RateLimitScope scope, Clock::duration wait) override;
  void on_rate_limited(std::string_view key, discord::RateLimitScope scope,
                       std::chrono::milliseconds retry_after) override;

  [[nodiscard]] std::uint64_t waits(discord::RateLimitScope scope) const noexcept;
  [[nodiscard]] std::uint64_t rate_limited() const noexcept { return rate_limited_; }

 private:
  static constexpr std::size_t scopes = 6;
  std::atomic<std::uint64_t> waits_[scopes]{};
  std::atomic<std::uint64_t> rate_limited_{0};
};

struct TrafficResult {
  std::size_t requests = 0;
  std::size_t ok = 0;
  /// Answers other than 2xx, and requests that failed without an answer.
  std::size_t failed = 0;
  std::string first_failure;
  std::size_t peak_queued = 0;
  std::chrono::milliseconds elapsed{0};
  /// Requests per status, for the summary.
  std::map<unsigned, std::size_t> statuses;
};

/// Sends the script's requests through `rest` and completes when every one has completed (or
/// after `limit`, with the rest counted as failed). The marks go to `timeline`.
boost::asio::awaitable<TrafficResult> run_traffic(discord::Rest& rest, Console& console,
                                                  const TrafficObserver& observer,
                                                  Timeline& timeline, std::chrono::seconds limit);

}  // namespace cadence::app::demo
