// What the redis tests share: an io_context driven from the test thread until a condition holds
// (bounded), a client for a RedisServer, and one-call helpers that also count completions.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cadence/redis/client.hpp"
#include "support/redis_server.hpp"

namespace cadence::redis {
/// Readable replies in test failures.
inline void PrintTo(const Reply& r, std::ostream* os) {
  switch (r.type()) {
    case Reply::Type::nil:
      *os << "nil";
      return;
    case Reply::Type::integer:
      *os << r.integer();
      return;
    case Reply::Type::array:
      *os << "[";
      for (const auto& e : r.array()) {
        PrintTo(e, os);
        *os << ", ";
      }
      *os << "]";
      return;
    default:
      *os << to_string(r.type()) << " \"" << r.string() << "\"";
  }
}
}  // namespace cadence::redis

namespace cadence::test {

/// Skips the test (with a clear message) when redis-server is not installed.
#define CADENCE_REQUIRE_REDIS()                                      \
  do {                                                               \
    if (!::cadence::test::RedisServer::binary()) {                   \
      GTEST_SKIP() << ::cadence::test::RedisServer::missing_message; \
    }                                                                \
  } while (false)

struct CommandResult {
  std::exception_ptr error;
  redis::Reply reply;
};

class RedisHarness {
 public:
  /// Runs handlers until `done()` holds or `limit` passes; false on the limit.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      if (io.stopped()) io.restart();
      // A slice, not the whole rest: `done` may depend on another thread (a test server).
      const auto slice = std::min<std::chrono::steady_clock::duration>(
          deadline - now, std::chrono::milliseconds(20));
      if (io.run_one_for(slice) == 0 && io.stopped()) {
        // Out of work: nothing can change any more.
        return done();
      }
    }
    return true;
  }

  static redis::Options options_for(const RedisServer& server) {
    redis::Options o;
    o.port = server.port();
    return o;
  }

  /// Starts `client` and waits until it is connected.
  bool start(redis::Client& client) {
    client.start();
    return run_until([&] { return client.connected(); });
  }

  /// One command, waited for; fails the test if it did not complete exactly once.
  CommandResult call(redis::Client& client, std::vector<std::string> args) {
    int calls = 0;
    CommandResult out;
    client.async_command(std::move(args), [&](std::exception_ptr e, redis::Reply r) {
      ++calls;
      out = {e, std::move(r)};
    });
    EXPECT_TRUE(run_until([&] { return calls > 0; })) << "the command did not complete";
    EXPECT_EQ(calls, 1);
    return out;
  }

  CommandResult eval(redis::Client& client, const redis::Script& script,
                     std::vector<std::string> keys, std::vector<std::string> args) {
    int calls = 0;
    CommandResult out;
    client.async_eval(script, std::move(keys), std::move(args),
                      [&](std::exception_ptr e, redis::Reply r) {
                        ++calls;
                        out = {e, std::move(r)};
                      });
    EXPECT_TRUE(run_until([&] { return calls > 0; })) << "the eval did not complete";
    EXPECT_EQ(calls, 1);
    return out;
  }

  boost::asio::io_context io;
};

}  // namespace cadence::test
