#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/redis_harness.hpp"
#include "support/expect_error.hpp"
#include "support/fault_server.hpp"

namespace cadence::redis {
namespace {

using test::FaultServer;
using test::FaultStep;
using test::RedisServer;

class RedisTimeout : public ::testing::Test, public test::RedisHarness {};

TEST_F(RedisTimeout, SilentServerTimesOutCommandsAndIsReopened) {
  FaultServer server({FaultStep::hang()});  // accepts, never answers
  Options options;
  options.port = server.port();
  options.command_timeout = std::chrono::milliseconds(150);
  options.reconnect_min = std::chrono::milliseconds(10);
  Client client(io.get_executor(), options);
  std::vector<bool> states;
  client.on_state([&](bool up) { states.push_back(up); });
  ASSERT_TRUE(start(client));

  std::exception_ptr first;
  std::exception_ptr second;
  int calls = 0;
  client.async_command({"GET", "a"}, [&](std::exception_ptr e, Reply) {
    ++calls;
    first = e;
  });
  // Issued later, so not yet due when the first one times out.
  ASSERT_FALSE(run_until([] { return false; }, std::chrono::milliseconds(60)));
  client.async_command({"GET", "b"}, [&](std::exception_ptr e, Reply) {
    ++calls;
    second = e;
  });
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return calls == 2; }, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  const auto* timeout = test::expect_error<TimeoutError>(first, "no reply within 150 ms");
  if (timeout != nullptr) {
    EXPECT_EQ(timeout->after(), std::chrono::milliseconds(150));
  }
  test::expect_error<ConnectionError>(second, "earlier command timed out");
  // Closed and reopened.
  ASSERT_TRUE(run_until([&] { return server.connections_accepted() >= 2 && client.connected(); }));
  EXPECT_EQ(states, (std::vector<bool>{true, false, true}));
}

TEST_F(RedisTimeout, HandshakeWithoutAnswerIsAConnectTimeout) {
  FaultServer server({FaultStep::hang()});
  Options options;
  options.port = server.port();
  options.password = "pw-that-is-never-checked";
  options.connect_timeout = std::chrono::milliseconds(100);
  options.reconnect_min = std::chrono::milliseconds(10);
  options.reconnect_max = std::chrono::milliseconds(20);
  Client client(io.get_executor(), options);
  client.start();
  std::string message;
  ASSERT_TRUE(run_until([&] {
    message = test::what(call(client, {"PING"}).error);
    return message.find("connecting took more than 100 ms") != std::string::npos;
  }));
  EXPECT_EQ(message.find("pw-that-is-never-checked"), std::string::npos);
  EXPECT_FALSE(client.connected());
}

TEST_F(RedisTimeout, LateReplyIsNeverMatchedToTheNextCommand) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  auto options = options_for(server);
  options.command_timeout = std::chrono::milliseconds(200);
  options.reconnect_min = std::chrono::milliseconds(10);
  Client client(io.get_executor(), options);
  ASSERT_TRUE(start(client));
  ASSERT_FALSE(call(client, {"SET", "k", "value"}).error);
  // BLPOP answers (nil) after 1 s, long after its timeout; had the connection stayed open, that
  // nil would have been taken for GET's answer.
  test::expect_error<TimeoutError>(call(client, {"BLPOP", "never", "1"}).error);
  ASSERT_TRUE(run_until([&] { return client.connected(); }));
  EXPECT_EQ(call(client, {"GET", "k"}).reply, Reply::make_string("value"));
  EXPECT_EQ(client.stats().connects, 2U);
}

}  // namespace
}  // namespace cadence::redis
