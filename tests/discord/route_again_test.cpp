// A queued Rest request keeps only its encoded path, clock reading and request class, and
// builds its Route again after a 429 or a backoff: that route must be the first one in
// everything the limiter and the error messages read.
#include "discord/route_again.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kWebhookToken =
    "Abc-def_GHIjklMNOpqrSTUvwxYZ0123456789abcdefghijklmnopqrstuvwxyzABCD";
constexpr std::string_view kInteractionToken = "aW50ZXJhY3Rpb246MTIzOkFCQw";

/// A path for a template, each parameter filled with a value that needs no encoding, or does.
std::string fill(std::string_view pattern, bool raw_emoji) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
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
      out += raw_emoji ? "\xF0\x9F\x91\x8D" : "name:112233445566778899";
    } else if (name.ends_with("_id")) {
      out += "112233445566778899";
    } else {
      out += "some value's ~ (x)";  // encoded, except the sub-delims pchar allows
    }
    i = end + 1;
  }
  return out;
}

void expect_same(const Route& first, const Route& again) {
  EXPECT_EQ(again.method(), first.method());
  EXPECT_EQ(again.path(), first.path());
  EXPECT_EQ(again.redacted_path(), first.redacted_path());
  EXPECT_EQ(again.route_template(), first.route_template());
  EXPECT_EQ(again.is_known(), first.is_known());
  EXPECT_EQ(again.major_kind(), first.major_kind());
  EXPECT_EQ(again.major(), first.major());
  EXPECT_EQ(again.bucket_route(), first.bucket_route());
  EXPECT_EQ(again.key(), first.key());
  EXPECT_EQ(again.is_interaction(), first.is_interaction());
  EXPECT_EQ(again.has_path_token(), first.has_path_token());
  EXPECT_EQ(again.sublimit(), first.sublimit());
  EXPECT_EQ(again.request_class(), first.request_class());
  for (const std::string_view name : {"channel_id", "guild_id", "message_id", "emoji",
                                      "webhook_token", "interaction_token", "user_id"}) {
    EXPECT_EQ(again.param(name), first.param(name)) << name;
  }
}

Route once_more(const Route& first, const RouteOptions& options) {
  return detail::parse_again(first.method(), first.path(), options, first.request_class());
}

TEST(RouteAgain, EveryTemplateAndMethodGivesTheSameRoute) {
  RouteOptions options;
  options.now = std::chrono::system_clock::now();
  options.application_id = Snowflake(112233445566778899);
  int checked = 0;
  for (const auto pattern : Route::templates()) {
    for (const bool raw_emoji : {false, true}) {
      const auto path = fill(pattern, raw_emoji);
      for (const auto method :
           {Method::get, Method::post, Method::patch, Method::put, Method::del}) {
        SCOPED_TRACE(std::string(to_string(method)) + " " + path);
        const auto first = Route::parse(method, path, options);
        expect_same(first, once_more(first, options));
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(RouteAgain, EncodedCharactersAndUnknownRoutesSurvive) {
  const RouteOptions options;
  for (const std::string_view path : {"/channels/1/messages/2/reactions/%F0%9F%91%8D/@me",
                                      "/unknown/123/a b%2a%41/@me", "/guilds/1/audit-logs",
                                      "/webhooks/1/"
                                      "aW50ZXJhY3Rpb246eHl6/messages/@original"}) {
    SCOPED_TRACE(path);
    const auto first = Route::parse(Method::put, path, options);
    expect_same(first, once_more(first, options));
  }
}

TEST(RouteAgain, MessageDeletesKeepTheirAgeClassWithTheFirstClockReading) {
  const auto created = std::chrono::system_clock::now() - 20 * 24h;
  const auto message = Snowflake::from_time(created).to_string();
  const auto path = "/channels/1/messages/" + message;
  RouteOptions young;
  young.now = created + 5s;
  RouteOptions old;
  old.now = created + 15 * 24h;
  RouteOptions neither;
  neither.now = created + 1h;
  const auto first_young = Route::parse(Method::del, path, young);
  const auto first_old = Route::parse(Method::del, path, old);
  const auto first_neither = Route::parse(Method::del, path, neither);
  ASSERT_EQ(first_young.sublimit(), Sublimit::message_delete_young);
  ASSERT_EQ(first_old.sublimit(), Sublimit::message_delete_old);
  ASSERT_EQ(first_neither.sublimit(), Sublimit::none);
  expect_same(first_young, once_more(first_young, young));
  expect_same(first_old, once_more(first_old, old));
  expect_same(first_neither, once_more(first_neither, neither));
}

TEST(RouteAgain, BodyFieldsComeBackAsTheSameClassAndSublimit) {
  const std::vector<std::vector<std::string_view>> cases = {
      {"topic", "name"},
      {"name"},
      {"b", "a", "b"},
      {"a,b", "\x01z", "name"},  // a ',' or control byte in a field name becomes '_'
      {"", "x"},
      {"permission_overwrites"},
  };
  for (const auto& fields : cases) {
    auto first = Route::parse(Method::patch, "/channels/1");
    first.set_body_fields(fields);
    SCOPED_TRACE(first.request_class());
    expect_same(first, once_more(first, {}));
  }
  auto topic = Route::parse(Method::patch, "/channels/1");
  const std::vector<std::string_view> fields = {"topic"};
  topic.set_body_fields(fields);
  ASSERT_EQ(topic.sublimit(), Sublimit::channel_name_topic);
  EXPECT_EQ(once_more(topic, {}).sublimit(), Sublimit::channel_name_topic);
  // Without the class, the route would lose its sublimit: the class is what carries it.
  EXPECT_EQ(detail::parse_again(Method::patch, topic.path(), {}, "").sublimit(), Sublimit::none);
}

}  // namespace
}  // namespace cadence::discord
