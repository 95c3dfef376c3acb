// `cadence discord batch` against a simulator that answers 5% of requests with a fault (resets,
// 5xx, connections closed or cut short after processing): every request gets exactly one answer
// line, the summary line agrees with those lines, no message is created twice, and the faults
// really happened (or the test would prove nothing).
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "cadence/sim/discord_server.hpp"
#include "support/cli_process.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(DiscordBatchFaults, EveryRequestIsAnsweredOnceAndNoMessageIsCreatedTwice) {
  boost::asio::io_context io;
  sim::DiscordServerOptions options;
  options.random_fault_rate = 0.05;
  options.seed = 7;
  sim::DiscordServer server(io, std::move(options));
  std::thread runner([&] { io.run(); });

  constexpr int kRequests = 300;
  int creates = 0;
  const auto input = std::filesystem::temp_directory_path() /
                     ("cadence_batch_faults_" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(input);
    for (int i = 0; i < kRequests; ++i) {
      const auto channel = std::to_string(100 + i % 40);
      if (i % 2 == 0) {
        ++creates;
        out << R"({"method":"POST","route":"/channels/)" << channel
            << R"(/messages","body":{"content":"m)" << i << "\"}}\n";
      } else {
        out << R"({"method":"GET","route":"/channels/)" << channel << "\"}\n";
      }
    }
  }
  test::CliProcess batch({"discord", "batch", "--base-url", server.base_url()},
                         {"DISCORD_TOKEN=sim-token"}, input.string());
  std::set<std::uint64_t> indexes;
  std::set<std::string> message_ids;
  int ok_lines = 0;
  int error_lines = 0;
  while (const auto line = batch.read_line(60s)) {
    const auto answer = json::parse(*line).as_object();
    EXPECT_TRUE(indexes.insert(answer.at("index").to_number<std::uint64_t>()).second)
        << "two answers for one request: " << *line;
    if (answer.contains("error")) {
      ++error_lines;
      continue;
    }
    ++ok_lines;
    const auto& body = answer.at("body");
    if (body.is_object() && body.as_object().contains("content")) {
      EXPECT_TRUE(message_ids.insert(json::value_to<std::string>(body.at("id"))).second)
          << "one message id answered twice: " << *line;
    }
  }
  const auto exit_code = batch.wait(30s);
  ASSERT_TRUE(exit_code.has_value()) << "the batch did not end";
  EXPECT_TRUE(*exit_code == 0 || *exit_code == 1) << *exit_code;
  EXPECT_EQ(indexes.size(), static_cast<std::size_t>(kRequests)) << batch.read_stderr();

  const auto summary_line = test::last_line_starting_with(batch.read_stderr(), "{");
  ASSERT_FALSE(summary_line.empty()) << "no summary line";
  const auto summary = json::parse(summary_line).as_object();
  EXPECT_EQ(summary.at("requests").to_number<int>(), kRequests);
  EXPECT_EQ(summary.at("ok").to_number<int>(), ok_lines);
  EXPECT_EQ(summary.at("failed").to_number<int>(), error_lines);

  const auto stats = server.stats();
  std::cout << "batch with faults: " << ok_lines << " answered, " << error_lines << " failed, "
            << stats.faults << " faults, " << stats.messages_created << " messages created, "
            << stats.nonce_repeats << " retries answered from the nonce memory\n";
  EXPECT_GT(stats.faults, 0u) << "no fault happened: the case proves nothing";
  EXPECT_LE(stats.messages_created, static_cast<std::uint64_t>(creates));
  EXPECT_GE(stats.messages_created, message_ids.size());

  std::filesystem::remove(input);
  server.stop();
  runner.join();
}

}  // namespace
}  // namespace cadence
