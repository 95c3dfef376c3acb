// `cadence discord request|batch --deadline S`: the whole request is bounded, attempts and
// rate-limit waits alike; a wait known to end past the deadline fails at once; 0 or a negative
// value is a usage error.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "cadence/sim/discord_server.hpp"
#include "support/cli_runner.hpp"

namespace cadence {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using test::run_cadence;
using test::split_lines;

// One message per channel per 5 s: the second message on a channel must wait that long.
constexpr const char* slow_messages = R"({"routes": [
  {"method": "GET", "path": "/users/@me", "bucket": "u1", "limit": 50, "window": 1,
   "body": "user"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "m1", "limit": 1,
   "window": 5, "major": "channel_id", "body": "message"}]})";

class DiscordDeadline : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds latency) {
    sim::DiscordServerOptions options;
    options.routes = sim::RouteTable::parse(slow_messages);
    options.latency = latency;
    server_.emplace(io_, std::move(options));
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (runner_.joinable()) runner_.join();
  }

  test::CliResult discord(const std::string& args, const std::string& input = "") {
    return run_cadence("discord " + args + " --base-url " + server_->base_url(), input,
                       "DISCORD_TOKEN=sim-token");
  }

  boost::asio::io_context io_;
  std::optional<sim::DiscordServer> server_;
  std::thread runner_;
};

TEST_F(DiscordDeadline, RequestEndsAtTheDeadlineThoughTheAttemptTimeoutIsLonger) {
  start(3s);  // every answer comes after the deadline, well within --timeout (15 s)
  const auto started = std::chrono::steady_clock::now();
  const auto run = discord("request GET /users/@me --deadline 0.4");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_EQ(split_lines(run.err).size(), 1u) << run.err;
  EXPECT_LT(took, 2500ms) << "the deadline was not applied";
}

TEST_F(DiscordDeadline, RequestWithinItsDeadlineSucceeds) {
  start(0ms);
  const auto run = discord("request GET /users/@me --deadline 5");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(json::parse(run.out).at("username"), "cadence-sim");
}

TEST_F(DiscordDeadline, BatchFailsALineWhoseRateLimitWaitOutlastsItsDeadline) {
  start(0ms);
  const std::string line =
      R"({"method":"POST","route":"/channels/100000000000000001/messages","body":{"content":"x"}})"
      "\n";
  const auto started = std::chrono::steady_clock::now();
  // One at a time, so that the second line starts when the wait is known: it fails at once with
  // rate_limited (a line queued before that would wait until its deadline, then time out).
  const auto run = discord("batch --concurrency 1 --deadline 2", line + line);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  const auto lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 2u) << run.out;
  int ok = 0;
  int refused = 0;
  for (const auto& text : lines) {
    const auto answer = json::parse(text).as_object();
    if (answer.contains("body")) {
      ++ok;
    } else if (answer.at("error").at("type") == "rate_limited") {
      ++refused;
    }
  }
  EXPECT_EQ(ok, 1) << run.out;
  EXPECT_EQ(refused, 1) << run.out;
  // Without the deadline the second line would wait out the 5 s window and succeed.
  EXPECT_LT(took, 4s);
}

TEST_F(DiscordDeadline, ZeroOrNegativeIsAUsageError) {
  start(0ms);
  for (const std::string value : {"0", "-1", "soon"}) {
    SCOPED_TRACE(value);
    const auto run = discord("request GET /users/@me --deadline " + value);
    EXPECT_EQ(run.status, 2) << run.err;
    EXPECT_TRUE(run.out.empty());
  }
}

}  // namespace
}  // namespace cadence
