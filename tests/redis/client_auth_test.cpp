#include <gtest/gtest.h>

#include <string>

#include "redis/redis_harness.hpp"
#include "support/expect_error.hpp"

namespace cadence::redis {
namespace {

using test::RedisServer;

class RedisAuth : public ::testing::Test, public test::RedisHarness {};

constexpr const char* password = "correct-horse-battery-staple";

TEST_F(RedisAuth, RightPasswordConnects) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server({.password = password});
  auto options = options_for(server);
  options.password = password;
  Client client(io.get_executor(), options);
  ASSERT_TRUE(start(client));
  EXPECT_EQ(call(client, {"PING"}).reply, Reply::make_status("PONG"));
  // The ACL form names the default user.
  options.username = "default";
  Client named(io.get_executor(), options);
  ASSERT_TRUE(start(named));
  EXPECT_EQ(call(named, {"PING"}).reply, Reply::make_status("PONG"));
}

TEST_F(RedisAuth, WrongPasswordIsAConnectionErrorThatDoesNotShowIt) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server({.password = password});
  auto options = options_for(server);
  options.password = "wrong-secret-42";
  Client client(io.get_executor(), options);
  int ups = 0;
  client.on_state([&](bool up) { ups += up ? 1 : 0; });
  client.start();
  std::string message;
  ASSERT_TRUE(run_until([&] {
    const auto r = call(client, {"PING"});
    test::expect_error<ConnectionError>(r.error);
    message = test::what(r.error);
    return message.find("AUTH refused") != std::string::npos;
  }));
  EXPECT_EQ(message.find("wrong-secret-42"), std::string::npos) << message;
  EXPECT_EQ(message.find(password), std::string::npos) << message;
  EXPECT_NE(message.find("WRONGPASS"), std::string::npos) << message;
  EXPECT_EQ(ups, 0);
  EXPECT_FALSE(client.connected());
}

TEST_F(RedisAuth, NoPasswordAgainstRequirepassFailsOnFirstCommandOnly) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server({.password = password});
  // Without AUTH the connection comes up (Redis answers NOAUTH per command, not at connect).
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  const auto r = call(client, {"GET", "x"});
  ASSERT_TRUE(r.reply.is_error());
  EXPECT_NE(r.reply.string().find("NOAUTH"), std::string::npos);
}

}  // namespace
}  // namespace cadence::redis
