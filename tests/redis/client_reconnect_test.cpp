#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/redis_harness.hpp"
#include "support/expect_error.hpp"

namespace cadence::redis {
namespace {

using test::RedisServer;

class RedisReconnect : public ::testing::Test, public test::RedisHarness {};

TEST_F(RedisReconnect, ServerKilledAndRestarted) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  auto options = options_for(server);
  options.reconnect_min = std::chrono::milliseconds(20);
  options.reconnect_max = std::chrono::milliseconds(200);
  Client client(io.get_executor(), options);
  std::vector<bool> states;
  client.on_state([&](bool up) { states.push_back(up); });
  ASSERT_TRUE(start(client));
  ASSERT_EQ(call(client, {"SET", "before", "1"}).reply, Reply::make_status("OK"));

  // Pending when the server dies: a blocked command and a few behind it.
  std::vector<std::exception_ptr> errors;
  int calls = 0;
  for (int i = 0; i < 4; ++i) {
    client.async_command({"BLPOP", "never", "10"}, [&](std::exception_ptr e, Reply) {
      ++calls;
      errors.push_back(e);
    });
  }
  // One round trip after them proves they reached the server (replies come in order, and a
  // blocked BLPOP holds back nothing on another connection).
  Client probe(io.get_executor(), options);
  ASSERT_TRUE(start(probe));
  ASSERT_TRUE(run_until([&] {
    const auto r = call(probe, {"INFO", "clients"});
    return r.reply.type() == Reply::Type::string &&
           r.reply.string().find("blocked_clients:1") != std::string::npos;
  }));

  server.kill();
  ASSERT_TRUE(run_until([&] { return calls == 4; }));
  for (const auto& e : errors) test::expect_error<ConnectionError>(e, "may or may not have run");
  EXPECT_FALSE(client.connected());
  test::expect_error<ConnectionError>(call(client, {"PING"}).error, "not connected");

  server.restart();
  ASSERT_TRUE(run_until([&] { return client.connected(); }));
  EXPECT_EQ(call(client, {"PING"}).reply, Reply::make_status("PONG"));
  EXPECT_EQ(states, (std::vector<bool>{true, false, true}));
  const auto stats = client.stats();
  EXPECT_EQ(stats.connects, 2U);
  EXPECT_EQ(stats.disconnects, 1U);
  EXPECT_EQ(calls, 4);  // nothing completed twice
}

TEST_F(RedisReconnect, KeepsTryingWithBackoffUntilTheServerComes) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  auto options = options_for(server);
  options.reconnect_min = std::chrono::milliseconds(10);
  options.reconnect_max = std::chrono::milliseconds(40);
  server.kill();
  Client client(io.get_executor(), options);
  client.start();
  // Several refused attempts pass (the message carries the last one's reason) ...
  ASSERT_TRUE(run_until([&] {
    return test::what(call(client, {"PING"}).error).find("cannot connect") != std::string::npos;
  }));
  EXPECT_EQ(client.stats().connects, 0U);
  // ... and the first one after the server is back succeeds.
  server.restart();
  ASSERT_TRUE(run_until([&] { return client.connected(); }));
  EXPECT_EQ(call(client, {"PING"}).reply, Reply::make_status("PONG"));
}

}  // namespace
}  // namespace cadence::redis
