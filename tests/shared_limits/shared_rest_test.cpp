// Several discord::Rest clients on one token, each with its own RedisLimitStore (as separate
// processes would have), against the Discord simulator and a real redis-server: together they
// keep the token's global limit and its buckets with no 429, where the same clients without the
// store draw them.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "cadence/shared_limits/redis_limit_store.hpp"
#include "discord/rest_test_fixture.hpp"
#include "support/redis_server.hpp"

namespace cadence::shared_limits {
namespace {

using namespace cadence::discord::test;
using cadence::discord::Method;
using cadence::discord::RequestParams;
using cadence::discord::Rest;
using cadence::discord::test::JsonResult;
using cadence::test::RedisServer;
using Steady = std::chrono::steady_clock;

constexpr std::uint32_t kGlobal = 25;

constexpr std::string_view kTable = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chan", "limit": 5,
   "window": 1, "major": "channel_id", "body": "channel"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "msg", "limit": 5,
   "window": 1, "major": "channel_id", "body": "message"}
]})";

class SharedRest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::binary()) GTEST_SKIP() << RedisServer::missing_message;
    auto o = sim_options(kTable);
    o.limits.global_limit = kGlobal;
    o.limits.window_mode = window_mode_;
    discord_ = std::make_unique<SimDiscord>(std::move(o));
  }

  std::shared_ptr<RedisLimitStore> store(std::uint16_t port, WhenDown when_down = WhenDown::local,
                                         std::function<void(bool)> on_change = {}) {
    RedisLimitStoreOptions o;
    o.on_change = std::move(on_change);
    o.redis.port = port;
    o.redis.command_timeout = std::chrono::milliseconds(500);
    o.token = "sim-token";
    o.global_limit = kGlobal;
    o.when_down = when_down;
    auto s = std::make_shared<RedisLimitStore>(io.get_executor(), std::move(o));
    s->start();
    return s;
  }

  std::unique_ptr<Rest> client(std::shared_ptr<RedisLimitStore> s) {
    auto o = rest_options((*discord_)->base_url());
    o.limiter.global_limit = kGlobal;
    o.limiter.store = std::move(s);
    return std::make_unique<Rest>(io.get_executor(), std::move(o));
  }

  /// Every client sends its share of `per_client` requests at once (GETs on channels of its
  /// own, and messages on channels all of them share); returns the makespan.
  Steady::duration run(std::vector<std::unique_ptr<Rest>>& clients, int per_client,
                       std::vector<JsonResult>& results, std::chrono::milliseconds limit) {
    results.assign(clients.size() * static_cast<std::size_t>(per_client), {});
    const auto start = Steady::now();
    std::size_t i = 0;
    for (std::size_t c = 0; c < clients.size(); ++c) {
      for (int n = 0; n < per_client; ++n, ++i) {
        if (n % 5 == 0) {
          // Shared buckets: 4 channels that every client posts to.
          RequestParams params;
          params.json = boost::json::object{{"content", "x"}};
          clients[c]->request(Method::post,
                              "/channels/" + std::to_string(900 + (n / 5) % 4) + "/messages",
                              std::move(params), record(results[i]));
        } else {
          clients[c]->request(Method::get,
                              "/channels/" + std::to_string(1000 * (c + 1) + static_cast<int>(n)),
                              {}, record(results[i]));
        }
      }
    }
    EXPECT_TRUE(run_until(
        io, [&] { return all_done(results); }, limit));
    auto last = start;
    for (const auto& r : results) {
      EXPECT_TRUE(r.ok()) << message_of(r.error);
      last = std::max(last, r.at);
    }
    return last - start;
  }

  void TearDown() override {
    // The stores and clients went with the test body, each leaving its close to run here: a
    // store destroyed with its io_context would leave its connection's last work unrun.
    io.restart();
    for (int round = 0; round < 1000 && io.poll() > 0; ++round) {
    }
  }

  boost::asio::io_context io;
  sim::WindowMode window_mode_ = sim::WindowMode::fixed;
  std::unique_ptr<SimDiscord> discord_;
};

TEST_F(SharedRest, FourClientsKeepOneGlobalLimitWithNo429) {
  RedisServer redis;
  std::vector<std::shared_ptr<RedisLimitStore>> stores;
  std::vector<std::unique_ptr<Rest>> clients;
  for (int c = 0; c < 4; ++c) {
    stores.push_back(store(redis.port()));
    clients.push_back(client(stores.back()));
  }
  ASSERT_TRUE(run_until(io, [&] {
    for (const auto& s : stores)
      if (!s->stats().connected) return false;
    return true;
  }));
  std::vector<JsonResult> results;
  const int per_client = 25;
  const auto makespan = run(clients, per_client, results, std::chrono::milliseconds(15000));
  const auto stats = (*discord_)->stats();
  EXPECT_EQ(stats.rate_limited_global, 0u);
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.rate_limited_shared, 0u);
  // 100 requests at 25/s: the last window opens 3 s after the first.
  const double bound = 3.0;
  const double seconds = std::chrono::duration<double>(makespan).count();
  std::cout << "4 clients, shared limits: makespan " << seconds << " s, bound " << bound << " s\n";
  EXPECT_LE(seconds, bound * 1.05 + 0.3);
  std::uint64_t local = 0;
  for (const auto& s : stores) {
    const auto st = s->stats();
    std::cout << "store: admitted " << st.admitted << ", waits " << st.waits << ", commands "
              << st.redis_commands << "\n";
    local += st.admitted_local;
  }
  EXPECT_EQ(local, 0u);  // every admission came from Redis
}

TEST_F(SharedRest, WithoutTheStoreTheSameClientsDraw429s) {
  // The control: the workload above is one that needs sharing.
  std::vector<std::unique_ptr<Rest>> clients;
  for (int c = 0; c < 4; ++c) clients.push_back(client(nullptr));
  std::vector<JsonResult> results;
  (void)run(clients, 25, results, std::chrono::milliseconds(15000));
  EXPECT_GT((*discord_)->stats().rate_limited_global, 0u);
}

TEST_F(SharedRest, RedisGoneMidRunFallsBackToAShareAndRejoins) {
  RedisServer redis;
  std::vector<std::shared_ptr<RedisLimitStore>> stores;
  std::vector<std::unique_ptr<Rest>> clients;
  auto changes = std::make_shared<std::vector<bool>>();  // what the first store told
  for (int c = 0; c < 2; ++c) {
    stores.push_back(
        store(redis.port(), WhenDown::local,
              c == 0 ? std::function<void(bool)>([changes](bool up) { changes->push_back(up); })
                     : std::function<void(bool)>()));
    clients.push_back(client(stores.back()));
  }
  const auto connected = [&](bool up) {
    return [&stores, up] {
      for (const auto& s : stores)
        if (s->stats().connected != up) return false;
      return true;
    };
  };
  ASSERT_TRUE(run_until(io, connected(true)));
  // Let both see each other (heartbeats) before Redis goes: the fallback share is 1/2.
  ASSERT_TRUE(run_until(io, [&] {
    for (const auto& s : stores)
      if (s->stats().processes < 2) return false;
    return true;
  }));
  std::vector<JsonResult> results;
  results.assign(80, {});
  for (std::size_t i = 0; i < results.size(); ++i) {
    clients[i % 2]->request(Method::get, "/channels/" + std::to_string(5000 + i), {},
                            record(results[i]));
  }
  // Mid-run: some requests are done, more are waiting for the global window.
  ASSERT_TRUE(run_until(io, [&] {
    int done = 0;
    for (const auto& r : results) done += r.done() ? 1 : 0;
    return done >= 30;
  }));
  redis.kill();
  ASSERT_TRUE(run_until(io, connected(false)));
  const auto by_fallback = [&] {
    std::uint64_t local = 0;
    for (const auto& s : stores) local += s->stats().admitted_local;
    return local;
  };
  // Away long enough for the fallback to send (after a whole window), then back, empty.
  ASSERT_TRUE(run_until(
      io, [&] { return by_fallback() >= 10; }, std::chrono::milliseconds(5000)));
  redis.restart();
  ASSERT_TRUE(run_until(io, connected(true), std::chrono::milliseconds(10000)));
  ASSERT_TRUE(run_until(
      io, [&] { return all_done(results); }, std::chrono::milliseconds(15000)));
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << message_of(r.error);  // each exactly once
  const auto stats = (*discord_)->stats();
  EXPECT_EQ(stats.requests, results.size());  // nothing sent twice
  EXPECT_EQ(stats.rate_limited_global, 0u);
  std::cout << "admitted by the fallback while Redis was away: " << by_fallback() << "\n";
  EXPECT_EQ(*changes, (std::vector<bool>{true, false, true})) << "shared, local, shared again";
}

TEST_F(SharedRest, FailClosedRefusesWithATypedErrorWhileRedisIsAway) {
  RedisServer redis;
  auto s = store(redis.port(), WhenDown::fail);
  auto rest = client(s);
  ASSERT_TRUE(run_until(io, [&] { return s->stats().connected; }));
  redis.kill();
  ASSERT_TRUE(run_until(io, [&] { return !s->stats().connected; }));
  JsonResult r;
  rest->get("/channels/1", record(r));
  ASSERT_TRUE(run_until(io, [&] { return r.done(); }));
  EXPECT_EQ(r.calls, 1);
  bool typed = false;
  try {
    std::rethrow_exception(r.error);
  } catch (const SharedLimitsUnavailable&) {
    typed = true;
  } catch (...) {
  }
  EXPECT_TRUE(typed) << message_of(r.error);
  EXPECT_EQ((*discord_)->stats().requests, 0u);  // refused before it left
  redis.restart();
  ASSERT_TRUE(run_until(
      io, [&] { return s->stats().connected; }, std::chrono::milliseconds(10000)));
  JsonResult again;
  rest->get("/channels/1", record(again));
  ASSERT_TRUE(run_until(io, [&] { return again.done(); }));
  EXPECT_TRUE(again.ok()) << message_of(again.error);
}

}  // namespace
}  // namespace cadence::shared_limits
