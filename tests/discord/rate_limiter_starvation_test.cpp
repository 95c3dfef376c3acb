// The limiter under the conditions that drew 429s and stranded requests from outside (issue
// 10), on virtual time: a server that accounts for each request up to 100 ms after it arrives
// (a busy edge, a loaded host), and a starved client that runs in 5 ms slices with stalls of up
// to 100 ms between them (timers fire late, answers are read late) while the server and the
// network go on. Every request must finish, the watchdog must never find a queue without a way
// forward, and no 429 of any scope may come.
#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <iostream>

#include "discord/model_server.hpp"

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;
using model::RunOptions;
using model::Window;

// `cadence sim discord` answers Reset-After from the newest request of a sliding window: with a
// lagging server that cost whole windows on the mixed workload (1.41x) until a bucket's own
// send log, rather than that reset, decided when its slots come free.
constexpr Window kWindows[] = {Window::fixed, Window::sliding, Window::sliding_newest};

RunOptions lagging(Window mode, std::uint32_t seed) {
  return {.global_mode = mode, .bucket_mode = mode, .server_delay = 100ms, .seed = seed};
}

RunOptions starved(Window mode, std::uint32_t seed) {
  auto o = lagging(mode, seed);
  o.starve_slice = 5ms;
  o.starve_stall = 100ms;
  return o;
}

/// Runs `seeds` seeds and returns the worst makespan against `bound`.
double expect_no_429(const std::vector<model::Job>& jobs, model::Duration bound,
                     RunOptions (*conditions)(Window, std::uint32_t), Window mode, const char* what,
                     std::uint32_t seeds = 4) {
  double worst = 0;
  for (std::uint32_t seed = 1; seed <= seeds; ++seed) {
    const auto o = conditions(mode, seed);
    const auto r = model::run(jobs, o);
    EXPECT_EQ(r.finished, jobs.size()) << what << ", seed " << seed;
    EXPECT_EQ(r.stranded, std::nullopt) << what << ", seed " << seed;
    EXPECT_EQ(r.global_429, 0) << what << ", seed " << seed;
    EXPECT_EQ(r.user_429, 0) << what << ", seed " << seed;
    worst = std::max(worst, model::seconds(r.makespan) / model::seconds(bound));
  }
  std::cout << what << " (" << model::name(mode) << " windows): worst makespan " << worst
            << "x the bound over " << seeds << " seeds, no 429\n";
  return worst;
}

// --- The server counts late ----------------------------------------------------------------------

TEST(RateLimiterLag, GlobalBoundNo429WhenTheServerCountsLate) {
  for (auto mode : kWindows) {
    // 1.095 while lane slots were dated like bucket slots (half the fastest round trip).
    EXPECT_LE(expect_no_429(model::global_bound_jobs(), 19s, lagging, mode, "global-bound, lag"),
              1.09);
  }
}

TEST(RateLimiterLag, MixedNo429WhenTheServerCountsLate) {
  for (auto mode : kWindows) {
    EXPECT_LE(expect_no_429(model::mixed_jobs(), model::mixed_bound(), lagging, mode, "mixed, lag"),
              1.05);
  }
}

TEST(RateLimiterLag, ContendedNo429WhenTheServerCountsLate) {
  for (auto mode : kWindows) {
    EXPECT_LE(expect_no_429(model::contended_jobs(), model::contended_bound(), lagging, mode,
                            "contended, lag"),
              1.05);
  }
}

// --- The client is starved as well --------------------------------------------------------------

TEST(RateLimiterStarvation, GlobalBoundNo429OnAStarvedClient) {
  for (auto mode : kWindows) {
    EXPECT_LE(
        expect_no_429(model::global_bound_jobs(), 19s, starved, mode, "global-bound, starved"),
        1.165);
  }
}

TEST(RateLimiterStarvation, MixedNo429OnAStarvedClient) {
  for (auto mode : kWindows) {
    EXPECT_LE(
        expect_no_429(model::mixed_jobs(), model::mixed_bound(), starved, mode, "mixed, starved"),
        1.05);
  }
}

TEST(RateLimiterStarvation, ContendedNo429OnAStarvedClient) {
  for (auto mode : kWindows) {
    EXPECT_LE(expect_no_429(model::contended_jobs(), model::contended_bound(), starved, mode,
                            "contended, starved"),
              1.08);
  }
}

// Another process on the token spends 30 of the 50 global slots a second, unseen: global 429s
// are unavoidable, on a starved client too, and after each the requests must still finish.
// Before the fix for windows that no answer could end, reaction buckets stranded here in 5 of 6
// seeds: a global 429 answered the request that opened a reaction bucket's new window, and no
// wake-up was left.
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
