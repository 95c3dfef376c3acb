// `cadence discord batch` writes each answer as it completes, flushed per line: a reader of the
// pipe sees the first answer while a later request still waits for its window, so a batch that
// is killed midway has printed every answer it got.
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "cadence/sim/discord_server.hpp"
#include "support/cli_process.hpp"

namespace cadence {
namespace {

using namespace std::chrono_literals;

// One message per channel per 3 s: the second send waits about 3 s for its window.
constexpr const char* slow_routes = R"({"routes": [
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "m1", "limit": 1,
   "window": 3, "major": "channel_id", "body": "message"}]})";

TEST(DiscordBatchStream, EachAnswerIsWrittenAsItCompletes) {
  boost::asio::io_context io;
  sim::DiscordServerOptions options;
  options.routes = sim::RouteTable::parse(slow_routes);
  sim::DiscordServer server(io, std::move(options));
  std::thread runner([&] { io.run(); });

  const auto input = std::filesystem::temp_directory_path() /
                     ("cadence_batch_stream_" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(input);
    for (int i = 0; i < 2; ++i)
      out << R"({"method":"POST","route":"/channels/1/messages","body":{"content":"m)" << i
          << "\"}}\n";
  }
  test::CliProcess batch({"discord", "batch", "--base-url", server.base_url()},
                         {"DISCORD_TOKEN=sim-token"}, input.string());
  const auto started = std::chrono::steady_clock::now();
  // The first answer comes at once; the second only after the 3 s window. Held to the end, the
  // first line would arrive after 3 s too.
  const auto first = batch.read_line(2s);
  const auto first_after = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(first.has_value()) << "no answer within 2 s: output is held back; "
                                 << batch.read_stderr();
  EXPECT_LT(first_after, 2s);
  EXPECT_EQ(boost::json::parse(*first).at("status"), 200);
  EXPECT_TRUE(batch.running()) << "the second request should still be waiting";

  const auto second = batch.read_line(10s);
  ASSERT_TRUE(second.has_value()) << batch.read_stderr();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(boost::json::parse(*second).at("status"), 200);
  EXPECT_EQ(batch.wait(10s), std::optional<int>(0));

  std::filesystem::remove(input);
  server.stop();
  runner.join();
}

}  // namespace
}  // namespace cadence
