// discord::Rest against the simulator's rate limits: bursts across buckets with no 429 and a
// makespan close to the theoretical bound (fixed and sliding windows), hash merging, a learned
// sublimit, shared-scope and global 429s, and deadlines refused at enqueue.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>

#include "cadence/discord/rest.hpp"
#include "discord/rest_test_fixture.hpp"
#include "support/expect_error.hpp"

namespace cadence::discord::test {
namespace {

using cadence::test::expect_error;
using Clock = std::chrono::steady_clock;

// Short windows keep each test well under two seconds.
constexpr std::string_view fast_table = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chan", "limit": 5,
   "window": 0.2, "major": "channel_id", "body": "channel"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "msg", "limit": 5,
   "window": 0.25, "major": "channel_id", "body": "message"},
  {"method": "PATCH", "path": "/channels/{channel_id}/messages/{message_id}", "bucket": "msg",
   "limit": 5, "window": 0.25, "major": "channel_id", "body": "message"},
  {"method": "PATCH", "path": "/guilds/{guild_id}/members/{user_id}", "bucket": "member",
   "limit": 10, "window": 2, "major": "guild_id", "body": "member",
   "sublimits": [{"limit": 1, "window": 0.3, "body_has": ["nick"]}]},
  {"method": "GET", "path": "/users/{user_id}", "bucket": "user", "limit": 1, "window": 5,
   "body": "user"}
]})";

struct CountingObserver : RateLimitObserver {
  void on_rate_limited(std::string_view, RateLimitScope scope, std::chrono::milliseconds) override {
    ++by_scope[static_cast<int>(scope)];
  }
  std::atomic<int> by_scope[6] = {};
};

std::vector<std::pair<Method, std::string>> gets(int channels, int per_channel) {
  std::vector<std::pair<Method, std::string>> out;
  for (int n = 0; n < per_channel; ++n) {
    for (int c = 1; c <= channels; ++c)
      out.emplace_back(Method::get, "/channels/" + std::to_string(c));
  }
  return out;
}

class RestRateLimits : public ::testing::Test {
 protected:
  /// Sends every request at once and waits for all; returns the makespan.
  Clock::duration burst(Rest& rest, const std::vector<std::pair<Method, std::string>>& requests,
                        std::vector<JsonResult>& results, std::chrono::milliseconds limit = 5s) {
    results.assign(requests.size(), {});
    const auto start = Clock::now();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      RequestParams params;
      if (requests[i].first != Method::get) params.json = json::object{{"content", "x"}};
      rest.request(requests[i].first, requests[i].second, std::move(params), record(results[i]));
    }
    EXPECT_TRUE(run_until(
        io, [&] { return all_done(results); }, limit));
    Clock::time_point last = start;
    for (const auto& r : results) {
      EXPECT_TRUE(r.ok()) << message_of(r.error);
      last = std::max(last, r.at);
    }
    return last - start;
  }

  /// What `requests` requests cost on this machine right now when no limit binds: one GET on
  /// each of as many channels (no request waits for another), through a fresh simulator and
  /// Rest like a measured burst. A sanitizer build or a loaded machine slows this as much as
  /// it slows a rate-limited burst, so a bound built on it holds wherever the suite runs.
  Clock::duration unthrottled(int requests) {
    auto sim = sim_options(fast_table);
    sim.limits.global_limit = 100000;
    SimDiscord discord(std::move(sim));
    auto options = rest_options(discord->base_url());
    options.limiter.global_limit = 100000;
    Rest rest(io.get_executor(), options);
    std::vector<JsonResult> results;
    return burst(rest, gets(requests, 1), results);
  }

  /// Runs `measured` (a burst of `requests` requests that returns its makespan) between two
  /// unthrottled runs of the same size, and checks the makespan against the bound the limits
  /// set. Nothing can finish before the bound without a 429 (the callers count those: zero),
  /// whatever the machine. Above it, the slack is the limiter's margins (10% + 200 ms) plus
  /// twice what the same requests cost unthrottled, measured around the burst: a burst does
  /// that work in rounds, each round waiting for the one before, which at most doubles it.
  /// On an idle machine the slack stays far below one extra window per round, so a limiter
  /// that waits too long still fails; under sanitizers or load the slack grows with the cost.
  void expect_close_to_bound(int requests, const std::function<Clock::duration()>& measured,
                             std::chrono::milliseconds bound) {
    const auto before = unthrottled(requests);
    const auto makespan = measured();
    const auto cost = std::max(before, unthrottled(requests));
    const auto ms = [](Clock::duration d) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    EXPECT_GE(makespan, bound - 20ms) << ms(makespan) << " ms";
    EXPECT_LE(makespan, bound * 1.1 + 200ms + 2 * cost)
        << ms(makespan) << " ms; the same requests unthrottled: " << ms(cost) << " ms";
  }

  void bucket_bound_burst(sim::WindowMode mode);

  asio::io_context io;
};

TEST_F(RestRateLimits, GlobalBoundBurstHasNo429) {
  SimDiscord discord(sim_options(fast_table));
  auto options = rest_options(discord->base_url());
  // The lane counts a request from its grant, the server from its arrival. The first 50 wait for
  // new connections (and, on a loaded test machine, for the CPU) much longer than the next 50
  // on warm ones; the default 10 ms margin covers network jitter, not that.
  options.limiter.global_margin = 60ms;
  Rest rest(io.get_executor(), options);
  std::vector<JsonResult> results;
  // 100 GETs on 100 channels: only the global limit (50/s) binds: bound (ceil(100/50)-1) x 1 s.
  expect_close_to_bound(
      100, [&] { return burst(rest, gets(100, 1), results); }, 1000ms);
  const auto stats = discord->stats();
  EXPECT_EQ(stats.rate_limited_global, 0u);
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.requests, 100u);
}

void RestRateLimits::bucket_bound_burst(sim::WindowMode mode) {
  auto options = sim_options(fast_table);
  options.limits.window_mode = mode;
  options.limits.global_limit = 1000;
  SimDiscord discord(std::move(options));
  auto rest_opts = rest_options(discord->base_url());
  rest_opts.limiter.global_limit = 1000;
  Rest rest(io.get_executor(), rest_opts);
  std::vector<JsonResult> results;
  // 4 channels x 25 GETs, limit 5 per 0.2 s: the last request cannot start before 4 x 0.2 s.
  expect_close_to_bound(
      100, [&] { return burst(rest, gets(4, 25), results); }, 800ms);
  const auto stats = discord->stats();
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.rate_limited_global, 0u);
  EXPECT_EQ(stats.requests, 100u);
  EXPECT_LE(stats.in_flight_peak, 20u);  // never more than `limit` per bucket at once
}

TEST_F(RestRateLimits, BucketBoundBurstFixedWindows) { bucket_bound_burst(sim::WindowMode::fixed); }

TEST_F(RestRateLimits, BucketBoundBurstSlidingWindows) {
  bucket_bound_burst(sim::WindowMode::sliding);
}

TEST_F(RestRateLimits, RoutesSharingAHashShareOneLimit) {
  SimDiscord discord(sim_options(fast_table));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  std::vector<std::pair<Method, std::string>> requests;
  for (int i = 0; i < 10; ++i) {
    requests.emplace_back(Method::post, "/channels/1/messages");
    requests.emplace_back(Method::patch, "/channels/1/messages/2");
  }
  std::vector<JsonResult> results;
  // 20 requests, limit 5 per 0.25 s, one bucket: (4 - 1) x 0.25 s.
  expect_close_to_bound(
      20, [&] { return burst(rest, requests, results); }, 750ms);
  const auto stats = discord->stats();
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.buckets.at("msg:1").requests, 20u);

  Result<BucketSnapshot> post, patch;
  rest.bucket(Method::post, "/channels/1/messages", record(post));
  rest.bucket(Method::patch, "/channels/1/messages/3", record(patch));
  ASSERT_TRUE(run_until(io, [&] { return post.done() && patch.done(); }));
  EXPECT_EQ(post.value.hash, "msg");
  EXPECT_EQ(patch.value.hash, "msg");
  EXPECT_EQ(post.value.key, patch.value.key);
}

TEST_F(RestRateLimits, SublimitIsLearnedAndParksOnlyItsClass) {
  SimDiscord discord(sim_options(fast_table));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto nick = [](std::string value) {
    RequestParams p;
    p.json = json::object{{"nick", std::move(value)}};
    return p;
  };
  JsonResult first;
  rest.patch("/guilds/1/members/5", nick("a"), record(first));
  ASSERT_TRUE(run_until(io, [&] { return first.done(); }));
  ASSERT_TRUE(first.ok()) << message_of(first.error);

  JsonResult second, third, roles;
  rest.patch("/guilds/1/members/5", nick("b"), record(second));
  rest.patch("/guilds/1/members/6", nick("c"), record(third));
  RequestParams other;
  other.json = json::object{{"roles", json::array{}}};
  rest.patch("/guilds/1/members/7", std::move(other), record(roles));
  ASSERT_TRUE(run_until(io, [&] { return second.done() && third.done() && roles.done(); }));
  ASSERT_TRUE(second.ok()) << message_of(second.error);
  ASSERT_TRUE(third.ok()) << message_of(third.error);
  ASSERT_TRUE(roles.ok()) << message_of(roles.error);
  // The sublimit held back only requests setting "nick".
  EXPECT_LT(roles.at, std::max(second.at, third.at));
  const auto stats = discord->stats();
  EXPECT_GE(stats.rate_limited_sublimit, 1u);
  EXPECT_EQ(stats.rate_limited_user, stats.rate_limited_sublimit);  // the bucket never overflowed
  EXPECT_EQ(stats.buckets.at("member:1").ok, 4u);
}

TEST_F(RestRateLimits, SharedScope429IsWaitedOutAndNotCountedInvalid) {
  SimDiscord discord(sim_options(fast_table));
  auto options = rest_options(discord->base_url());
  auto breaker = std::make_shared<InvalidRequestBreaker>();
  options.limiter.breaker = breaker;
  auto observer = std::make_shared<CountingObserver>();
  options.limiter.observer = observer;
  Rest rest(io.get_executor(), options);
  discord->mark_busy("channels/7", 300ms);
  const auto start = Clock::now();
  JsonResult r;
  rest.get("/channels/7", record(r));
  ASSERT_TRUE(run_until(io, [&] { return r.done(); }));
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_GE(r.at - start, 250ms);
  const auto stats = discord->stats();
  EXPECT_GE(stats.rate_limited_shared, 1u);
  EXPECT_EQ(stats.invalid_requests, 0u);
  EXPECT_EQ(breaker->count(Clock::now()), 0u);
  EXPECT_GE(observer->by_scope[static_cast<int>(RateLimitScope::shared)].load(), 1);
}

TEST_F(RestRateLimits, Global429PausesTheLaneAndEveryRequestSucceeds) {
  auto sim = sim_options(fast_table);
  sim.limits.global_limit = 3;  // lower than the client believes: the server answers global 429s
  sim.limits.global_window = 300ms;
  SimDiscord discord(std::move(sim));
  auto options = rest_options(discord->base_url());
  auto observer = std::make_shared<CountingObserver>();
  options.limiter.observer = observer;
  Rest rest(io.get_executor(), options);
  std::vector<JsonResult> results;
  const auto makespan = burst(rest, gets(6, 1), results);
  const auto stats = discord->stats();
  EXPECT_GE(stats.rate_limited_global, 1u);
  EXPECT_GE(observer->by_scope[static_cast<int>(RateLimitScope::global)].load(), 1);
  EXPECT_GE(makespan, 250ms);  // the retries waited for retry_after
  EXPECT_EQ(stats.responses_2xx, 6u);
}

TEST_F(RestRateLimits, DeadlineShorterThanTheKnownWaitIsRefusedAtEnqueue) {
  SimDiscord discord(sim_options(fast_table));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  JsonResult first;
  rest.get("/users/1", record(first));
  ASSERT_TRUE(run_until(io, [&] { return first.done(); }));
  ASSERT_TRUE(first.ok()) << message_of(first.error);

  RequestParams params;
  params.deadline = Clock::now() + 300ms;
  const auto start = Clock::now();
  JsonResult second;
  rest.get("/users/2", std::move(params), record(second));
  ASSERT_TRUE(run_until(io, [&] { return second.done(); }));
  EXPECT_LT(second.at - start, 200ms);  // refused at once, not after waiting
  const auto* e = expect_error<RateLimitedError>(second.error, "deadline");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->scope(), RateLimitScope::user);
  EXPECT_GT(e->retry_after(), 1000ms);
  EXPECT_EQ(discord->stats().requests, 1u);
}

TEST_F(RestRateLimits, RejectPolicyFailsInsteadOfWaiting) {
  SimDiscord discord(sim_options(fast_table));
  auto options = rest_options(discord->base_url());
  options.limiter.reject.route_prefixes = {"/users"};
  Rest rest(io.get_executor(), options);
  JsonResult first, second;
  rest.get("/users/1", record(first));
  ASSERT_TRUE(run_until(io, [&] { return first.done(); }));
  rest.get("/users/1", record(second));
  ASSERT_TRUE(run_until(io, [&] { return second.done(); }));
  expect_error<RateLimitedError>(second.error, "reject");
  EXPECT_EQ(discord->stats().requests, 1u);
}

}  // namespace
}  // namespace cadence::discord::test
