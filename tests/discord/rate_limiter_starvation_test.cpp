// The limiter on a starved machine, on virtual time: the client runs in short slices with stalls
// of up to 100 ms between them (timers fire late, answers are read late) while the server goes
// on, and the server accounts for each request up to 100 ms after it arrives. Whatever 429s
// that draws, every request must finish, and the watchdog must never find a queue without a way
// forward.
#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <iostream>

#include "discord/model_server.hpp"

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using model::RunOptions;
using model::Window;

RunOptions starved(Window mode, std::uint32_t seed) {
  return {.global_mode = mode,
          .bucket_mode = mode,
          .server_delay = 100ms,
          .starve_slice = 5ms,
          .starve_stall = 100ms,
          .seed = seed};
}

void expect_all_finish(const std::vector<model::Job>& jobs, const RunOptions& options,
                       const char* what) {
  const auto r = model::run(jobs, options);
  EXPECT_EQ(r.finished, jobs.size()) << what << ", seed " << options.seed;
  EXPECT_EQ(r.stranded, std::nullopt) << what << ", seed " << options.seed;
  std::cout << what << " (" << model::name(options.bucket_mode) << ", seed " << options.seed
            << "): " << r.finished << "/" << jobs.size() << " finished, " << r.global_429
            << " global and " << r.user_429 << " user 429s, makespan " << model::seconds(r.makespan)
            << " s\n";
}

TEST(RateLimiterStarvation, MixedWorkloadFinishesOnAStarvedClientSliding) {
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    expect_all_finish(model::mixed_jobs(), starved(Window::sliding, seed), "mixed");
  }
}

TEST(RateLimiterStarvation, MixedWorkloadFinishesOnAStarvedClientFixed) {
  for (std::uint32_t seed = 1; seed <= 3; ++seed) {
    expect_all_finish(model::mixed_jobs(), starved(Window::fixed, seed), "mixed");
  }
}

TEST(RateLimiterStarvation, ContendedWorkloadFinishesOnAStarvedClient) {
  for (std::uint32_t seed = 1; seed <= 3; ++seed) {
    expect_all_finish(model::contended_jobs(), starved(Window::sliding, seed), "contended");
  }
}

TEST(RateLimiterStarvation, GlobalBoundWorkloadFinishesOnAStarvedClient) {
  expect_all_finish(model::global_bound_jobs(), starved(Window::sliding, 1), "global-bound");
}

// Another process on the token spends 30 of the 50 global slots a second, unseen: global 429s
// are unavoidable, on a starved client too, and after each the requests must still finish.
// Before the fix for windows that no answer could end, reaction buckets stranded here: a global
// 429 answered the request that opened a reaction bucket's new window, and no wake-up was left.
TEST(RateLimiterStarvation, EveryRequestFinishesAfterUnavoidableGlobal429s) {
  int global_429 = 0;
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    RunOptions o = starved(Window::sliding, seed);
    o.foreign_global_rate = 30;
    const auto jobs = model::mixed_jobs();
    const auto r = model::run(jobs, o);
    EXPECT_EQ(r.finished, jobs.size()) << "seed " << seed;
    EXPECT_EQ(r.stranded, std::nullopt) << "seed " << seed;
    global_429 += r.global_429;
  }
  // The case must really draw global 429s, or it proves nothing about what follows them.
  EXPECT_GT(global_429, 0);
}

}  // namespace
}  // namespace cadence::discord
