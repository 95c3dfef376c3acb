#include "cadence/lavalink/player.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {
const char* const player_json = R"({
  "guildId": "817327181659111454",
  "track": null,
  "volume": 100,
  "paused": false,
  "state": {"time": 1500467109, "position": 60000, "connected": true, "ping": 50},
  "voice": {"token": "...", "endpoint": "...", "sessionId": "...", "channelId": "123"},
  "filters": {}})";
}  // namespace

TEST(Player, ParsesTheDocumentedExample) {
  const auto p = json::value_to<lavalink::Player>(json::parse(player_json));
  EXPECT_EQ(p.guild_id, cadence::Snowflake(817327181659111454ULL));
  EXPECT_FALSE(p.track);
  EXPECT_EQ(p.state.time.time_since_epoch().count(), 1500467109);
  EXPECT_EQ(p.state.position, std::chrono::milliseconds(60000));
  EXPECT_EQ(p.state.ping, std::chrono::milliseconds(50));
  EXPECT_EQ(p.voice.channel_id, "123");
}

TEST(Player, RoundTrips) {
  const auto jv = json::parse(player_json);
  EXPECT_EQ(json::value_from(json::value_to<lavalink::Player>(jv)), jv);
}

TEST(Player, BadGuildIdIsBuildError) {
  auto jv = json::parse(player_json);
  jv.as_object()["guildId"] = "guild";
  try {
    (void)json::value_to<lavalink::Player>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "guildId");
  }
}

TEST(Player, MissingStateFieldIsBuildError) {
  auto jv = json::parse(player_json);
  jv.at("state").as_object().erase("connected");
  try {
    (void)json::value_to<lavalink::Player>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "state.connected");
  }
}

TEST(VoiceState, ChannelIdMayBeAbsentOrNull) {
  const auto absent = json::value_to<lavalink::VoiceState>(
      json::parse(R"({"token":"","endpoint":"","sessionId":""})"));
  EXPECT_FALSE(absent.channel_id);
  const auto null = json::value_to<lavalink::VoiceState>(
      json::parse(R"({"token":"","endpoint":"","sessionId":"","channelId":null})"));
  EXPECT_FALSE(null.channel_id);
}
