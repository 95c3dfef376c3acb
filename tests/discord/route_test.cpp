#include "cadence/discord/route.hpp"

#include "cadence/discord/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <stdexcept>
#include <string>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kWebhookToken =
    "Abc-def_GHIjklMNOpqrSTUvwxYZ0123456789abcdefghijklmnopqrstuvwxyzABCD";  // 68 chars
constexpr std::string_view kInteractionToken =
    "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OkFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFla";

// Builds a concrete path for a template by filling every parameter with a plausible value.
std::string concrete(std::string_view pattern) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      out += pattern[i++];
      continue;
    }
    const auto end = pattern.find('}', i);
    const auto name = pattern.substr(i + 1, end - i - 1);
    if (name == "webhook_token") {
      out += kWebhookToken;
    } else if (name == "interaction_token") {
      out += kInteractionToken;
    } else if (name == "emoji") {
      out += "%F0%9F%91%8D";
    } else if (name.ends_with("_id")) {
      out += "112233445566778899";
    } else {
      out += "abcDEF";
    }
    i = end + 1;
  }
  return out;
}

void expect_rejected(std::string_view path, std::string_view fragment) {
  try {
    (void)Route::parse(Method::get, path);
    ADD_FAILURE() << "accepted " << path;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "message \"" << e.what() << "\" lacks \"" << fragment << "\"";
  }
}

TEST(Route, EveryTemplateParsesToItself) {
  const auto templates = Route::templates();
  ASSERT_GT(templates.size(), 100u);
  for (const auto pattern : templates) {
    const auto path = concrete(pattern);
    const auto route = Route::parse(Method::get, path);
    EXPECT_TRUE(route.is_known()) << path;
    EXPECT_EQ(route.route_template(), pattern) << path;
  }
}

TEST(Route, TemplatesAreUnique) {
  const auto templates = Route::templates();
  std::set<std::string_view> seen(templates.begin(), templates.end());
  EXPECT_EQ(seen.size(), templates.size());
}

TEST(Route, ChannelMessageKeyCollapsesMinorIds) {
  const auto a = Route::parse(Method::patch, "/channels/1/messages/2");
  const auto b = Route::parse(Method::patch, "/channels/1/messages/3");
  EXPECT_EQ(a.route_template(), "/channels/{channel_id}/messages/{message_id}");
  EXPECT_EQ(a.major_kind(), MajorKind::channel);
  EXPECT_EQ(a.major(), "channel:1");
  EXPECT_EQ(a.key(), "PATCH /channels/{channel_id}/messages/{message_id} channel:1");
  EXPECT_EQ(a.key(), b.key());
}

TEST(Route, MajorParameterSeparatesChannels) {
  EXPECT_NE(Route::parse(Method::get, "/channels/1/messages").key(),
            Route::parse(Method::get, "/channels/2/messages").key());
}

TEST(Route, MethodIsPartOfTheKey) {
  EXPECT_NE(Route::parse(Method::get, "/channels/1/messages/2").key(),
            Route::parse(Method::patch, "/channels/1/messages/2").key());
}

TEST(Route, GuildMajorParameter) {
  const auto r = Route::parse(Method::put, "/guilds/5/members/6/roles/7");
  EXPECT_EQ(r.major_kind(), MajorKind::guild);
  EXPECT_EQ(r.major(), "guild:5");
  EXPECT_EQ(r.id("user_id"), Snowflake(6));
  EXPECT_EQ(r.id("role_id"), Snowflake(7));
}

TEST(Route, WebhookTokenIsMajorButNeverInKey) {
  const auto r = Route::parse(Method::post, "/webhooks/9/" + std::string(kWebhookToken));
  EXPECT_EQ(r.major_kind(), MajorKind::webhook);
  EXPECT_TRUE(r.has_path_token());
  EXPECT_EQ(r.key().find(kWebhookToken), std::string::npos);
  EXPECT_EQ(r.redacted_path(), "/webhooks/9/{webhook_token}");
  EXPECT_NE(r.path().find(kWebhookToken), std::string::npos);
  EXPECT_TRUE(r.major().starts_with("webhook:9/tok:"));
  EXPECT_FALSE(r.is_interaction());
  const auto other = Route::parse(Method::post, "/webhooks/9/OtherToken_xyz");
  EXPECT_NE(r.key(), other.key());
}

TEST(Route, WebhookWithoutTokenUsesIdOnly) {
  const auto r = Route::parse(Method::get, "/webhooks/9");
  EXPECT_EQ(r.major(), "webhook:9");
  EXPECT_FALSE(r.has_path_token());
}

TEST(Route, InteractionCallbackIsInteraction) {
  const auto r = Route::parse(Method::post,
                              "/interactions/123/" + std::string(kInteractionToken) + "/callback");
  EXPECT_TRUE(r.is_interaction());
  EXPECT_EQ(r.major_kind(), MajorKind::interaction);
  EXPECT_TRUE(r.major().starts_with("interaction:123/tok:"));
  EXPECT_EQ(r.key().find(kInteractionToken), std::string::npos);
}

TEST(Route, InteractionTokenPrefixMarksFollowups) {
  const auto r = Route::parse(Method::post, "/webhooks/77/" + std::string(kInteractionToken));
  EXPECT_TRUE(r.is_interaction());
}

TEST(Route, OriginalResponseIsInteraction) {
  const auto r = Route::parse(Method::patch, "/webhooks/77/sometoken/messages/@original");
  EXPECT_TRUE(r.is_interaction());
  EXPECT_EQ(r.route_template(), "/webhooks/{webhook_id}/{webhook_token}/messages/@original");
}

TEST(Route, ApplicationIdMarksInteractionWebhook) {
  RouteOptions options;
  options.application_id = Snowflake(77);
  EXPECT_TRUE(
      Route::parse(Method::post, "/webhooks/77/sometoken/messages/5", options).is_interaction());
  EXPECT_FALSE(
      Route::parse(Method::post, "/webhooks/78/sometoken/messages/5", options).is_interaction());
}

TEST(Route, OrdinaryWebhookIsNotInteraction) {
  EXPECT_FALSE(
      Route::parse(Method::post, "/webhooks/9/" + std::string(kWebhookToken)).is_interaction());
}

TEST(Route, InteractionOverrideTakesTheRouteOffTheGlobalLane) {
  // An ordinary-looking webhook route that the caller knows is an interaction's: with the
  // override it passes a full global lane, without it it waits there.
  const auto plain = Route::parse(Method::post, "/webhooks/9/" + std::string(kWebhookToken));
  ASSERT_FALSE(plain.is_interaction());
  // Another webhook, so that the two do not share a bucket.
  auto overridden = Route::parse(Method::post, "/webhooks/10/" + std::string(kWebhookToken));
  ASSERT_FALSE(overridden.is_interaction());
  overridden.set_interaction(true);
  EXPECT_NE(overridden.key(), std::string()) << "still keyed";

  RateLimiterOptions options;
  options.global_limit = 1;
  RateLimiter limiter(std::make_shared<ManualClock>(), options);
  auto held = limiter.acquire(Route::parse(Method::get, "/channels/1"));
  ASSERT_TRUE(held.granted());
  EXPECT_TRUE(limiter.acquire(plain).queued());
  EXPECT_TRUE(limiter.acquire(overridden).granted());
}

TEST(Route, ReactionRoutesShareABucketPerChannel) {
  const auto add = Route::parse(Method::put, "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  const auto remove_own =
      Route::parse(Method::del, "/channels/1/messages/3/reactions/name:123/@me");
  const auto remove_user = Route::parse(Method::del, "/channels/1/messages/4/reactions/x/55");
  const auto remove_all = Route::parse(Method::del, "/channels/1/messages/4/reactions");
  EXPECT_EQ(add.key(), remove_own.key());
  EXPECT_EQ(add.key(), remove_user.key());
  EXPECT_EQ(add.key(), remove_all.key());
  EXPECT_EQ(add.bucket_route(),
            "PUT|DELETE /channels/{channel_id}/messages/{message_id}/reactions/*");
  EXPECT_NE(add.key(), Route::parse(Method::put, "/channels/2/messages/2/reactions/x/@me").key());
  EXPECT_EQ(add.route_template(),
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me");
}

TEST(Route, EmojiInReactionIsPercentEncoded) {
  const auto r = Route::parse(Method::put, "/channels/1/messages/2/reactions/👍/@me");
  EXPECT_EQ(r.path(), "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
  EXPECT_EQ(r.param("emoji"), "👍");
}

TEST(Route, ExistingEscapesAreKept) {
  const auto r = Route::parse(Method::put, "/channels/1/messages/2/reactions/%f0%9f%91%8d/@me");
  EXPECT_EQ(r.path(), "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me");
}

TEST(Route, CustomEmojiKeepsColon) {
  const auto r = Route::parse(Method::put, "/channels/1/messages/2/reactions/blob:123/@me");
  EXPECT_EQ(r.path(), "/channels/1/messages/2/reactions/blob:123/@me");
}

TEST(Route, LonePercentIsEncoded) {
  const auto r = Route::parse(Method::get, "/invites/a%zz");
  EXPECT_EQ(r.path(), "/invites/a%25zz");
}

TEST(Route, SpacesInTextParametersAreEncoded) {
  const auto r = Route::parse(Method::get, "/invites/a b");
  EXPECT_EQ(r.path(), "/invites/a%20b");
}

TEST(Route, MessageDeleteYoungerThanTenSeconds) {
  const auto now = std::chrono::system_clock::now();
  const auto id = Snowflake::from_time(now - 5s);
  RouteOptions options;
  options.now = now;
  const auto r = Route::parse(Method::del, "/channels/1/messages/" + id.to_string(), options);
  EXPECT_EQ(r.sublimit(), Sublimit::message_delete_young);
  EXPECT_TRUE(r.bucket_route().ends_with("#young"));
}

TEST(Route, MessageDeleteOlderThanFourteenDays) {
  const auto now = std::chrono::system_clock::now();
  const auto id = Snowflake::from_time(now - std::chrono::hours(24 * 15));
  RouteOptions options;
  options.now = now;
  const auto r = Route::parse(Method::del, "/channels/1/messages/" + id.to_string(), options);
  EXPECT_EQ(r.sublimit(), Sublimit::message_delete_old);
  EXPECT_TRUE(r.bucket_route().ends_with("#old"));
}

TEST(Route, MessageDeleteOfOrdinaryAgeHasNoClass) {
  const auto now = std::chrono::system_clock::now();
  const auto id = Snowflake::from_time(now - std::chrono::hours(1));
  RouteOptions options;
  options.now = now;
  const auto r = Route::parse(Method::del, "/channels/1/messages/" + id.to_string(), options);
  EXPECT_EQ(r.sublimit(), Sublimit::none);
  EXPECT_EQ(r.bucket_route(), "DELETE /channels/{channel_id}/messages/{message_id}");
}

TEST(Route, MessageAgeClassesHaveDistinctKeys) {
  const auto now = std::chrono::system_clock::now();
  RouteOptions options;
  options.now = now;
  const auto young = Route::parse(
      Method::del, "/channels/1/messages/" + Snowflake::from_time(now - 1s).to_string(), options);
  const auto old = Route::parse(
      Method::del,
      "/channels/1/messages/" + Snowflake::from_time(now - std::chrono::hours(400)).to_string(),
      options);
  const auto normal = Route::parse(
      Method::del,
      "/channels/1/messages/" + Snowflake::from_time(now - std::chrono::hours(1)).to_string(),
      options);
  EXPECT_NE(young.key(), old.key());
  EXPECT_NE(young.key(), normal.key());
  EXPECT_NE(old.key(), normal.key());
}

TEST(Route, ChannelNameEditIsSublimited) {
  auto r = Route::parse(Method::patch, "/channels/1");
  const std::array<std::string_view, 2> fields{"topic", "nsfw"};
  r.set_body_fields(fields);
  EXPECT_EQ(r.sublimit(), Sublimit::channel_name_topic);
  EXPECT_EQ(r.request_class(), "nsfw,topic");
}

TEST(Route, ChannelEditWithoutNameOrTopicIsNotSublimited) {
  auto r = Route::parse(Method::patch, "/channels/1");
  const std::array<std::string_view, 1> fields{"nsfw"};
  r.set_body_fields(fields);
  EXPECT_EQ(r.sublimit(), Sublimit::none);
}

TEST(Route, EmojiRoutesAreMarked) {
  EXPECT_EQ(Route::parse(Method::post, "/guilds/1/emojis").sublimit(), Sublimit::emoji);
  EXPECT_EQ(Route::parse(Method::del, "/guilds/1/emojis/2").sublimit(), Sublimit::emoji);
  EXPECT_EQ(Route::parse(Method::get, "/guilds/1/roles").sublimit(), Sublimit::none);
}

TEST(Route, UsersMeHasNoMajor) {
  const auto r = Route::parse(Method::get, "/users/@me");
  EXPECT_EQ(r.major_kind(), MajorKind::none);
  EXPECT_EQ(r.key(), "GET /users/@me");
}

TEST(Route, MemberAtMe) {
  EXPECT_EQ(Route::parse(Method::patch, "/guilds/1/members/@me").route_template(),
            "/guilds/{guild_id}/members/@me");
}

TEST(Route, GuildTemplateCodeIsNotAGuildId) {
  const auto r = Route::parse(Method::get, "/guilds/templates/abc");
  EXPECT_EQ(r.route_template(), "/guilds/templates/{template_code}");
  EXPECT_EQ(r.major_kind(), MajorKind::none);
}

TEST(Route, MethodByName) {
  EXPECT_EQ(Route::parse("DELETE", "/channels/1").method(), Method::del);
  EXPECT_THROW((void)Route::parse("FETCH", "/channels/1"), std::invalid_argument);
}

TEST(Route, UnknownPathGetsGenericKey) {
  const auto a = Route::parse(Method::get, "/channels/1/brand-new/22");
  const auto b = Route::parse(Method::get, "/channels/1/brand-new/33");
  EXPECT_FALSE(a.is_known());
  EXPECT_EQ(a.route_template(), "/channels/{id}/brand-new/{id}");
  EXPECT_EQ(a.major(), "channel:1");
  EXPECT_EQ(a.key(), b.key());
}

TEST(Route, UnknownTopLevelResourceKeepsItsId) {
  const auto a = Route::parse(Method::get, "/lobbies/12/members/34");
  EXPECT_EQ(a.route_template(), "/lobbies/12/members/{id}");
  EXPECT_NE(a.key(), Route::parse(Method::get, "/lobbies/13/members/34").key());
}

TEST(Route, UnknownWebhookSubrouteHidesToken) {
  const auto r =
      Route::parse(Method::post, "/webhooks/9/" + std::string(kWebhookToken) + "/new-thing");
  EXPECT_EQ(r.key().find(kWebhookToken), std::string::npos);
  EXPECT_EQ(r.redacted_path(), "/webhooks/9/{token}/new-thing");
  EXPECT_TRUE(r.has_path_token());
}

TEST(Route, RejectsQueryInPath) {
  expect_rejected("/channels/123/messages/456?x=y", "pass query parameters separately");
}

TEST(Route, RejectsFragment) { expect_rejected("/channels/1#x", "'#'"); }

TEST(Route, RejectsDotSegments) {
  expect_rejected("/channels/1/../guilds/2", "'..'");
  expect_rejected("/channels/1/./messages", "'.'");
}

TEST(Route, RejectsEncodedDotSegments) {
  expect_rejected("/channels/1/messages/2/reactions/%2E%2E/@me", "'..'");
  expect_rejected("/channels/1/messages/2/reactions/%2e/@me", "'.'");
}

TEST(Route, RejectsEncodedSlash) {
  expect_rejected("/channels/1/messages/2/reactions/a%2Fb/@me", "encoded '/'");
}

TEST(Route, RejectsControlCharacters) {
  expect_rejected(std::string("/channels/1\r\nX-Evil: 1"), "control characters");
  expect_rejected(std::string("/channels/1\n"), "control characters");
  expect_rejected(std::string("/channels/1\0x", 12), "control characters");
  expect_rejected("/invites/a%0Db", "control character");
}

TEST(Route, RejectsEmptySegments) {
  expect_rejected("/channels//messages", "empty segments");
  expect_rejected("/channels/1/", "empty segments");
}

TEST(Route, RejectsPathWithoutLeadingSlash) {
  expect_rejected("channels/1", "must start with '/'");
  expect_rejected("", "empty");
  expect_rejected("/", "no segments");
}

TEST(Route, RejectsNonSnowflakeIds) {
  expect_rejected("/channels/abc/messages", "{channel_id} must be a snowflake");
  expect_rejected("/guilds/1/members/-5", "{user_id} must be a snowflake");
  expect_rejected("/channels/1/messages/99999999999999999999999", "{message_id}");
}

TEST(Route, RejectsBackslash) { expect_rejected("/channels/1\\..\\x", "'\\'"); }

TEST(Route, ErrorMessageDoesNotLeakWebhookToken) {
  try {
    (void)Route::parse(Method::post, "/webhooks/9/" + std::string(kWebhookToken) + "/../x");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find(kWebhookToken.substr(0, 10)), std::string::npos)
        << e.what();
  }
}

TEST(Route, QueryIsNeverPartOfTheKey) {
  // A query cannot get into a route at all (it is passed separately, in RequestParams::query,
  // which Rest appends after the route is keyed), so two requests that differ only in their
  // query always share a key.
  EXPECT_THROW((void)Route::parse(Method::get, "/channels/1/messages?limit=5"),
               std::invalid_argument);
  EXPECT_THROW((void)Route::parse(Method::get, "/channels/1/messages#x"), std::invalid_argument);
}

}  // namespace
}  // namespace cadence::discord
