#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <string>
#include <thread>

#include "redis/redis_harness.hpp"
#include "support/expect_error.hpp"

namespace cadence::redis {
namespace {

using test::RedisHarness;
using test::RedisServer;

class RedisClient : public ::testing::Test, public RedisHarness {};

TEST_F(RedisClient, RepliesOfEveryType) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));

  auto r = call(client, {"SET", "k", std::string("v\0\r\nx", 5)});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.reply, Reply::make_status("OK"));
  r = call(client, {"GET", "k"});
  EXPECT_EQ(r.reply, Reply::make_string(std::string("v\0\r\nx", 5)));
  r = call(client, {"GET", "absent"});
  EXPECT_TRUE(r.reply.is_nil());
  r = call(client, {"INCRBY", "n", "-5"});
  EXPECT_EQ(r.reply.integer(), -5);
  r = call(client, {"RPUSH", "l", "a", "b"});
  r = call(client, {"LRANGE", "l", "0", "-1"});
  EXPECT_EQ(r.reply, Reply::make_array({Reply::make_string("a"), Reply::make_string("b")}));
  r = call(client, {"EVAL", "return {1, {'x', false}, redis.error_reply('MYERR E1')}", "0"});
  EXPECT_EQ(r.reply, Reply::make_array({Reply::make_integer(1),
                                        Reply::make_array({Reply::make_string("x"), Reply()}),
                                        Reply::make_error("MYERR E1")}));
  // An error reply is a reply, not an exception; the connection goes on.
  r = call(client, {"NOSUCHCOMMAND"});
  EXPECT_FALSE(r.error);
  ASSERT_TRUE(r.reply.is_error());
  EXPECT_NE(r.reply.string().find("unknown command"), std::string::npos);
  EXPECT_EQ(call(client, {"PING"}).reply, Reply::make_status("PONG"));
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisClient, ThousandPipelinedCommandsAnswerInOrder) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  const auto before = client.stats();
  constexpr int n = 1000;
  std::vector<std::int64_t> got;
  int errors = 0;
  for (int i = 0; i < n; ++i) {
    // INCR of one key: the i-th reply must be i + 1, so any reordering shows.
    client.async_command({"INCR", "counter"}, [&](std::exception_ptr e, Reply r) {
      if (e || r.type() != Reply::Type::integer) {
        ++errors;
      } else {
        got.push_back(r.integer());
      }
    });
  }
  ASSERT_TRUE(run_until([&] { return got.size() + errors == n; }));
  EXPECT_EQ(errors, 0);
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], i + 1) << "at " << i;
  const auto after = client.stats();
  EXPECT_EQ(after.commands - before.commands, n);
  EXPECT_EQ(after.replies - before.replies, n);
  EXPECT_EQ(after.connects, 1U);
}

TEST_F(RedisClient, CommandsFromSeveralThreadsEachCompleteOnce) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  std::atomic<int> done{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  std::thread runner([&] {
    auto guard = boost::asio::make_work_guard(io);
    while (done.load() < 400) io.run_one_for(std::chrono::milliseconds(50));
  });
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        client.async_command({"INCR", "t" + std::to_string(t)},
                             [&, i](std::exception_ptr e, Reply r) {
                               if (e || r.integer() != i + 1) ++bad;
                               ++done;
                             });
      }
    });
  }
  for (auto& th : threads) th.join();
  runner.join();
  EXPECT_EQ(done.load(), 400);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(RedisClient, NotConnectedFailsAtOnceWithConnectionError) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  auto r = call(client, {"PING"});  // start() not called
  test::expect_error<ConnectionError>(r.error, "start()");
  // Nothing listens on this port: connecting fails, and commands fail at once with the reason.
  auto options = options_for(server);
  server.kill();
  Client refused(io.get_executor(), options);
  int states = 0;
  refused.on_state([&](bool) { ++states; });
  refused.start();
  // Until the first attempt has failed the message has no reason yet; then it says why.
  std::string message;
  run_until([&] {
    message = test::what(call(refused, {"PING"}).error);
    return message.find("last attempt") != std::string::npos;
  });
  EXPECT_NE(message.find("not connected (last attempt: cannot connect"), std::string::npos)
      << message;
  EXPECT_EQ(states, 0);
  EXPECT_FALSE(refused.connected());
}

TEST_F(RedisClient, EmptyCommandIsInvalidArgument) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  test::expect_error<std::invalid_argument>(call(client, {}).error, "command");
}

TEST_F(RedisClient, CloseFailsPendingCommandsOnceAndLaterOnesAtOnce) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  std::vector<bool> states;
  client.on_state([&](bool up) { states.push_back(up); });
  ASSERT_TRUE(start(client));
  // A blocking command keeps the connection busy, so the ones after it are surely pending.
  int aborted = 0;
  int calls = 0;
  for (int i = 0; i < 5; ++i) {
    client.async_command({"BLPOP", "never", "5"}, [&](std::exception_ptr e, Reply) {
      ++calls;
      try {
        if (e) std::rethrow_exception(e);
      } catch (const boost::system::system_error& se) {
        if (se.code() == boost::asio::error::operation_aborted) ++aborted;
      } catch (...) {
      }
    });
  }
  run_until([&] { return client.stats().commands >= 5; });
  client.close();
  ASSERT_TRUE(run_until([&] { return calls == 5; }, std::chrono::seconds(2)));
  EXPECT_EQ(aborted, 5);
  EXPECT_FALSE(client.connected());
  EXPECT_EQ(states, (std::vector<bool>{true, false}));
  test::expect_error<ConnectionError>(call(client, {"PING"}).error, "closed");
  run_until([] { return false; }, std::chrono::milliseconds(50));
  EXPECT_EQ(calls, 5);
}

TEST_F(RedisClient, DestructorAbortsPendingCommands) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  int calls = 0;
  std::exception_ptr error;
  bool destroyed = false;
  {
    Client client(io.get_executor(), options_for(server));
    client.on_state([&](bool) {
      if (destroyed) ADD_FAILURE() << "on_state after destruction";
    });
    client.start();
    run_until([&] { return client.connected(); });
    client.async_command({"BLPOP", "never", "5"}, [&](std::exception_ptr e, Reply) {
      ++calls;
      error = e;
    });
    run_until([&] { return client.stats().commands > 0; });
    destroyed = true;
  }
  ASSERT_TRUE(run_until([&] { return calls > 0; }, std::chrono::seconds(2)));
  EXPECT_EQ(calls, 1);
  test::expect_error<boost::system::system_error>(error);
}

TEST_F(RedisClient, AwaitableAndFutureTokens) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  Client client(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(client));
  std::optional<Reply> got;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        std::vector<std::string> args{"ECHO", "hi"};
        got = co_await client.async_command(std::move(args), boost::asio::use_awaitable);
      },
      boost::asio::detached);
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  EXPECT_EQ(*got, Reply::make_string("hi"));

  auto future = client.async_command({"ECHO", "f"}, boost::asio::use_future);
  ASSERT_TRUE(run_until(
      [&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
  EXPECT_EQ(future.get(), Reply::make_string("f"));
}

TEST_F(RedisClient, SelectsTheDatabase) {
  CADENCE_REQUIRE_REDIS();
  RedisServer server;
  auto options = options_for(server);
  options.db = 5;
  Client five(io.get_executor(), options);
  Client zero(io.get_executor(), options_for(server));
  ASSERT_TRUE(start(five));
  ASSERT_TRUE(start(zero));
  EXPECT_FALSE(call(five, {"SET", "where", "five"}).error);
  EXPECT_TRUE(call(zero, {"GET", "where"}).reply.is_nil());
  EXPECT_EQ(call(five, {"GET", "where"}).reply, Reply::make_string("five"));
  options.db = 100000;  // more than the server has
  Client bad(io.get_executor(), options);
  bad.start();
  std::string message;
  run_until([&] {
    message = test::what(call(bad, {"PING"}).error);
    return message.find("SELECT refused") != std::string::npos;
  });
  EXPECT_NE(message.find("SELECT refused"), std::string::npos) << message;
  EXPECT_FALSE(bad.connected());
}

}  // namespace
}  // namespace cadence::redis
