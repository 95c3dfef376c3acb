#include "cadence/sim/discord_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <regex>
#include <thread>

#include "cadence/core/snowflake.hpp"
#include "sim/test_client.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;
using test::bot_auth;
using test::TestClient;
namespace json = boost::json;

// Long windows keep these tests independent of how fast the machine is.
constexpr std::string_view slow_table = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chanhash", "limit": 2,
   "window": 60, "major": "channel_id", "body": "channel"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "msghash", "limit": 2,
   "window": 60, "major": "channel_id", "body": "message"},
  {"method": "PATCH", "path": "/channels/{channel_id}/messages/{message_id}",
   "bucket": "msghash", "limit": 2, "window": 60, "major": "channel_id", "body": "message"},
  {"method": "POST", "path": "/interactions/{id}/{token}/callback", "bucket": "cb",
   "limit": 50, "window": 60, "major": ["id", "token"], "auth": false, "global": false,
   "status": 204}
]})";

class RunningDiscord {
 public:
  explicit RunningDiscord(DiscordServerOptions options = {})
      : server_(io_, std::move(options)), thread_([this] { io_.run(); }) {}
  ~RunningDiscord() {
    server_.stop();
    thread_.join();
  }
  DiscordServer* operator->() { return &server_; }
  TestClient client() { return TestClient(server_.port()); }

 private:
  boost::asio::io_context io_;
  DiscordServer server_;
  std::thread thread_;
};

DiscordServerOptions slow_options() {
  DiscordServerOptions o;
  o.routes = RouteTable::parse(slow_table);
  return o;
}

DiscordFault fault(DiscordFault::Kind kind, unsigned status = 500, std::uint64_t count = 1) {
  DiscordFault f;
  f.kind = kind;
  f.status = status;
  f.count = count;
  return f;
}

bool is_seconds_with_millis(const std::string& text) {
  return std::regex_match(text, std::regex(R"(\d+\.\d{3})"));
}

TEST(DiscordServer, AnswersWithRateLimitHeaders) {
  RunningDiscord discord;
  auto c = discord.client();
  const auto r = c.request("GET", "/api/v10/channels/123", {bot_auth});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(r.header("x-ratelimit-remaining"), "4");
  EXPECT_EQ(r.header("x-ratelimit-reset-after"), "5.000");
  EXPECT_EQ(r.header("x-ratelimit-bucket"), "c0a1f7d2e3b4c5d6e7f8091a2b3c4d5e");
  ASSERT_TRUE(is_seconds_with_millis(r.header("x-ratelimit-reset")));
  const double reset = std::stod(r.header("x-ratelimit-reset"));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(reset, now + 5, 2);
  EXPECT_FALSE(r.has("x-ratelimit-scope"));
  EXPECT_EQ(r.header("via"), "1.1 google");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.json().at("id"), "123");
}

TEST(DiscordServer, ExhaustedBucketAnswersUserScope429) {
  RunningDiscord discord(slow_options());
  auto c = discord.client();
  EXPECT_EQ(c.request("GET", "/api/v10/channels/1", {bot_auth}).status, 200u);
  EXPECT_EQ(c.request("GET", "/api/v10/channels/1", {bot_auth}).status, 200u);
  const auto r = c.request("GET", "/api/v10/channels/1", {bot_auth});
  ASSERT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("x-ratelimit-scope"), "user");
  EXPECT_EQ(r.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(r.header("x-ratelimit-bucket"), "chanhash");
  EXPECT_FALSE(r.has("x-ratelimit-global"));
  ASSERT_TRUE(is_seconds_with_millis(r.header("x-ratelimit-reset-after")));
  const auto retry_header = std::stoi(r.header("retry-after"));
  EXPECT_GE(retry_header, 1);
  EXPECT_LE(retry_header, 60);
  const auto body = r.json().as_object();
  EXPECT_EQ(body.at("message"), "You are being rate limited.");
  EXPECT_EQ(body.at("global"), false);
  const double retry_after = body.at("retry_after").to_number<double>();
  EXPECT_GT(retry_after, 50);
  EXPECT_LE(retry_after, 60);
  EXPECT_LE(retry_after, retry_header);
  EXPECT_EQ(c.request("GET", "/api/v10/channels/2", {bot_auth}).status, 200u);

  const auto stats = discord->stats();
  EXPECT_EQ(stats.rate_limited_user, 1u);
  EXPECT_EQ(stats.buckets.at("chanhash:1").requests, 3u);
  EXPECT_EQ(stats.buckets.at("chanhash:1").rate_limited, 1u);
  EXPECT_EQ(stats.invalid_requests, 1u);
}

TEST(DiscordServer, RoutesWithOneHashShareTheirLimit) {
  RunningDiscord discord(slow_options());
  auto c = discord.client();
  const auto create =
      c.request("POST", "/api/v10/channels/1/messages",
                {bot_auth, {"Content-Type", "application/json"}}, R"({"content":"hi"})");
  ASSERT_EQ(create.status, 200u);
  EXPECT_EQ(create.json().at("content"), "hi");
  const auto id = std::string(create.json().at("id").as_string());
  EXPECT_TRUE(Snowflake::parse(id).has_value());
  EXPECT_EQ(c.request("PATCH", "/api/v10/channels/1/messages/" + id, {bot_auth}).status, 200u);
  const auto r = c.request("POST", "/api/v10/channels/1/messages", {bot_auth});
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("x-ratelimit-bucket"), "msghash");
}

TEST(DiscordServer, GlobalLimitAnswersGlobal429) {
  auto options = slow_options();
  options.limits.global_limit = 3;
  options.limits.global_window = 60s;
  RunningDiscord discord(options);
  auto c = discord.client();
  for (int i = 1; i <= 3; ++i)
    EXPECT_EQ(c.request("GET", "/api/v10/channels/" + std::to_string(i), {bot_auth}).status, 200u);
  const auto r = c.request("GET", "/api/v10/channels/4", {bot_auth});
  ASSERT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("x-ratelimit-global"), "true");
  EXPECT_EQ(r.header("x-ratelimit-scope"), "global");
  EXPECT_FALSE(r.has("x-ratelimit-bucket"));
  EXPECT_EQ(r.json().at("global"), true);
  // Interaction callbacks are outside the global limit.
  EXPECT_EQ(c.request("POST", "/api/v10/interactions/1/tok/callback").status, 204u);
  EXPECT_EQ(discord->stats().rate_limited_global, 1u);
}

TEST(DiscordServer, BusyResourceAnswersSharedScope) {
  RunningDiscord discord(slow_options());
  discord->mark_busy("channels/1", 30s);
  auto c = discord.client();
  const auto r = c.request("GET", "/api/v10/channels/1", {bot_auth});
  ASSERT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("x-ratelimit-scope"), "shared");
  EXPECT_EQ(r.header("x-ratelimit-remaining"), "2");
  const double retry_after = r.json().at("retry_after").to_number<double>();
  EXPECT_GT(retry_after, 20);
  EXPECT_LE(retry_after, 30);
  EXPECT_EQ(c.request("GET", "/api/v10/channels/2", {bot_auth}).status, 200u);
  const auto stats = discord->stats();
  EXPECT_EQ(stats.rate_limited_shared, 1u);
  EXPECT_EQ(stats.invalid_requests, 0u);
}

TEST(DiscordServer, SublimitAnswers429WithRemainingLeft) {
  RunningDiscord discord;
  auto c = discord.client();
  const test::Fields headers{bot_auth, {"Content-Type", "application/json"}};
  EXPECT_EQ(c.request("PATCH", "/api/v10/channels/1", headers, R"({"name":"a"})").status, 200u);
  EXPECT_EQ(c.request("PATCH", "/api/v10/channels/1", headers, R"({"topic":"b"})").status, 200u);
  const auto r = c.request("PATCH", "/api/v10/channels/1", headers, R"({"name":"c"})");
  ASSERT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("x-ratelimit-scope"), "user");
  EXPECT_GT(std::stoi(r.header("x-ratelimit-remaining")), 0);
  EXPECT_GT(r.json().at("retry_after").to_number<double>(), 500);
  EXPECT_EQ(discord->stats().rate_limited_sublimit, 1u);
}

TEST(DiscordServer, RefusesMissingOrWrongTokens) {
  DiscordServerOptions options;
  options.limits.token = "right";
  RunningDiscord discord(options);
  auto c = discord.client();
  const auto missing = c.request("GET", "/api/v10/users/@me");
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(missing.json(), json::parse(R"({"message": "401: Unauthorized", "code": 0})"));
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).status, 401u);
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {{"Authorization", "Bot right"}}).status, 200u);
  EXPECT_EQ(discord->stats().unauthorized, 2u);
}

TEST(DiscordServer, BansAfterTooManyInvalidRequests) {
  DiscordServerOptions options;
  options.limits.invalid_request_limit = 3;
  RunningDiscord discord(options);
  auto c = discord.client();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.request("GET", "/api/v10/users/@me").status, 401u);
  const auto r = c.request("GET", "/api/v10/users/@me", {bot_auth});
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("content-type").substr(0, 9), "text/html");
  EXPECT_FALSE(r.has("via"));
  EXPECT_FALSE(r.has("retry-after"));
  EXPECT_FALSE(r.has("x-ratelimit-scope"));
  EXPECT_THROW((void)r.json(), std::exception);
  const auto stats = discord->stats();
  EXPECT_TRUE(stats.banned);
  EXPECT_EQ(stats.banned_responses, 1u);
  EXPECT_EQ(stats.invalid_requests, 4u);
}

TEST(DiscordServer, ServesStatsAndResetsThem) {
  RunningDiscord discord(slow_options());
  auto c = discord.client();
  c.request("GET", "/api/v10/channels/1", {bot_auth});
  c.request("GET", "/api/v10/channels/1", {bot_auth});
  c.request("GET", "/api/v10/channels/1", {bot_auth});
  c.request("GET", "/api/v10/nowhere", {bot_auth});
  const auto r = c.request("GET", "/__sim/stats");
  ASSERT_EQ(r.status, 200u);
  const auto stats = r.json().as_object();
  EXPECT_EQ(stats.at("requests"), 4);
  EXPECT_EQ(stats.at("responses_2xx"), 2);
  EXPECT_EQ(stats.at("responses_4xx"), 2);
  EXPECT_EQ(stats.at("rate_limited_user"), 1);
  EXPECT_EQ(stats.at("rate_limited_global"), 0);
  EXPECT_EQ(stats.at("rate_limited_shared"), 0);
  EXPECT_EQ(stats.at("not_found"), 1);
  EXPECT_EQ(stats.at("in_flight"), 0);
  EXPECT_EQ(stats.at("in_flight_peak"), 1);
  EXPECT_EQ(stats.at("invalid_requests"), 1);
  EXPECT_EQ(stats.at("banned"), false);
  EXPECT_EQ(stats.at("buckets").at("chanhash:1").at("ok"), 2);
  EXPECT_EQ(stats.at("routes").at("GET /channels/{channel_id}"), 3);

  EXPECT_EQ(c.request("POST", "/__sim/reset").status, 204u);
  EXPECT_EQ(discord->stats().requests, 0u);
  // The bucket was forgotten as well.
  EXPECT_EQ(c.request("GET", "/api/v10/channels/1", {bot_auth}).status, 200u);
}

TEST(DiscordServer, UnknownPathsGetDiscordsErrors) {
  RunningDiscord discord;
  auto c = discord.client();
  const auto unknown = c.request("GET", "/api/v10/nothing/here", {bot_auth});
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.json(), json::parse(R"({"message": "404: Not Found", "code": 0})"));
  EXPECT_EQ(c.request("GET", "/elsewhere").status, 404u);
  EXPECT_EQ(c.request("DELETE", "/api/v10/users/@me", {bot_auth}).status, 405u);
}

TEST(DiscordServer, ServesEveryApiVersion) {
  RunningDiscord discord;
  auto c = discord.client();
  EXPECT_EQ(c.request("GET", "/api/v9/users/@me", {bot_auth}).status, 200u);
  EXPECT_EQ(c.request("GET", "/api/users/@me", {bot_auth}).json().at("bot"), true);
}

TEST(DiscordServer, InjectedFaultsAnswerThenStop) {
  RunningDiscord discord;
  discord->inject_fault(fault(DiscordFault::Kind::status, 502, 2));
  auto c = discord.client();
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).status, 502u);
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).status, 502u);
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).status, 200u);

  discord->inject_fault(fault(DiscordFault::Kind::close));
  EXPECT_TRUE(c.request("GET", "/api/v10/users/@me", {bot_auth}).error);
  discord->inject_fault(fault(DiscordFault::Kind::reset));
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).error,
            boost::asio::error::connection_reset);
  EXPECT_EQ(discord->stats().faults, 4u);
}

TEST(DiscordServer, ARepeatedNonceCreatesNoSecondMessage) {
  RunningDiscord discord;
  auto drop = fault(DiscordFault::Kind::drop);
  drop.path = "/messages";
  discord->inject_fault(drop);
  auto c = discord.client();
  const test::Fields headers{bot_auth, {"Content-Type", "application/json"}};
  const std::string body = R"({"content":"once","nonce":"n-1","enforce_nonce":true})";
  // The answer is lost, but the message was made: a retry must get that one back.
  EXPECT_TRUE(c.request("POST", "/api/v10/channels/1/messages", headers, body).error);
  const auto first = c.request("POST", "/api/v10/channels/1/messages", headers, body);
  ASSERT_EQ(first.status, 200u);
  const auto again = c.request("POST", "/api/v10/channels/1/messages", headers, body);
  EXPECT_EQ(first.json().at("id"), again.json().at("id"));
  EXPECT_EQ(first.json().at("nonce"), "n-1");
  EXPECT_EQ(discord->stats().messages_created, 1u);
}

TEST(DiscordServer, CountsRequestsInFlight) {
  RunningDiscord discord;
  auto hang = fault(DiscordFault::Kind::delay, 0, 2);
  hang.delay = 30s;
  discord->inject_fault(hang);
  TestClient a = discord.client();
  TestClient b = discord.client();
  ASSERT_FALSE(a.send("GET", "/api/v10/users/@me", {bot_auth}));
  ASSERT_FALSE(b.send("GET", "/api/v10/users/@me", {bot_auth}));
  EXPECT_TRUE(test::eventually([&] { return discord->stats().in_flight == 2; }));
  EXPECT_EQ(discord->stats().in_flight_peak, 2u);
}

TEST(DiscordServer, AddsTheConfiguredLatency) {
  DiscordServerOptions options;
  options.latency = 120ms;
  RunningDiscord discord(options);
  auto c = discord.client();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.request("GET", "/api/v10/users/@me", {bot_auth}).status, 200u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 120ms);
}

// The server decides (and answers) a random 0..N ms after a request arrives, as a busy edge
// does: over ten requests with N = 300 ms, some answer is late by well over 100 ms (with the
// fixed seed, always; without the delay, never on a machine that answers loopback at all).
TEST(DiscordServer, AccountsForRequestsLateWithJitter) {
  DiscordServerOptions options;
  options.accounting_jitter = 300ms;
  RunningDiscord discord(options);
  auto c = discord.client();
  std::chrono::steady_clock::duration slowest{};
  for (int i = 0; i < 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto path = "/api/v10/channels/" + std::to_string(100 + i);
    EXPECT_EQ(c.request("GET", path, {bot_auth}).status, 200u);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - start);
  }
  EXPECT_GE(slowest, 100ms);
  const auto config = c.request("GET", "/__sim/config");
  EXPECT_EQ(config.json().at("accounting_jitter_ms"), 300);
  EXPECT_EQ(c.request("POST", "/__sim/config", {}, R"({"accounting_jitter_ms":-1})").status, 400u);
}

TEST(DiscordServer, StopsWithDelayedRequestsPending) {
  DiscordServerOptions options;
  options.accounting_jitter = 5s;
  options.seed = 7;
  auto discord = std::make_unique<RunningDiscord>(options);
  TestClient c((*discord)->port());
  ASSERT_FALSE(c.send("GET", "/api/v10/users/@me", {bot_auth}));  // answered up to 5 s later
  // Wait (bounded) until the server holds it; with seed 7 its delay is not zero.
  for (int i = 0; i < 2000 && (*discord)->stats().awaiting_accounting == 0; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ((*discord)->stats().awaiting_accounting, 1u);
  const auto start = std::chrono::steady_clock::now();
  discord.reset();  // must not wait for the delay, nor let the delayed request touch freed state
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST(DiscordServer, IsControlledOverHttp) {
  RunningDiscord discord(slow_options());
  auto c = discord.client();
  const auto config = c.request("POST", "/__sim/config", {},
                                R"({"window":"sliding","global_limit":7,"latency_ms":0})");
  ASSERT_EQ(config.status, 200u) << config.body;
  EXPECT_EQ(config.json().at("window"), "sliding");
  EXPECT_EQ(discord->limits().global_limit, 7u);
  EXPECT_EQ(discord->limits().window_mode, WindowMode::sliding);

  EXPECT_EQ(
      c.request("POST", "/__sim/busy", {}, R"({"resource":"channels/5","seconds":30})").status,
      204u);
  EXPECT_EQ(c.request("GET", "/api/v10/channels/5", {bot_auth}).header("x-ratelimit-scope"),
            "shared");

  EXPECT_EQ(c.request("POST", "/__sim/faults", {}, R"({"kind":"status","status":503})").status,
            204u);
  EXPECT_EQ(c.request("GET", "/api/v10/channels/6", {bot_auth}).status, 503u);

  EXPECT_EQ(c.request("POST", "/__sim/config", {}, R"({"window":"leaky"})").status, 400u);
  EXPECT_EQ(c.request("POST", "/__sim/faults", {}, "{").status, 400u);
  EXPECT_EQ(c.request("GET", "/__sim/routes").json().at("routes").as_array().size(), 4u);
}

TEST(DiscordServer, RejectsInvalidJsonLikeDiscord) {
  RunningDiscord discord;
  auto c = discord.client();
  const auto r = c.request("POST", "/api/v10/channels/1/messages",
                           {bot_auth, {"Content-Type", "application/json"}}, "{nope");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("code"), 50109);
}

TEST(DiscordServer, EchoesMultipartAttachments) {
  RunningDiscord discord;
  auto c = discord.client();
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n"
      "Content-Type: application/json\r\n\r\n{\"content\":\"with file\"}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  const auto r = c.request("POST", "/api/v10/channels/1/messages",
                           {bot_auth, {"Content-Type", "multipart/form-data; boundary=XyZ"}}, body);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto message = r.json().as_object();
  EXPECT_EQ(message.at("content"), "with file");
  const auto& attachment = message.at("attachments").as_array().at(0).as_object();
  EXPECT_EQ(attachment.at("filename"), "a.txt");
  EXPECT_EQ(attachment.at("size"), 5);
}

TEST(DiscordServer, BaseUrlNamesThePort) {
  RunningDiscord discord;
  EXPECT_EQ(discord->base_url(), "http://127.0.0.1:" + std::to_string(discord->port()) + "/api");
}

}  // namespace
}  // namespace cadence::sim
