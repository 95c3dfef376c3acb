// Two `proxy::Proxy` instances on one token, sharing its limits through a real redis-server, with
// the bots' requests spread over both (as behind a load balancer): Discord (the simulator) sees
// no 429. The same two proxies without Redis draw global 429s upstream.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <vector>

#include "cadence/shared_limits/redis_limit_store.hpp"
#include "proxy/proxy_harness.hpp"
#include "support/redis_server.hpp"

namespace cadence::shared_limits {
namespace {

using namespace cadence::proxy::test;
using cadence::test::RedisServer;

constexpr std::uint32_t kGlobal = 25;

class SharedProxies : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::binary()) GTEST_SKIP() << RedisServer::missing_message;
    sim::DiscordServerOptions o;
    o.limits.global_limit = kGlobal;
    upstream_ = std::make_unique<SimUpstream>(std::move(o));
  }

  proxy::ProxyOptions options(std::optional<std::uint16_t> redis_port) {
    auto o = options_for((*upstream_)->base_url());
    o.global_limit = kGlobal;
    if (redis_port) {
      o.shared_limits = [this, port = *redis_port](const std::string& token) {
        RedisLimitStoreOptions s;
        s.redis.port = port;
        s.token = token;
        s.global_limit = kGlobal;
        auto store = std::make_shared<RedisLimitStore>(stores_.executor(), std::move(s));
        store->start();
        return store;
      };
    }
    return o;
  }

  /// 100 GETs on distinct channels, alternating between the proxies, all at once.
  void run(ProxyUnderTest& a, ProxyUnderTest& b) {
    std::vector<std::future<http::Response>> answers;
    for (int i = 0; i < 100; ++i) {
      auto& p = i % 2 == 0 ? a : b;
      answers.push_back(p.start(
          make_request(http::Method::get, p.url("/api/v10/channels/" + std::to_string(7000 + i)))));
    }
    for (auto& f : answers) {
      ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
      EXPECT_EQ(f.get().status, 200u);
    }
  }

  Runner stores_;
  std::unique_ptr<SimUpstream> upstream_;
};

TEST_F(SharedProxies, TwoProxiesOnOneRedisDrawNo429Upstream) {
  RedisServer redis;
  ProxyUnderTest a(options(redis.port()));
  ProxyUnderTest b(options(redis.port()));
  run(a, b);
  const auto stats = (*upstream_)->stats();
  EXPECT_EQ(stats.requests, 100u);
  EXPECT_EQ(stats.rate_limited_global + stats.rate_limited_user + stats.rate_limited_shared, 0u);
}

TEST_F(SharedProxies, WithoutRedisTheSameTwoProxiesDraw429sUpstream) {
  ProxyUnderTest a(options(std::nullopt));
  ProxyUnderTest b(options(std::nullopt));
  run(a, b);
  EXPECT_GT((*upstream_)->stats().rate_limited_global, 0u);
}

}  // namespace
}  // namespace cadence::shared_limits
