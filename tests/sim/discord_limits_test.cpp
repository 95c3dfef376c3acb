#include "cadence/sim/discord_limits.hpp"

#include <gtest/gtest.h>

#include "cadence/core/snowflake.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;
using Outcome = LimitDecision::Outcome;
using time_point = DiscordLimits::time_point;

const time_point t0 = time_point{} + 1h;

constexpr std::string_view table_json = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chan", "limit": 2,
   "window": 10, "major": "channel_id", "body": "channel"},
  {"method": "POST", "path": "/channels/{channel_id}/messages", "bucket": "msg", "limit": 3,
   "window": 5, "major": "channel_id", "body": "message"},
  {"method": "PATCH", "path": "/channels/{channel_id}/messages/{message_id}", "bucket": "msg",
   "limit": 3, "window": 5, "major": "channel_id", "body": "message"},
  {"method": "PATCH", "path": "/channels/{channel_id}", "bucket": "edit", "limit": 5,
   "window": 5, "major": "channel_id", "body": "channel",
   "sublimits": [{"limit": 2, "window": 600, "body_has": ["name", "topic"]}]},
  {"method": "DELETE", "path": "/channels/{channel_id}/messages/{message_id}", "bucket": "del",
   "limit": 10, "window": 5, "major": "channel_id", "status": 204,
   "sublimits": [{"limit": 1, "window": 1, "param": "message_id", "younger_than": 10}]},
  {"method": "GET", "path": "/users/@me", "bucket": "me", "limit": 100, "window": 1,
   "body": "user"},
  {"method": "POST", "path": "/interactions/{id}/{token}/callback", "bucket": "cb",
   "limit": 100, "window": 1, "major": ["id", "token"], "auth": false, "global": false},
  {"method": "POST", "path": "/webhooks/{webhook_id}/{webhook_token}", "bucket": "wh",
   "limit": 100, "window": 1, "major": ["webhook_id", "webhook_token"], "auth": false,
   "interaction_token": "webhook_token", "body": "webhook_message"}
]})";

class DiscordLimitsTest : public ::testing::Test {
 protected:
  explicit DiscordLimitsTest(LimitsConfig config = {})
      : limits_(RouteTable::parse(table_json), std::move(config)) {}

  LimitDecision call(std::string_view method, std::string_view path, time_point now,
                     std::string_view body = {},
                     std::optional<std::string_view> auth = std::string_view("Bot sim-token")) {
    LimitRequest r;
    r.method = method;
    r.path = path;
    r.has_authorization = auth.has_value();
    r.authorization = auth.value_or("");
    r.body = body;
    r.client = "127.0.0.1";
    r.wall_now = wall_;
    return limits_.decide(r, now);
  }

  DiscordLimits limits_;
  std::chrono::system_clock::time_point wall_ = std::chrono::system_clock::now();
};

TEST_F(DiscordLimitsTest, PassReportsTheBucket) {
  const auto d = call("GET", "/channels/1", t0);
  EXPECT_EQ(d.outcome, Outcome::ok);
  EXPECT_TRUE(d.has_bucket);
  EXPECT_EQ(d.bucket_hash, "chan");
  EXPECT_EQ(d.limit, 2u);
  EXPECT_EQ(d.remaining, 1u);
  EXPECT_EQ(d.reset_after, 10s);
  EXPECT_EQ(d.bucket_key, "chan:1");
}

TEST_F(DiscordLimitsTest, ExhaustedBucketIsAUserScope429) {
  call("GET", "/channels/1", t0);
  call("GET", "/channels/1", t0 + 1s);
  const auto d = call("GET", "/channels/1", t0 + 2s);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.scope, LimitScope::user);
  EXPECT_FALSE(d.sublimit);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.retry_after, 8s);
  EXPECT_EQ(limits_.invalid_requests("127.0.0.1", t0 + 2s), 1u);
  EXPECT_EQ(call("GET", "/channels/1", t0 + 10s).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, MajorParametersAreLimitedApart) {
  call("GET", "/channels/1", t0);
  call("GET", "/channels/1", t0);
  EXPECT_EQ(call("GET", "/channels/2", t0).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, RoutesWithOneHashShareTheLimit) {
  call("POST", "/channels/1/messages", t0);
  call("PATCH", "/channels/1/messages/5", t0);
  call("POST", "/channels/1/messages", t0);
  const auto d = call("PATCH", "/channels/1/messages/6", t0);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.bucket_hash, "msg");
}

TEST_F(DiscordLimitsTest, GlobalLimitCountsEveryBucketOfTheToken) {
  LimitsConfig c;
  c.global_limit = 2;
  c.global_window = 1s;
  limits_.configure(c);
  EXPECT_EQ(call("GET", "/channels/1", t0).outcome, Outcome::ok);
  EXPECT_EQ(call("GET", "/channels/2", t0).outcome, Outcome::ok);
  const auto d = call("GET", "/channels/3", t0 + 200ms);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.scope, LimitScope::global);
  EXPECT_FALSE(d.has_bucket);
  EXPECT_EQ(d.retry_after, 800ms);
  // Interaction routes are not counted; requests without a token have the address's own lane.
  EXPECT_EQ(call("POST", "/interactions/1/x/callback", t0, {}, std::nullopt).outcome, Outcome::ok);
  EXPECT_EQ(call("POST", "/webhooks/1/x", t0, {}, std::nullopt).outcome, Outcome::ok);
  EXPECT_EQ(call("GET", "/channels/3", t0 + 1s).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, InteractionTokensSkipTheGlobalLimitOnWebhookRoutes) {
  LimitsConfig c;
  c.global_limit = 1;
  limits_.configure(c);
  EXPECT_EQ(call("POST", "/webhooks/1/x", t0, {}, std::nullopt).outcome, Outcome::ok);
  EXPECT_EQ(call("POST", "/webhooks/1/x", t0, {}, std::nullopt).scope, LimitScope::global);
  EXPECT_EQ(
      call("POST", "/webhooks/1/aW50ZXJhY3Rpb246MTIzOnNlY3JldA", t0, {}, std::nullopt).outcome,
      Outcome::ok);
}

TEST_F(DiscordLimitsTest, BusyResourceGivesSharedScopeAndIsNotInvalid) {
  call("GET", "/channels/1", t0);
  limits_.mark_busy("channels/1", t0 + 3s);
  const auto d = call("GET", "/channels/1", t0 + 1s);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.scope, LimitScope::shared);
  EXPECT_EQ(d.retry_after, 2s);
  EXPECT_EQ(d.remaining, 1u);  // the bucket itself still has room
  EXPECT_EQ(limits_.invalid_requests("127.0.0.1", t0 + 1s), 0u);
  EXPECT_EQ(call("GET", "/channels/2", t0 + 1s).outcome, Outcome::ok);
  EXPECT_EQ(call("GET", "/channels/1", t0 + 3s).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, BusyMarkCanNameOneBucket) {
  limits_.mark_busy("channels/1", t0 + 3s, "msg");
  EXPECT_EQ(call("GET", "/channels/1", t0).outcome, Outcome::ok);
  EXPECT_EQ(call("POST", "/channels/1/messages", t0).scope, LimitScope::shared);
}

TEST_F(DiscordLimitsTest, SublimitRefusesWithRoomLeftInTheBucket) {
  EXPECT_EQ(call("PATCH", "/channels/1", t0, R"({"name":"a"})").outcome, Outcome::ok);
  EXPECT_EQ(call("PATCH", "/channels/1", t0, R"({"topic":"b"})").outcome, Outcome::ok);
  const auto d = call("PATCH", "/channels/1", t0 + 1s, R"({"name":"c"})");
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.scope, LimitScope::user);
  EXPECT_TRUE(d.sublimit);
  EXPECT_EQ(d.remaining, 3u);
  EXPECT_EQ(d.retry_after, 599s);
  // Edits that do not touch name or topic are not part of the sublimit.
  EXPECT_EQ(call("PATCH", "/channels/1", t0 + 1s, R"({"nsfw":true})").outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, MessageAgeSublimitReadsTheSnowflake) {
  const auto young = Snowflake::from_time(wall_ - 2s).to_string();
  const auto old = Snowflake::from_time(wall_ - 1h).to_string();
  EXPECT_EQ(call("DELETE", "/channels/1/messages/" + young, t0).outcome, Outcome::ok);
  EXPECT_TRUE(call("DELETE", "/channels/1/messages/" + young, t0).sublimit);
  EXPECT_EQ(call("DELETE", "/channels/1/messages/" + old, t0).outcome, Outcome::ok);
  EXPECT_EQ(call("DELETE", "/channels/1/messages/" + old, t0).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, TokensAreChecked) {
  EXPECT_EQ(call("GET", "/users/@me", t0, {}, std::nullopt).outcome, Outcome::unauthorized);
  EXPECT_EQ(call("GET", "/users/@me", t0, {}, "Bot nope").outcome, Outcome::unauthorized);
  EXPECT_EQ(call("GET", "/users/@me", t0, {}, "sim-token").outcome, Outcome::unauthorized);
  EXPECT_EQ(call("GET", "/users/@me", t0, {}, "Bearer sim-token").outcome, Outcome::ok);
  // A route without auth still refuses a wrong token that is sent.
  EXPECT_EQ(call("POST", "/webhooks/1/x", t0, {}, "Bot nope").outcome, Outcome::unauthorized);
  EXPECT_EQ(limits_.invalid_requests("127.0.0.1", t0), 4u);
}

TEST_F(DiscordLimitsTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(call("GET", "/nope", t0).outcome, Outcome::not_found);
  EXPECT_EQ(call("DELETE", "/users/@me", t0).outcome, Outcome::method_not_allowed);
}

TEST_F(DiscordLimitsTest, TooManyInvalidRequestsBanTheAddress) {
  LimitsConfig c;
  c.invalid_request_limit = 3;
  c.invalid_request_window = 10min;
  c.ban_duration = 1h;
  limits_.configure(c);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(call("GET", "/users/@me", t0, {}, std::nullopt).outcome, Outcome::unauthorized);
  EXPECT_FALSE(limits_.banned("127.0.0.1", t0));
  EXPECT_EQ(call("GET", "/users/@me", t0, {}, std::nullopt).outcome, Outcome::unauthorized);
  EXPECT_TRUE(limits_.banned("127.0.0.1", t0));
  EXPECT_EQ(call("GET", "/users/@me", t0 + 1s).outcome, Outcome::banned);
  EXPECT_EQ(call("GET", "/users/@me", t0 + 1h).outcome, Outcome::ok);
}

TEST_F(DiscordLimitsTest, InvalidRequestsAgeOut) {
  LimitsConfig c;
  c.invalid_request_limit = 2;
  c.invalid_request_window = 10min;
  limits_.configure(c);
  call("GET", "/users/@me", t0, {}, std::nullopt);
  call("GET", "/users/@me", t0 + 1min, {}, std::nullopt);
  call("GET", "/users/@me", t0 + 10min, {}, std::nullopt);
  EXPECT_FALSE(limits_.banned("127.0.0.1", t0 + 10min));
  EXPECT_EQ(limits_.invalid_requests("127.0.0.1", t0 + 10min), 2u);
}

TEST_F(DiscordLimitsTest, SlidingWindowsFollowTheMode) {
  LimitsConfig c;
  c.window_mode = WindowMode::sliding;
  limits_.configure(c);
  call("GET", "/channels/1", t0);
  call("GET", "/channels/1", t0 + 6s);
  EXPECT_EQ(call("GET", "/channels/1", t0 + 9s).outcome, Outcome::rate_limited);
  const auto d = call("GET", "/channels/1", t0 + 10s);
  EXPECT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.remaining, 0u);  // the use at 6 s still counts
}

TEST_F(DiscordLimitsTest, IdleBucketsAreSwept) {
  for (int i = 0; i < 20000; ++i) call("GET", "/channels/" + std::to_string(i + 1), t0 + i * 100ms);
  EXPECT_LT(limits_.window_count(), 8200u);
}

}  // namespace
}  // namespace cadence::sim
