// The Lua scripts of the Redis store, run on a real redis-server: what they admit, when they
// say to wait and why, what an answer teaches them, and that every key they write expires and
// none names the token.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cadence/shared_limits/redis_limit_store.hpp"
#include "redis/redis_harness.hpp"
#include "shared_limits/scripts.hpp"

namespace cadence::shared_limits {
namespace {

using cadence::test::RedisHarness;
using cadence::test::RedisServer;

const std::string kPrefix = key_prefix_for("cadence", "secret-token");
constexpr const char* kWindowUs = "1010000";
constexpr const char* kMarginUs = "10000";

class Scripts : public ::testing::Test, protected RedisHarness {
 protected:
  void SetUp() override {
    if (!RedisServer::binary()) GTEST_SKIP() << RedisServer::missing_message;
    server_ = std::make_unique<RedisServer>();
    client_ = std::make_unique<redis::Client>(io.get_executor(), options_for(*server_));
    ASSERT_TRUE(start(*client_));
  }

  /// {admitted, wait µs, bucket, global wait}; `hold` is the provisional hold in µs.
  std::vector<redis::Reply> acquire(const std::string& member, const std::string& route,
                                    const std::string& major, const std::string& hash = "",
                                    int global_limit = 3, const std::string& hold = "0") {
    auto r = eval(*client_, acquire_, {},
                  {kPrefix, std::to_string(global_limit), kWindowUs, kMarginUs, hold, "5000",
                   member, route, major, hash, "1"});
    EXPECT_FALSE(r.error);
    EXPECT_FALSE(r.reply.is_error()) << r.reply.string();
    return r.reply.array();
  }

  /// The bucket it was counted in. An empty `status` gives the slots back (never sent).
  std::string settle(const std::string& member, const std::string& admitted,
                     const std::string& route, const std::string& major, const std::string& hash,
                     const std::string& limit, const std::string& reset_after_us,
                     const std::string& scope = "", const std::string& retry_ms = "0",
                     const std::string& status = "200", const std::string& ago_us = "0") {
    auto r = eval(*client_, settle_, {},
                  {kPrefix, "86400000", kMarginUs, member, admitted, "1", ago_us, route, major,
                   hash, limit, reset_after_us, scope, retry_ms, status});
    EXPECT_FALSE(r.error);
    EXPECT_FALSE(r.reply.is_error()) << r.reply.string();
    return r.reply.array().at(0).string();
  }

  std::int64_t integer(std::vector<std::string> command) {
    return call(*client_, std::move(command)).reply.integer();
  }

  redis::Script acquire_{detail::kAcquireScript};
  redis::Script settle_{detail::kSettleScript};
  redis::Script import_{detail::kImportScript};
  redis::Script beat_{detail::kHeartbeatScript};
  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
};

TEST_F(Scripts, TheGlobalWindowAdmitsItsLimitThenSaysHowLongToWait) {
  for (int i = 0; i < 3; ++i) {
    const auto r = acquire("p:" + std::to_string(i), "GET /channels/{channel_id}",
                           "channel:" + std::to_string(i), "h" + std::to_string(i));
    EXPECT_EQ(r[0].integer(), 1) << i;
  }
  const auto r = acquire("p:9", "GET /channels/{channel_id}", "channel:9", "h9");
  EXPECT_EQ(r[0].integer(), 0);
  EXPECT_EQ(r[3].integer(), 1) << "the wait is the global limit's";
  EXPECT_GT(r[1].integer(), 900000);  // the first three were dated now: about a window
  EXPECT_LE(r[1].integer(), 1010000);
  // Giving one back (never sent) frees its slot at once.
  settle("p:0", r[2].string(), "GET /channels/{channel_id}", "channel:0", "h0", "", "", "", "0",
         "");
  EXPECT_EQ(acquire("p:9", "GET /channels/{channel_id}", "channel:9", "h9")[0].integer(), 1);
}

TEST_F(Scripts, AnUnknownBucketLetsOneRequestOutUntilItsAnswerTeachesTheBucket) {
  const std::string route = "POST /channels/{channel_id}/messages";
  const auto first = acquire("a:1", route, "channel:5", "", 50);
  ASSERT_EQ(first[0].integer(), 1);
  EXPECT_EQ(first[2].string(), "r:" + route + ":channel:5");
  const auto second = acquire("b:1", route, "channel:5", "", 50);
  EXPECT_EQ(second[0].integer(), 0);
  EXPECT_EQ(second[3].integer(), 0) << "the wait is the bucket's";
  EXPECT_LE(second[1].integer(), 20000) << "the others look again soon";
  // The answer: hash "msg", 2 per 5 s.
  EXPECT_EQ(settle("a:1", first[2].string(), route, "channel:5", "msg", "2", "5000000"),
            "h:msg:channel:5");
  // Another process that has not learned the hash finds it in Redis, and the bucket's count.
  const auto third = acquire("b:1", route, "channel:5", "", 50);
  ASSERT_EQ(third[0].integer(), 1);
  EXPECT_EQ(third[2].string(), "h:msg:channel:5");
  const auto fourth = acquire("c:1", route, "channel:5", "", 50);
  EXPECT_EQ(fourth[0].integer(), 0);
  EXPECT_GT(fourth[1].integer(), 4900000);  // the first send's slot: a whole period
  EXPECT_EQ(fourth[3].integer(), 0);
}

TEST_F(Scripts, AnAnswerDatesTheSlotWhenTheServerCountedIt) {
  // Admitted with a provisional hold of 2 s: until its answer, its slot is dated 2 s ahead.
  const auto r = acquire("a:1", "GET /channels/{channel_id}", "channel:1", "h", 1, "2000000");
  ASSERT_EQ(r[0].integer(), 1);
  auto blocked = acquire("a:2", "GET /channels/{channel_id}", "channel:2", "h", 1, "2000000");
  EXPECT_EQ(blocked[0].integer(), 0);
  // Behind a slot its answer has not dated: it frees no earlier than a window after it was
  // taken.
  EXPECT_GT(blocked[1].integer(), 900000);
  EXPECT_LE(blocked[1].integer(), 1010000);
  // Its answer says the server counted it 0.5 s ago: free 0.51 s from now.
  settle("a:1", r[2].string(), "GET /channels/{channel_id}", "channel:1", "h", "5", "1000000", "",
         "0", "200", "500000");
  blocked = acquire("a:2", "GET /channels/{channel_id}", "channel:2", "h", 1, "2000000");
  EXPECT_EQ(blocked[0].integer(), 0);
  EXPECT_GT(blocked[1].integer(), 400000);
  EXPECT_LE(blocked[1].integer(), 520000);
}

TEST_F(Scripts, A429PausesTheGlobalWindowOrTheBucket) {
  const std::string route = "GET /channels/{channel_id}";
  auto r = acquire("a:1", route, "channel:1", "h", 50);
  settle("a:1", r[2].string(), route, "channel:1", "h", "5", "1000000", "global", "300", "429");
  r = acquire("a:2", route, "channel:2", "h", 50);
  EXPECT_EQ(r[0].integer(), 0);
  EXPECT_EQ(r[3].integer(), 1);
  EXPECT_GT(r[1].integer(), 250000);
  call(*client_, {"DEL", kPrefix + "gpause"});
  r = acquire("a:3", route, "channel:3", "h", 50);
  settle("a:3", r[2].string(), route, "channel:3", "h", "5", "1000000", "user", "400", "429");
  r = acquire("a:4", route, "channel:3", "h", 50);
  EXPECT_EQ(r[0].integer(), 0);
  EXPECT_EQ(r[3].integer(), 0);
  EXPECT_GT(r[1].integer(), 350000);
  EXPECT_EQ(acquire("a:5", route, "channel:4", "h", 50)[0].integer(), 1) << "other buckets go";
}

TEST_F(Scripts, EveryKeyExpiresAndNoneNamesTheToken) {
  const std::string route = "POST /channels/{channel_id}/messages";
  auto r = acquire("a:1", route, "channel:5", "", 50);
  settle("a:1", r[2].string(), route, "channel:5", "msg", "5", "5000000");
  r = acquire("a:2", route, "channel:5", "", 50, "1000");
  ASSERT_FALSE(eval(*client_, beat_, {}, {kPrefix, "proc-1", "5000000"}).error);
  ASSERT_FALSE(eval(*client_, import_, {}, {kPrefix, kWindowUs, "x:1", "1000"}).error);
  const auto keys = call(*client_, {"KEYS", "*"}).reply.array();
  ASSERT_GE(keys.size(), 5u);
  for (const auto& k : keys) {
    EXPECT_TRUE(k.string().starts_with(kPrefix)) << k.string();
    EXPECT_EQ(k.string().find("secret-token"), std::string::npos) << k.string();
    EXPECT_GT(integer({"PTTL", k.string()}), 0) << k.string() << " never expires";
  }
}

TEST_F(Scripts, ImportedSendsCountAndHeartbeatsCountProcesses) {
  // Two sends made while Redis was away, 0.1 s and 2 s ago: only the first is in the window.
  ASSERT_FALSE(
      eval(*client_, import_, {}, {kPrefix, kWindowUs, "l:1", "100000", "l:2", "2000000"}).error);
  auto r = acquire("a:1", "GET /channels/{channel_id}", "channel:1", "h", 2);
  EXPECT_EQ(r[0].integer(), 1);
  r = acquire("a:2", "GET /channels/{channel_id}", "channel:2", "h", 2);
  EXPECT_EQ(r[0].integer(), 0) << "the imported send holds one of the two slots";
  EXPECT_EQ(eval(*client_, beat_, {}, {kPrefix, "p1", "5000000"}).reply.integer(), 1);
  EXPECT_EQ(eval(*client_, beat_, {}, {kPrefix, "p2", "5000000"}).reply.integer(), 2);
  EXPECT_EQ(eval(*client_, beat_, {}, {kPrefix, "p1", "5000000"}).reply.integer(), 2);
}

TEST_F(Scripts, ABatchIsDecidedInOrderInOneCall) {
  // Four requests, a global limit of 3: the first three go, the fourth waits for the window.
  std::vector<std::string> args{kPrefix, "3", kWindowUs, kMarginUs, "0", "5000"};
  for (int i = 0; i < 4; ++i) {
    args.insert(args.end(), {"m:" + std::to_string(i), "GET /channels/{channel_id}",
                             "channel:" + std::to_string(i), "h", "1"});
  }
  const auto r = eval(*client_, acquire_, {}, args).reply.array();
  ASSERT_EQ(r.size(), 16u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r[4 * i].integer(), 1) << i;
  EXPECT_EQ(r[12].integer(), 0);
  EXPECT_EQ(r[15].integer(), 1);
  EXPECT_EQ(integer({"ZCARD", kPrefix + "global"}), 3);
}

TEST(KeyPrefix, IsAKeyedHashNotTheToken) {
  const auto a = key_prefix_for("cadence", "token-a");
  EXPECT_EQ(a.size(), std::string("cadence:{0123456789abcdef}:").size());
  EXPECT_EQ(a.find("token-a"), std::string::npos);
  EXPECT_NE(a, key_prefix_for("cadence", "token-b"));
  EXPECT_NE(a, key_prefix_for("other", "token-a"));  // the namespace keys the hash
  EXPECT_EQ(a, key_prefix_for("cadence", "token-a"));
}

}  // namespace
}  // namespace cadence::shared_limits
