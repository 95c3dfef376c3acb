#include <gtest/gtest.h>

#include <string>

#include "redis/redis_harness.hpp"

namespace cadence::redis {
namespace {

using test::RedisServer;

class RedisEval : public ::testing::Test, public test::RedisHarness {};

TEST_F(RedisEval, LoadsTheScriptOnNoscriptAndAgainAfterFlush) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  const Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");

  const auto first_commands = client.stats().commands;
  auto r = eval(client, script, {"hits"}, {"2"});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.reply.integer(), 2);
  // EVALSHA (NOSCRIPT), SCRIPT LOAD, EVALSHA.
  EXPECT_EQ(client.stats().commands - first_commands, 3U);

  const auto loaded_commands = client.stats().commands;
  r = eval(client, script, {"hits"}, {"3"});
  EXPECT_EQ(r.reply.integer(), 5);
  EXPECT_EQ(client.stats().commands - loaded_commands, 1U);  // already loaded: EVALSHA only

  ASSERT_EQ(call(client, {"SCRIPT", "FLUSH"}).reply, Reply::make_status("OK"));
  r = eval(client, script, {"hits"}, {"10"});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.reply.integer(), 15);
  EXPECT_EQ(call(client, {"SCRIPT", "EXISTS", script.sha1()}).reply,
            Reply::make_array({Reply::make_integer(1)}));
}

TEST_F(RedisEval, ManyEvalsPipelinedAfterAFlushAllSucceed) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  const Script script("return redis.call('INCR', KEYS[1])");
  // All 50 go out before the first NOSCRIPT comes back: each reloads once and runs once.
  std::vector<std::int64_t> got;
  int errors = 0;
  for (int i = 0; i < 50; ++i) {
    client.async_eval(script, {"k"}, {}, [&](std::exception_ptr e, Reply r) {
      if (e || r.type() != Reply::Type::integer) {
        ++errors;
      } else {
        got.push_back(r.integer());
      }
    });
  }
  ASSERT_TRUE(run_until([&] { return got.size() + errors == 50; }));
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(call(client, {"GET", "k"}).reply, Reply::make_string("50"));
}

TEST_F(RedisEval, ScriptErrorsAreErrorReplies) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  // Does not compile: SCRIPT LOAD's error comes back, not a second NOSCRIPT.
  auto r = eval(client, Script("return (("), {}, {});
  ASSERT_FALSE(r.error);
  ASSERT_TRUE(r.reply.is_error());
  EXPECT_EQ(r.reply.string().find("NOSCRIPT"), std::string::npos) << r.reply.string();
  EXPECT_NE(r.reply.string().find("compiling"), std::string::npos) << r.reply.string();
  // Runs and fails.
  r = eval(client, Script("return redis.error_reply('MYERR failure')"), {}, {});
  EXPECT_EQ(r.reply, Reply::make_error("MYERR failure"));
  EXPECT_THROW(r.reply.throw_if_error(), ServerError);
}

}  // namespace
}  // namespace cadence::redis
