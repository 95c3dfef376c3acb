// The typed models read what NodeLink 2.3 answers (tests/lavalink/data/nodelink/) and stay
// strict about shapes that really are broken.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/info.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/stats.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {

json::value fixture(const std::string& name) {
  std::ifstream in(CADENCE_SOURCE_DIR "/tests/lavalink/data/nodelink/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

template <class T>
std::string build_error_path(const json::value& jv) {
  try {
    (void)json::value_to<T>(jv);
  } catch (const lavalink::BuildError& e) {
    return e.path();
  }
  return "<no error>";
}

}  // namespace

TEST(NodeLinkAnswers, InfoWithVersionNumbersAsStrings) {
  const auto info = json::value_to<lavalink::Info>(fixture("info.json"));
  EXPECT_EQ(info.version.semver, "2.3.0");
  EXPECT_EQ(info.version.major, 2);
  EXPECT_EQ(info.version.minor, 3);
  EXPECT_EQ(info.version.patch, 0);
  EXPECT_FALSE(info.version.build);
}

TEST(NodeLinkAnswers, InfoIsWrittenBackWithNumbers) {
  // Liberal in, exact out: the model sends numbers whatever the server wrote.
  const auto out = json::value_from(json::value_to<lavalink::Info>(fixture("info.json")));
  EXPECT_EQ(out.at("version").at("major"), json::value(2));
}

TEST(NodeLinkAnswers, PlayerWithNullVoiceIsNotConnected) {
  const auto p = json::value_to<lavalink::Player>(fixture("player_not_connected.json"));
  EXPECT_FALSE(p.voice.connected());
  EXPECT_EQ(p.voice.token, "");
  EXPECT_EQ(p.voice.endpoint, "");
  EXPECT_EQ(p.voice.session_id, "");
  EXPECT_FALSE(p.voice.channel_id);
  EXPECT_FALSE(p.track);
}

TEST(NodeLinkAnswers, PlayerWithEmptyTrackObjectHasNoTrack) {
  const auto p = json::value_to<lavalink::Player>(fixture("player_after_user_data.json"));
  EXPECT_FALSE(p.track);
  EXPECT_EQ(json::value_from(p).at("track"), json::value(nullptr));
}

TEST(NodeLinkAnswers, WebSocketClosedFixtureHasNoCodeOrReason) {
  // The event's typed model belongs to the Node; this pins the fixture it must read.
  const auto event = fixture("websocket_closed_event.json").as_object();
  EXPECT_EQ(event.at("type"), "WebSocketClosedEvent");
  EXPECT_FALSE(event.contains("code"));
  EXPECT_FALSE(event.contains("reason"));
}

TEST(Tolerance, VoiceFieldsMayBeMissing) {
  const auto v = json::value_to<lavalink::VoiceState>(json::parse("{}"));
  EXPECT_FALSE(v.connected());
  EXPECT_EQ(json::value_from(v),
            json::parse(R"({"token":"","endpoint":"","sessionId":"","channelId":null})"));
}

TEST(Tolerance, ConnectedVoiceNeedsAllThree) {
  const auto v = json::value_to<lavalink::VoiceState>(
      json::parse(R"({"token":"t","endpoint":"e","sessionId":"s","channelId":"1"})"));
  EXPECT_TRUE(v.connected());
  auto partial = v;
  partial.endpoint.clear();
  EXPECT_FALSE(partial.connected());
}

TEST(Tolerance, VoiceFieldOfTheWrongKindIsStillAnError) {
  EXPECT_EQ(build_error_path<lavalink::VoiceState>(json::parse(R"({"token":5})")), "token");
}

TEST(Tolerance, PlayerWithoutVoiceOrFiltersReadsAsNone) {
  auto jv = fixture("player_not_connected.json");
  jv.as_object().erase("voice");
  jv.as_object()["filters"] = nullptr;
  const auto p = json::value_to<lavalink::Player>(jv);
  EXPECT_FALSE(p.voice.connected());
  EXPECT_EQ(p.filters, lavalink::Filters{});
}

TEST(Tolerance, TrackObjectWithOnlyUserDataHasNoTrack) {
  auto jv = fixture("player_after_user_data.json");
  jv.as_object()["track"] = json::parse(R"({"userData":{"requester":"1"}})");
  EXPECT_FALSE(json::value_to<lavalink::Player>(jv).track);
}

TEST(Tolerance, TrackObjectWithInfoButNoEncodedIsStillAnError) {
  auto jv = fixture("player_after_user_data.json");
  jv.as_object()["track"] = json::parse(R"({"info":{}})");
  EXPECT_EQ(build_error_path<lavalink::Player>(jv), "track.encoded");
}

TEST(Tolerance, NumericStringsReadAsNumbers) {
  auto jv = fixture("player_not_connected.json");
  jv.as_object()["volume"] = "80";
  jv.at("state").as_object()["position"] = "-1";
  jv.at("state").as_object()["ping"] = "12";
  const auto p = json::value_to<lavalink::Player>(jv);
  EXPECT_EQ(p.volume, 80);
  EXPECT_EQ(p.state.position.count(), -1);
  EXPECT_EQ(p.state.ping.count(), 12);
}

TEST(Tolerance, GuildIdAsANumberIsTheSameId) {
  auto jv = fixture("player_not_connected.json");
  jv.as_object()["guildId"] = 817327181659111454ULL;
  EXPECT_EQ(json::value_to<lavalink::Player>(jv).guild_id,
            cadence::Snowflake(817327181659111454ULL));
  jv.as_object()["guildId"] = -1;
  EXPECT_EQ(build_error_path<lavalink::Player>(jv), "guildId");
}

TEST(Tolerance, FractionalStringReadsAsADouble) {
  const auto s = json::value_to<lavalink::Stats>(json::parse(R"({
    "players": "1", "playingPlayers": 0, "uptime": "1000",
    "memory": {"free": 1, "used": 1, "allocated": 1, "reservable": 1},
    "cpu": {"cores": 4, "systemLoad": "0.25", "lavalinkLoad": 0.5}})"));
  EXPECT_EQ(s.players, 1);
  EXPECT_DOUBLE_EQ(s.cpu.system_load, 0.25);
}

TEST(Tolerance, StringsThatAreNotExactlyNumbersAreErrors) {
  auto jv = fixture("info.json");
  for (const char* bad : {"v2", "2 ", " 2", "", "+2", "2.5", "0x2", "99999999999"}) {
    jv.at("version").as_object()["major"] = bad;
    EXPECT_EQ(build_error_path<lavalink::Info>(jv), "version.major") << '"' << bad << '"';
  }
  auto stats = json::parse(R"({"players": 1, "playingPlayers": 0, "uptime": 1,
    "memory": {"free": 1, "used": 1, "allocated": 1, "reservable": 1},
    "cpu": {"cores": 4, "systemLoad": "nan", "lavalinkLoad": 0.5}})");
  EXPECT_EQ(build_error_path<lavalink::Stats>(stats), "cpu.systemLoad");
}

TEST(Tolerance, ErrorQuotesTheStringItCouldNotRead) {
  auto jv = fixture("info.json");
  jv.at("version").as_object()["major"] = "two";
  try {
    (void)json::value_to<lavalink::Info>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("\"two\""), std::string::npos) << e.what();
  }
}
