// The limiter against a model of Discord's server, on virtual time: fixed and sliding windows
// for the global limit and for buckets, with network latency and jitter. Checks that no 429
// happens and that the makespan stays within 2% of the theoretical lower bound.
#include "cadence/discord/rate_limiter.hpp"

#include "discord/model_server.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using Duration = Clock::duration;

using model::bucket_bound;
using model::Job;
using model::RouteSpec;
using model::RunOptions;
using model::seconds;
using model::Window;

void expect_global_bound(Window mode) {
  const auto result = model::run(model::global_bound_jobs(), {.global_mode = mode});
  EXPECT_EQ(result.global_429, 0);
  EXPECT_EQ(result.user_429, 0);
  const auto bound = 19s;  // (ceil(1000 / 50) - 1) x 1 s
  const double ratio = seconds(result.makespan) / seconds(bound);
  std::cout << "global lane, " << (mode == Window::fixed ? "fixed" : "sliding")
            << " window: makespan " << seconds(result.makespan) << " s, bound 19 s, ratio " << ratio
            << "\n";
  EXPECT_LE(ratio, 1.02);
  EXPECT_GE(ratio, 1.0);
}

TEST(RateLimiterPacing, GlobalLaneNo429UnderFixedWindow) { expect_global_bound(Window::fixed); }

TEST(RateLimiterPacing, GlobalLaneNo429UnderSlidingWindow) { expect_global_bound(Window::sliding); }

/// The first 50 sends open new connections, which takes 20-69 ms before the request leaves (far
/// more than the lane's 10 ms margin); later sends reuse them.
Duration cold_start(std::size_t send) {
  return send < 50 ? 20ms + std::chrono::milliseconds((send * 7) % 50) : Duration::zero();
}

void expect_global_bound_cold(Window mode) {
  const auto result =
      model::run(model::global_bound_jobs(), {.global_mode = mode, .write_delay = cold_start});
  EXPECT_EQ(result.global_429, 0);
  EXPECT_EQ(result.user_429, 0);
  const double ratio = seconds(result.makespan) / 19.0;
  std::cout << "global lane, cold start, " << (mode == Window::fixed ? "fixed" : "sliding")
            << " window: ratio " << ratio << "\n";
  EXPECT_LE(ratio, 1.02);
}

TEST(RateLimiterPacing, GlobalLaneNo429WhenTheFirstBurstLeavesLateFixed) {
  expect_global_bound_cold(Window::fixed);
}

TEST(RateLimiterPacing, GlobalLaneNo429WhenTheFirstBurstLeavesLateSliding) {
  expect_global_bound_cold(Window::sliding);
}

// Without write reports the late first burst's slots are dated from their grants, which once
// drew a global 429 here; each answer now dates its slot from when the server may have counted
// the request, so the answers alone keep the run free of 429s.
TEST(RateLimiterPacing, AnswersDateALateFirstBurstEvenWithoutWriteReports) {
  const auto result = model::run(
      model::global_bound_jobs(),
      {.global_mode = Window::sliding, .write_delay = cold_start, .report_writes = false});
  EXPECT_EQ(result.global_429, 0);
  EXPECT_EQ(result.user_429, 0);
}

void expect_bucket_bound(Window mode) {
  std::vector<Job> jobs;
  for (int i = 0; i < 100; ++i) {
    jobs.push_back({Route::parse(Method::post, "/channels/1/messages"), {"msg", 5, 5s}});
  }
  const auto result = model::run(jobs, {.bucket_mode = mode});
  EXPECT_EQ(result.global_429, 0);
  EXPECT_EQ(result.user_429, 0);
  const auto bound = bucket_bound(100, 5, 5s);
  const double ratio = seconds(result.makespan) / seconds(bound);
  std::cout << "one bucket 5/5s, " << (mode == Window::fixed ? "fixed" : "sliding")
            << " window: makespan " << seconds(result.makespan) << " s, bound " << seconds(bound)
            << " s, ratio " << ratio << "\n";
  EXPECT_LE(ratio, 1.02);
}

TEST(RateLimiterPacing, BucketNo429UnderFixedWindow) { expect_bucket_bound(Window::fixed); }

TEST(RateLimiterPacing, BucketNo429UnderSlidingWindow) { expect_bucket_bound(Window::sliding); }

void expect_mixed_bound(Window mode) {
  const auto jobs = model::mixed_jobs();
  const auto result = model::run(jobs, {.bucket_mode = mode});
  EXPECT_EQ(result.global_429, 0);
  EXPECT_EQ(result.user_429, 0);
  // 26 message requests per channel on one hash: (ceil(26/5) - 1) x 5 s = 25 s.
  const auto bound =
      std::max({bucket_bound(26, 5, 5s), bucket_bound(20, 1, 250ms), bucket_bound(10, 5, 1s)});
  const double ratio = seconds(result.makespan) / seconds(bound);
  std::cout << "mixed, " << (mode == Window::fixed ? "fixed" : "sliding") << " windows: makespan "
            << seconds(result.makespan) << " s, bound " << seconds(bound) << " s, ratio " << ratio
            << "\n";
  EXPECT_LE(ratio, 1.02);
}

TEST(RateLimiterPacing, MixedRoutesNo429UnderFixedWindows) { expect_mixed_bound(Window::fixed); }

TEST(RateLimiterPacing, MixedRoutesNo429UnderSlidingWindows) {
  expect_mixed_bound(Window::sliding);
}

TEST(RateLimiterPacing, InteractionsAreNotHeldByAFullGlobalLane) {
  std::vector<Job> jobs = model::global_bound_jobs();
  jobs.push_back(
      {Route::parse(Method::post, "/interactions/5/aW50ZXJhY3Rpb246eHl6/callback"), {"cb", 1, 1s}});
  auto clock = std::make_shared<ManualClock>();
  RateLimiter limiter(clock);
  std::vector<Permit> held;
  for (std::size_t i = 0; i + 1 < jobs.size(); ++i) {
    auto r = limiter.acquire(jobs[i].route);
    if (r.granted()) held.push_back(std::move(r.permit));
  }
  EXPECT_EQ(held.size(), 50u);
  EXPECT_TRUE(limiter.acquire(jobs.back().route).granted());
}

}  // namespace
}  // namespace cadence::discord
