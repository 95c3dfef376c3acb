// Buckets competing for the global lane, on virtual time: 400 lone GETs queued ahead of 100
// message creates on four channels (bound 20 s, set by the creates). Granted in arrival order,
// the GETs take the first second's slots, the channels' first windows start late and, under a
// sliding-window server, every later window with them (1.06x here before the lane was ordered
// by need; 1.42x with 429s on an outside emulator). The lane now serves the critical path first.
#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <iostream>

#include "discord/model_server.hpp"

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using model::Window;

double contended_ratio(Window mode, int singles = 400) {
  const auto jobs = model::contended_jobs(singles);
  const auto r = model::run(jobs, {.global_mode = mode, .bucket_mode = mode});
  EXPECT_EQ(r.finished, jobs.size());
  EXPECT_EQ(r.global_429, 0);
  EXPECT_EQ(r.user_429, 0);
  const double ratio = model::seconds(r.makespan) / model::seconds(model::contended_bound());
  std::cout << "contended (" << singles << " singles ahead), " << model::name(mode)
            << " windows: makespan " << model::seconds(r.makespan) << " s, ratio " << ratio << "\n";
  return ratio;
}

TEST(RateLimiterContention, CriticalBucketsGoFirstUnderSlidingWindows) {
  EXPECT_LE(contended_ratio(Window::sliding), 1.02);
}

TEST(RateLimiterContention, CriticalBucketsGoFirstUnderFixedWindows) {
  EXPECT_LE(contended_ratio(Window::fixed), 1.02);
}

TEST(RateLimiterContention, HoldsUpWithMoreSinglesAhead) {
  EXPECT_LE(contended_ratio(Window::sliding, 900), 1.02);
}

// The lane's order by itself, without a model: a lone GET that arrived first waits for the
// bucket with work behind it when only one slot is free.
TEST(RateLimiterContention, TheLaneServesTheBucketWithWorkBehindItFirst) {
  auto clock = std::make_shared<ManualClock>();
  RateLimiterOptions options;
  options.global_limit = 1;
  RateLimiter limiter(clock, options);
  const auto lone = limiter.submit(Route::parse(Method::get, "/channels/900"));
  const auto busy = Route::parse(Method::post, "/channels/1/messages");
  const auto first = limiter.submit(busy);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.submit(busy).queued());
  auto ready = limiter.poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, first.ticket);
  EXPECT_NE(ready[0].ticket, lone.ticket);
}

// Aging: a ticket with slack is not starved by a stream of busy buckets; its key is when it
// came, so work that arrives a long time later goes after it.
TEST(RateLimiterContention, AnOldTicketWithSlackIsNotStarved) {
  auto clock = std::make_shared<ManualClock>();
  RateLimiterOptions options;
  options.global_limit = 1;
  RateLimiter limiter(clock, options);
  auto held = limiter.acquire(Route::parse(Method::get, "/channels/901"));
  ASSERT_TRUE(held.granted());
  const auto lone = limiter.submit(Route::parse(Method::get, "/channels/900"));
  clock->advance(std::chrono::minutes(5));
  const auto busy = Route::parse(Method::post, "/channels/1/messages");
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(limiter.submit(busy).queued());
  auto ready = limiter.poll();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].ticket, lone.ticket);
}

}  // namespace
}  // namespace cadence::discord
