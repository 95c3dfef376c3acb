// `cadence discord request|batch` run as a user runs them, against the Discord simulator in
// this process: token handling, bodies, uploads, exit codes, and batch output and pacing.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cadence/sim/discord_server.hpp"
#include "support/cli_runner.hpp"
#include "support/test_server.hpp"

namespace cadence {
namespace {

namespace json = boost::json;
using test::run_cadence;
using test::shell_quote;
using test::split_lines;

const std::string channel = "100000000000000001";
const std::string other_channel = "100000000000000002";

// Fast windows, so that pacing shows within a test: two messages per channel per 200 ms.
constexpr const char* fast_routes = R"({"routes": [
  {"method": "GET", "path": "/users/@me", "bucket": "u1", "limit": 50, "window": 1,
   "body": "user"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "m1", "limit": 2,
   "window": 0.2, "major": "channel_id", "body": "message"},
  {"method": "DELETE", "path": "/channels/{channel_id}/messages/{message_id}", "bucket": "d1",
   "limit": 5, "window": 1, "major": "channel_id", "status": 204}]})";

class DiscordCliTest : public ::testing::Test {
 protected:
  void start(std::optional<sim::RouteTable> routes = std::nullopt) {
    sim::DiscordServerOptions options;
    options.routes = std::move(routes);
    server_.emplace(io_, std::move(options));
    runner_ = std::thread([this] { io_.run(); });
    base_ = server_->base_url();
  }
  void SetUp() override { start(); }
  void TearDown() override {
    server_->stop();
    runner_.join();
  }
  void restart_with(const char* routes) {
    TearDown();
    io_.restart();
    start(sim::RouteTable::parse(routes));
  }

  // `cadence discord <args> --base-url <sim>` with the simulator's token in the environment.
  test::CliResult discord(const std::string& args, const std::string& input = "",
                          const std::string& env = "DISCORD_TOKEN=sim-token") {
    return run_cadence("discord " + args + " --base-url " + base_, input, env);
  }

  boost::asio::io_context io_;
  std::optional<sim::DiscordServer> server_;
  std::thread runner_;
  std::string base_;
};

// A 2xx whose JSON is cut off was once printed as a string with exit 0.
TEST_F(DiscordCliTest, RequestFailsOnAJsonAnswerThatDoesNotParse) {
  test::TestServer broken(
      [](const test::ReceivedRequest&) { return test::Reply::json(R"({"id": "1", "a": [1,)"); });
  const auto r = run_cadence("discord request GET /channels/1 --base-url " + broken.url("/api"), "",
                             "DISCORD_TOKEN=sim-token");
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("not valid application/json"), std::string::npos) << r.err;
  const auto batch = run_cadence("discord batch --base-url " + broken.url("/api"),
                                 R"({"method":"GET","route":"/channels/1"})"
                                 "\n",
                                 "DISCORD_TOKEN=sim-token");
  EXPECT_EQ(batch.status, 1) << batch.out << batch.err;
  const auto line = json::parse(split_lines(batch.out).at(0)).as_object();
  EXPECT_EQ(line.at("error").at("type"), "format");
}

TEST_F(DiscordCliTest, RequestPrintsTheAnswerAsOneLineOfJson) {
  const auto run = discord("request GET /users/@me");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 1u);
  const auto user = json::parse(lines[0]);
  EXPECT_TRUE(user.as_object().contains("id"));
  EXPECT_EQ(server_->stats().requests, 1u);
}

TEST_F(DiscordCliTest, PrettyIndents) {
  const auto run = discord("request GET /users/@me --pretty");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_GT(split_lines(run.out).size(), 2u);
  EXPECT_NE(run.out.find("\n  \"id\": "), std::string::npos) << run.out;
  EXPECT_NO_THROW((void)json::parse(run.out));
}

TEST_F(DiscordCliTest, PostsJsonAndCreatesOneMessage) {
  const auto run =
      discord("request post /channels/" + channel + "/messages --json '{\"content\":\"hi\"}'");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto message = json::parse(run.out);
  EXPECT_EQ(message.at("content").as_string(), "hi");
  EXPECT_EQ(message.at("channel_id").as_string(), channel);
  EXPECT_EQ(server_->stats().messages_created, 1u);
}

TEST_F(DiscordCliTest, UploadsFilesAsMultipart) {
  const auto file = std::filesystem::temp_directory_path() / "cadence_cli_upload.txt";
  std::ofstream(file) << "twelve bytes";
  const auto run = discord("request POST /channels/" + channel +
                           "/messages --json '{\"content\":\"see file\"}' --file " + file.string());
  std::filesystem::remove(file);
  ASSERT_EQ(run.status, 0) << run.err;
  const auto message = json::parse(run.out);
  EXPECT_EQ(message.at("content").as_string(), "see file");
  const auto& attachments = message.at("attachments").as_array();
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].at("filename").as_string(), "cadence_cli_upload.txt");
  EXPECT_EQ(attachments[0].at("size").to_number<int>(), 12);
}

TEST_F(DiscordCliTest, NoContentPrintsNothing) {
  restart_with(fast_routes);
  const auto run = discord("request DELETE /channels/" + channel + "/messages/" + other_channel);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(DiscordCliTest, TokenFromFileAndBaseUrlFromEnvironment) {
  const auto file = std::filesystem::temp_directory_path() / "cadence_cli_token";
  std::ofstream(file) << "sim-token\n";
  const auto run = run_cadence("discord request GET /users/@me --token-file " + file.string(), "",
                               "DISCORD_API_BASE=" + base_);
  std::filesystem::remove(file);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(server_->stats().requests, 1u);
}

TEST_F(DiscordCliTest, MissingTokenIsAUsageError) {
  const auto run = discord("request GET /users/@me", "", "DISCORD_TOKEN=");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(split_lines(run.err).size(), 1u) << run.err;
  EXPECT_NE(run.err.find("DISCORD_TOKEN"), std::string::npos);
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(DiscordCliTest, WrongTokenFailsWithOneLineAndNoSecret) {
  const auto run = discord("request GET /users/@me", "", "DISCORD_TOKEN=very-secret-token");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(split_lines(run.err).size(), 1u) << run.err;
  EXPECT_NE(run.err.find("401"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("very-secret"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(DiscordCliTest, BadInputIsAUsageErrorBeforeAnyRequest) {
  for (const std::string& args : std::vector<std::string>{
           "request FETCH /users/@me", "request POST /channels/1/messages --json '{bad'",
           "request GET /channels/../users/@me", "request GET /channels/abc",
           "request GET /users/@me --query nokey",
           "request GET /users/@me --reason " + shell_quote(std::string(600, 'r'))}) {
    const auto run = discord(args);
    EXPECT_EQ(run.status, 2) << args << ": " << run.err;
    EXPECT_EQ(split_lines(run.err).size(), 1u) << args << ": " << run.err;
  }
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(DiscordCliTest, BatchAnswersEveryLineOnceAndSummarises) {
  std::string input;
  for (int i = 0; i < 10; ++i) {
    input += R"({"method":"POST","route":"/channels/)" + (i % 2 ? channel : other_channel) +
             R"(/messages","body":{"content":"m)" + std::to_string(i) + "\"}}\n";
  }
  input += R"({"method":"GET","route":"/users/@me","query":{"with_counts":true}})"
           "\n";
  input += "not json\n";
  input += "\n";  // blank lines are skipped, not counted
  input += R"({"method":"GET","route":"/channels/not-a-snowflake"})"
           "\n";
  const auto run = discord("batch", input);
  EXPECT_EQ(run.status, 1) << run.err;  // two lines failed

  const auto lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 13u) << run.out;
  std::set<std::int64_t> seen;
  int ok = 0;
  for (const auto& line : lines) {
    const auto v = json::parse(line).as_object();
    seen.insert(v.at("index").to_number<std::int64_t>());
    if (v.contains("body")) {
      ++ok;
      EXPECT_EQ(v.at("status").to_number<int>(), 200);
    } else {
      EXPECT_EQ(v.at("status").to_number<int>(), 0) << line;
      EXPECT_TRUE(v.at("error").as_object().contains("type")) << line;
      EXPECT_TRUE(v.at("error").as_object().contains("message")) << line;
    }
  }
  EXPECT_EQ(seen.size(), 13u);
  EXPECT_EQ(*seen.begin(), 0);
  EXPECT_EQ(*seen.rbegin(), 12);
  EXPECT_EQ(ok, 11);

  const auto summary = json::parse(split_lines(run.err).back()).as_object();
  EXPECT_EQ(summary.at("requests").to_number<int>(), 13);
  EXPECT_EQ(summary.at("ok").to_number<int>(), 11);
  EXPECT_EQ(summary.at("failed").to_number<int>(), 2);
  EXPECT_EQ(summary.at("rate_limited_429").to_number<int>(), 0);
  EXPECT_GE(summary.at("elapsed_s").to_number<double>(), 0.0);
  EXPECT_EQ(server_->stats().messages_created, 10u);
}

TEST_F(DiscordCliTest, BatchSharesOneRateLimiterAndCausesNo429) {
  restart_with(fast_routes);
  // Ten messages on one channel at two per 200 ms: the last cannot start before 800 ms.
  std::string input;
  for (int i = 0; i < 10; ++i) {
    input += R"({"method":"POST","route":"/channels/)" + channel +
             R"(/messages","body":{"content":"x"}})"
             "\n";
  }
  const auto run = discord("batch --concurrency 3", input);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(split_lines(run.out).size(), 10u);
  const auto summary = json::parse(split_lines(run.err).back()).as_object();
  EXPECT_EQ(summary.at("ok").to_number<int>(), 10);
  EXPECT_GE(summary.at("elapsed_s").to_number<double>(), 0.8);
  const auto stats = server_->stats();
  EXPECT_EQ(stats.rate_limited_user, 0u);
  EXPECT_EQ(stats.rate_limited_global, 0u);
  EXPECT_EQ(stats.messages_created, 10u);
}

TEST_F(DiscordCliTest, BatchProgressReportsOnStderrWhileItRuns) {
  // 30 GETs at a global limit of 10 a second take two seconds: at least one report on the way.
  std::string input;
  for (int i = 0; i < 30; ++i) {
    input += R"({"method":"GET","route":"/channels/)" + std::to_string(500 + i) + "\"}\n";
  }
  const auto run = discord("batch --progress --global-limit 10", input);
  EXPECT_EQ(run.status, 0) << run.err;
  const auto lines = test::lines_of(run.err);
  ASSERT_FALSE(lines.empty());
  std::vector<std::string> reports;
  for (const auto& line : lines) {
    if (line.starts_with("progress: ")) reports.push_back(line);
  }
  const auto& last = lines.back();
  ASSERT_GE(reports.size(), 2u) << run.err;  // not a terminal: plain lines, one a second
  EXPECT_EQ(run.err.find('\r'), std::string::npos) << "no redrawing off a terminal";
  EXPECT_TRUE(reports.back().starts_with("progress: 30/30 done (30 ok, 0 failed), 0 in flight"))
      << reports.back();
  EXPECT_TRUE(last.starts_with("{\"requests\":30")) << "the summary comes last: " << last;
}

TEST_F(DiscordCliTest, BatchReportsApiErrorsWithTheirStatus) {
  const auto run = discord("batch",
                           R"({"method":"GET","route":"/users/@me"})"
                           "\n",
                           "DISCORD_TOKEN=wrong");
  EXPECT_EQ(run.status, 1);
  const auto line = json::parse(split_lines(run.out).at(0)).as_object();
  EXPECT_EQ(line.at("status").to_number<int>(), 401);
  EXPECT_EQ(line.at("error").at("type").as_string(), "api");
  EXPECT_EQ(run.err.find("wrong"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cadence
