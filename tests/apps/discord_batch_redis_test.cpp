// Four `cadence discord batch` processes on one token, sharing its limits through a real
// redis-server (--redis), split a global-bound workload against the Discord simulator: every
// request succeeds, no 429 of any scope, and together they finish close to the bound of one
// process with the whole workload.
#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cadence/sim/discord_server.hpp"
#include "support/cli_process.hpp"
#include "support/cli_runner.hpp"
#include "support/redis_server.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

/// The summary line a batch writes on stderr.
json::object summary_of(test::CliProcess& p) {
  const auto last = test::last_line_starting_with(p.read_stderr(), "{");
  if (last.empty()) return {};
  return json::parse(last).as_object();
}

TEST(DiscordBatchRedis, FourProcessesShareOneGlobalLimitWithNo429) {
  if (!test::RedisServer::binary()) GTEST_SKIP() << test::RedisServer::missing_message;
  test::RedisServer redis;
  boost::asio::io_context io;
  sim::DiscordServer server(io, sim::DiscordServerOptions{});
  std::thread runner([&] { io.run(); });

  constexpr int kProcesses = 4;
  constexpr int kPerProcess = 50;  // 200 GETs on distinct channels: 4 s at 50/s
  std::vector<std::filesystem::path> inputs;
  for (int p = 0; p < kProcesses; ++p) {
    inputs.push_back(
        std::filesystem::temp_directory_path() /
        ("cadence_batch_redis_" + std::to_string(::getpid()) + "_" + std::to_string(p) + ".jsonl"));
    std::ofstream out(inputs.back());
    for (int i = 0; i < kPerProcess; ++i) {
      out << R"({"method":"GET","route":"/channels/)" << 10000 * (p + 1) + i << "\"}\n";
    }
  }
  const auto url = "redis://127.0.0.1:" + std::to_string(redis.port());
  std::vector<std::unique_ptr<test::CliProcess>> batches;
  const auto start = std::chrono::steady_clock::now();
  for (int p = 0; p < kProcesses; ++p) {
    batches.push_back(std::make_unique<test::CliProcess>(
        std::vector<std::string>{"discord", "batch", "--base-url", server.base_url(), "--redis",
                                 url},
        std::vector<std::string>{"DISCORD_TOKEN=sim-token"}, inputs[p].string()));
  }
  int ok = 0;
  double longest = 0;
  for (auto& b : batches) {
    while (const auto line = b->read_line(30s)) {
      if (!json::parse(*line).as_object().contains("error")) ++ok;
    }
    const auto code = b->wait(30s);
    ASSERT_TRUE(code.has_value()) << "a batch did not end";
    EXPECT_EQ(*code, 0) << b->read_stderr();
    const auto summary = summary_of(*b);
    ASSERT_FALSE(summary.empty()) << "no summary line";
    EXPECT_EQ(summary.at("rate_limited_429").to_number<int>(), 0);
    longest = std::max(longest, summary.at("elapsed_s").to_number<double>());
  }
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ok, kProcesses * kPerProcess);
  const auto stats = server.stats();
  EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(kProcesses * kPerProcess));
  EXPECT_EQ(stats.rate_limited_global + stats.rate_limited_user + stats.rate_limited_shared, 0u);
  // The last of 4 windows opens 3 s after the first.
  const double bound = 3.0;
  std::cout << "4 batch processes over Redis: longest " << longest << " s, wall " << wall.count()
            << " s, bound " << bound << " s\n";
  // A window lost to sharing would cost a whole second; CI's load (other tests run alongside)
  // has added 0.35 s of start-up and scheduling, so the check allows less than one window.
  EXPECT_LE(longest, bound + 0.75);
  EXPECT_GE(longest, bound * 0.95);  // shared: no process could have gone alone at 50/s

  for (const auto& input : inputs) std::filesystem::remove(input);
  server.stop();
  runner.join();
}

}  // namespace
}  // namespace cadence
