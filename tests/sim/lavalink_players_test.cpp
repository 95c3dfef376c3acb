// The player routes and the PATCH semantics of the real server (reference §1.4).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/sim/lavalink_server.hpp"
#include "sim/lavalink_test_support.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;
using test::LavalinkClient;
using test::RunningLavalink;

constexpr std::string_view voice =
    R"({"token":"tok","endpoint":"us-east1.discord.media","sessionId":"vsid","channelId":"42"})";

class LavalinkPlayers : public ::testing::Test {
 protected:
  RunningLavalink lavalink;
  LavalinkClient client{lavalink->port()};
  std::string sid = lavalink->create_session();
  std::string player = "/v4/sessions/" + sid + "/players/123";

  std::string track(std::string_view name) { return *lavalink->catalogue_track(name); }

  test::Reply patch(const std::string& body, const std::string& query = {}) {
    return client.send("PATCH", player + query, body);
  }
  json::object patch_ok(const std::string& body, const std::string& query = {}) {
    const auto r = patch(body, query);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json().as_object();
  }
  void expect_400(const std::string& body, std::string_view message) {
    const auto r = patch(body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(r.json().at("message").as_string(), message) << body;
    EXPECT_EQ(r.json().at("path").as_string(), player);
  }
};

TEST_F(LavalinkPlayers, UnknownSessionAndPlayerAre404) {
  auto r = client.get("/v4/sessions/nope/players/1");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.json().at("message").as_string(), "Session not found");
  r = client.get(player);
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.json().at("message").as_string(), "Player not found");
  r = client.send("PATCH", "/v4/sessions/nope/players/1", "{}");
  EXPECT_EQ(r.json().at("message").as_string(), "Session not found");
  EXPECT_EQ(client.send("DELETE", "/v4/sessions/nope/players/1").status, 404u);
}

TEST_F(LavalinkPlayers, NonNumericGuildIs400) {
  const auto r = client.get("/v4/sessions/" + sid + "/players/abc");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.json().at("message").as_string().find("guildId"), json::string::npos);
}

TEST_F(LavalinkPlayers, PatchCreatesThePlayerWithDefaults) {
  const auto p = patch_ok("{}");
  EXPECT_EQ(p.at("guildId").as_string(), "123");
  EXPECT_TRUE(p.at("track").is_null());
  EXPECT_EQ(p.at("volume").to_number<int>(), 100);
  EXPECT_EQ(p.at("paused"), false);
  EXPECT_EQ(p.at("state").at("connected"), false);
  EXPECT_EQ(p.at("state").at("ping").to_number<int>(), -1);
  EXPECT_TRUE(p.at("state").at("time").is_int64());
  EXPECT_EQ(p.at("voice").at("token").as_string(), "");
  EXPECT_EQ(p.at("voice").at("endpoint").as_string(), "");
  EXPECT_EQ(p.at("voice").at("sessionId").as_string(), "");
  EXPECT_TRUE(p.at("filters").as_object().empty());
  const auto list = client.get("/v4/sessions/" + sid + "/players").json().as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("guildId").as_string(), "123");
  EXPECT_EQ(client.get(player).status, 200u);
}

TEST_F(LavalinkPlayers, ValidationErrors) {
  const auto enc = track("talk-a-lot");
  expect_400(R"({"track":{"encoded":")" + enc + R"(","identifier":"sim:track:0"}})",
             "Cannot specify both encodedTrack and identifier");
  expect_400(R"({"track":{"encoded":null},"encodedTrack":null})",
             "Cannot specify both track and encodedTrack/identifier");
  expect_400(R"({"track":{},"identifier":"x"})",
             "Cannot specify both track and encodedTrack/identifier");
  expect_400(R"({"encodedTrack":")" + enc + R"(","identifier":"x"})",
             "Cannot specify both encodedTrack and identifier");
  expect_400(R"({"endTime":0})", "End time must be greater than 0");
  expect_400(R"({"endTime":-5})", "End time must be greater than 0");
  expect_400(R"({"voice":{"token":"t","endpoint":"e","sessionId":"s"}})",
             "Field 'channelId' is required for type with serial name "
             "'dev.arbjerg.lavalink.protocol.v4.VoiceState', but it was missing at path: $.voice");
  expect_400(R"({"voice":{"token":"t","endpoint":"","sessionId":"s","channelId":"1"}})",
             "token, endpoint, sessionId and channelId must be provided in voice state");
  expect_400(R"({"volume":"loud"})", "Failed to read request");
  expect_400("not json", "Failed to read request");
  expect_400(R"({"track":{"identifier":"sim:playlist:all"}})",
             "Cannot play a playlist or search result");
  expect_400(R"({"track":{"identifier":"sim:empty"}})", "No matches found for identifier");
  expect_400(R"({"track":{"identifier":"sim:error:common"}})", "This video is unavailable");
  // Nothing was created by the failed requests... except the playlist/empty/error cases, which
  // fail after the player exists, as on the real server.
  EXPECT_EQ(client.send("PATCH", player, "{}", false).status, 415u);
}

TEST_F(LavalinkPlayers, DisabledFiltersAre400) {
  RunningLavalink strict({.disabled_filters = {"karaoke", "rotation"}});
  LavalinkClient c(strict->port());
  const auto s = strict->create_session();
  const auto r = c.send("PATCH", "/v4/sessions/" + s + "/players/1",
                        R"({"filters":{"karaoke":{},"rotation":{"rotationHz":0.2},"volume":1}})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("message").as_string(),
            "Following filters are disabled in the config: karaoke, rotation");
}

TEST_F(LavalinkPlayers, PlaysByEncodedAndByIdentifier) {
  const auto enc = track("shut-up-and-dance");
  auto p = patch_ok(R"({"track":{"encoded":")" + enc + R"(","userData":{"requester":7}}})");
  ASSERT_TRUE(p.at("track").is_object());
  EXPECT_EQ(p.at("track").at("info").at("title").as_string(), "Shut Up and Dance");
  EXPECT_EQ(p.at("track").at("userData"), json::parse(R"({"requester":7})"));
  EXPECT_EQ(p.at("paused"), false);
  p = patch_ok(R"({"track":{"identifier":"sim:track:talk-a-lot"}})");
  EXPECT_EQ(p.at("track").at("info").at("title").as_string(), "Talk a Lot");
  EXPECT_TRUE(p.at("track").at("userData").as_object().empty());
}

TEST_F(LavalinkPlayers, DeprecatedTopLevelFieldsAreAccepted) {
  auto p = patch_ok(R"({"encodedTrack":")" + track("hey-mama") + R"("})");
  EXPECT_EQ(p.at("track").at("info").at("author").as_string(), "David Guetta");
  p = patch_ok(R"({"identifier":"sim:track:riptide"})");
  EXPECT_EQ(p.at("track").at("info").at("identifier").as_string(), "uJ_1HMAGb4k");
  p = patch_ok(R"({"encodedTrack":null})");
  EXPECT_TRUE(p.at("track").is_null());
}

TEST_F(LavalinkPlayers, NullEncodedStops) {
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("}})");
  const auto p = patch_ok(R"({"track":{"encoded":null}})");
  EXPECT_TRUE(p.at("track").is_null());
  EXPECT_TRUE(client.get(player).json().at("track").is_null());
}

TEST_F(LavalinkPlayers, NoReplaceKeepsTheTrackButAppliesVolumeAndFilters) {
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("}})");
  const auto p = patch_ok(R"({"track":{"encoded":")" + track("talk-a-lot") +
                              R"("},"volume":50,"filters":{"volume":0.5}})",
                          "?noReplace=true");
  EXPECT_EQ(p.at("track").at("info").at("title").as_string(),
            "Hey Mama (feat. Bebe Rexha, Nicki Minaj & Afrojack)");
  EXPECT_EQ(p.at("volume").to_number<int>(), 50);
  EXPECT_EQ(p.at("filters").at("volume").to_number<double>(), 0.5);
  // Without noReplace (or with false) the track is replaced.
  const auto replaced =
      patch_ok(R"({"track":{"encoded":")" + track("talk-a-lot") + R"("}})", "?noReplace=false");
  EXPECT_EQ(replaced.at("track").at("info").at("title").as_string(), "Talk a Lot");
  // noReplace with no track playing plays.
  patch_ok(R"({"track":{"encoded":null}})");
  const auto played =
      patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("}})", "?noReplace=true");
  EXPECT_TRUE(played.at("track").is_object());
}

TEST_F(LavalinkPlayers, NewTrackUnpausesUnlessPausedIsGiven) {
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("},"paused":true})");
  EXPECT_EQ(client.get(player).json().at("paused"), true);
  auto p = patch_ok(R"({"track":{"encoded":")" + track("talk-a-lot") + R"("}})");
  EXPECT_EQ(p.at("paused"), false);
  p = patch_ok(R"({"paused":true})");
  EXPECT_EQ(p.at("paused"), true);
  EXPECT_EQ(p.at("track").at("info").at("title").as_string(), "Talk a Lot");
}

TEST_F(LavalinkPlayers, UserDataReplacesTheCurrentTracks) {
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"(","userData":{"a":1}}})");
  const auto p = patch_ok(R"({"track":{"userData":{"b":2}}})");
  EXPECT_EQ(p.at("track").at("userData"), json::parse(R"({"b":2})"));
  EXPECT_EQ(p.at("track").at("info").at("title").as_string(),
            "Hey Mama (feat. Bebe Rexha, Nicki Minaj & Afrojack)");
}

TEST_F(LavalinkPlayers, VolumeIsClamped) {
  EXPECT_EQ(patch_ok(R"({"volume":1500})").at("volume").to_number<int>(), 1000);
  EXPECT_EQ(patch_ok(R"({"volume":-3})").at("volume").to_number<int>(), 0);
  EXPECT_EQ(patch_ok(R"({"volume":250})").at("volume").to_number<int>(), 250);
}

TEST_F(LavalinkPlayers, FiltersAreReplacedAndEchoedWithDefaults) {
  auto p = patch_ok(
      R"({"filters":{"timescale":{"speed":1.25},"equalizer":[{"band":0,"gain":0.2}],"unknown":1}})");
  const auto& f = p.at("filters").as_object();
  EXPECT_EQ(f.at("timescale"), json::parse(R"({"speed":1.25,"pitch":1.0,"rate":1.0})"));
  EXPECT_EQ(f.at("equalizer"), json::parse(R"([{"band":0,"gain":0.2}])"));
  EXPECT_FALSE(f.contains("unknown"));
  p = patch_ok(R"({"filters":{"lowPass":{"smoothing":30},"pluginFilters":{"x":{"y":1}}}})");
  EXPECT_FALSE(p.at("filters").as_object().contains("timescale"));
  EXPECT_EQ(p.at("filters").at("lowPass").at("smoothing").to_number<double>(), 30.0);
  EXPECT_EQ(p.at("filters").at("pluginFilters"), json::parse(R"({"x":{"y":1}})"));
  p = patch_ok(R"({"filters":{}})");
  EXPECT_TRUE(p.at("filters").as_object().empty());
}

TEST_F(LavalinkPlayers, PositionSeeksAndIsPartOfTheReencodedTrack) {
  const auto enc = track("hey-mama");
  auto p = patch_ok(R"({"track":{"encoded":")" + enc + R"("},"position":60000,"paused":true})");
  EXPECT_EQ(p.at("state").at("position").to_number<std::int64_t>(), 60000);
  EXPECT_EQ(p.at("track").at("info").at("position").to_number<std::int64_t>(), 60000);
  // The server re-encodes the playing track at its position: same fields, other last 8 bytes.
  const auto reencoded = std::string(p.at("track").at("encoded").as_string());
  EXPECT_NE(reencoded, enc);
  const auto decoded =
      client.get("/v4/decodetrack?encodedTrack=" + test::query_escape(reencoded)).json();
  EXPECT_EQ(decoded.at("info").at("position").to_number<std::int64_t>(), 60000);
  p = patch_ok(R"({"position":1000})");
  EXPECT_EQ(p.at("state").at("position").to_number<std::int64_t>(), 1000);
  // Paused: the position stands still.
  EXPECT_EQ(client.get(player).json().at("state").at("position").to_number<std::int64_t>(), 1000);
}

TEST_F(LavalinkPlayers, EndTimeNullDoesNotClearAMarker) {
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("},"endTime":5000})");
  const auto p = patch_ok(R"({"endTime":null})");
  EXPECT_TRUE(p.at("track").is_object());
}

TEST_F(LavalinkPlayers, VoiceConnects) {
  const auto p = patch_ok(R"({"voice":)" + std::string(voice) + "}");
  EXPECT_EQ(p.at("voice"), json::parse(voice));
  EXPECT_EQ(p.at("state").at("connected"), true);
  EXPECT_GE(p.at("state").at("ping").to_number<int>(), 0);
}

TEST_F(LavalinkPlayers, DeleteIs204EvenForAnAbsentPlayer) {
  patch_ok("{}");
  auto r = client.send("DELETE", player);
  EXPECT_EQ(r.status, 204u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client.get(player).status, 404u);
  r = client.send("DELETE", player);
  EXPECT_EQ(r.status, 204u);
}

TEST_F(LavalinkPlayers, StatsCountPlayersNodeWide) {
  const auto other = lavalink->create_session();
  patch_ok(R"({"track":{"encoded":")" + track("hey-mama") + R"("}})");
  client.send("PATCH", "/v4/sessions/" + other + "/players/9", R"({"volume":10})");
  const auto stats = client.get("/v4/stats").json();
  EXPECT_EQ(stats.at("players").to_number<int>(), 2);
  EXPECT_EQ(stats.at("playingPlayers").to_number<int>(), 1);
}

}  // namespace
}  // namespace cadence::sim
