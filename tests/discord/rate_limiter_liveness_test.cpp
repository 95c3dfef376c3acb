// Liveness: a queued request always has a way forward. These reproduce, on virtual time, the
// requests that were stranded forever on a starved machine (issue 10): a bucket whose new window
// was opened by a request that came back without bucket headers (a global 429, a network error)
// never learned when that window ends, and nothing woke it again.
#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

Outcome ok(std::uint32_t limit, std::uint32_t remaining, std::string reset_after) {
  return Outcome::from_response(200,
                                Fields{{"X-RateLimit-Limit", std::to_string(limit)},
                                       {"X-RateLimit-Remaining", std::to_string(remaining)},
                                       {"X-RateLimit-Reset-After", std::move(reset_after)},
                                       {"X-RateLimit-Bucket", "react"}},
                                "{}");
}

/// A global 429 as Discord sends it: no bucket headers, since no bucket counted the request.
Outcome global_429() {
  return Outcome::from_response(
      429, Fields{{"X-RateLimit-Global", "true"}, {"X-RateLimit-Scope", "global"}},
      R"({"message":"You are being rate limited.","retry_after":0.1,"global":true})");
}

class RateLimiterLiveness : public ::testing::Test {
 protected:
  /// A reaction bucket, 1 per 250 ms, learned from a first answer; the window has ended.
  void learn_reaction_bucket() {
    auto first = limiter.acquire(reaction);
    ASSERT_TRUE(first.granted());
    first.permit.complete(ok(1, 0, "0.25"));
    clock->advance(300ms);
  }

  /// Drives the limiter until `ticket` is granted or nothing is left to wait for; checks the
  /// watchdog invariant at every step.
  Permit wait_for(TicketId ticket, Clock::duration at_most = 10s) {
    const auto until = clock->now() + at_most;
    while (clock->now() < until) {
      EXPECT_EQ(limiter.stranded(), std::nullopt);
      for (auto& ready : limiter.poll()) {
        if (ready.ticket == ticket) return std::move(ready.permit);
      }
      const auto next = limiter.next_wakeup();
      if (!next) break;
      clock->advance_to(std::max(*next, clock->now() + 1ms));
    }
    ADD_FAILURE() << "ticket " << ticket << " was never granted";
    return {};
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  RateLimiter limiter{clock};
  Route reaction = Route::parse(Method::put, "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
};

TEST_F(RateLimiterLiveness, AGlobal429InANewWindowDoesNotStrandTheBucket) {
  learn_reaction_bucket();
  auto second = limiter.acquire(reaction);  // opens the next window
  ASSERT_TRUE(second.granted());
  const auto third = limiter.acquire(reaction);
  ASSERT_TRUE(third.queued());
  const auto verdict = second.permit.complete(global_429());
  ASSERT_TRUE(verdict.retry);
  const auto retry = limiter.acquire(reaction, {.retry = true});
  ASSERT_TRUE(retry.queued());
  auto p = wait_for(retry.ticket);
  EXPECT_TRUE(p.valid());
  p.complete(ok(1, 0, "0.25"));
  EXPECT_TRUE(wait_for(third.ticket).valid());
}

TEST_F(RateLimiterLiveness, ANetworkErrorInANewWindowDoesNotStrandTheBucket) {
  learn_reaction_bucket();
  auto second = limiter.acquire(reaction);
  ASSERT_TRUE(second.granted());
  const auto third = limiter.acquire(reaction);
  ASSERT_TRUE(third.queued());
  second.permit.complete(Outcome{});  // status 0: no answer, may have been counted
  EXPECT_TRUE(wait_for(third.ticket).valid());
}

TEST_F(RateLimiterLiveness, AnAnswerWithoutHeadersKeepsTheSlotUsedForAWholeWindow) {
  // The request may have been counted, so the next one waits until the window that request
  // could have opened has surely ended (its send plus the bucket's period, plus the margin).
  learn_reaction_bucket();
  const auto sent = clock->now();
  auto second = limiter.acquire(reaction);
  ASSERT_TRUE(second.granted());
  const auto third = limiter.acquire(reaction);
  clock->advance(20ms);
  second.permit.complete(Outcome{});
  auto p = wait_for(third.ticket);
  EXPECT_GE(clock->now(), sent + 250ms);
  EXPECT_LE(clock->now(), sent + 250ms + 20ms);
}

TEST_F(RateLimiterLiveness, AQueueBehindAnAnswerIsNotStranded) {
  // An unknown bucket with a request in flight waits for its answer, which will come.
  auto first = limiter.acquire(reaction);
  ASSERT_TRUE(first.granted());
  ASSERT_TRUE(limiter.acquire(reaction).queued());
  EXPECT_EQ(limiter.stranded(), std::nullopt);
}

}  // namespace
}  // namespace cadence::discord
