// LavalinkFlavor::nodelink: the simulator answers in NodeLink 2.3's shapes and lacks its
// missing routes, while the default flavor keeps Lavalink's.
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
    R"({"voice":{"token":"tok","endpoint":"us-east1.discord.media","sessionId":"vsid",)"
    R"("channelId":"42"}})";

class NodeLinkFlavor : public ::testing::Test {
 protected:
  RunningLavalink lavalink{{.flavor = LavalinkFlavor::nodelink}};
  LavalinkClient client{lavalink->port()};
  std::string sid = lavalink->create_session();
  std::string player = "/v4/sessions/" + sid + "/players/123";

  json::object patch_ok(std::string body) {
    const auto r = client.send("PATCH", player, std::move(body));
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json().as_object();
  }
};

TEST(LavalinkFlavorNames, ParseAndPrint) {
  EXPECT_EQ(parse_flavor("nodelink"), LavalinkFlavor::nodelink);
  EXPECT_EQ(parse_flavor("lavalink"), LavalinkFlavor::lavalink);
  EXPECT_FALSE(parse_flavor("NodeLink"));
  EXPECT_EQ(to_string(LavalinkFlavor::nodelink), "nodelink");
}

TEST_F(NodeLinkFlavor, InfoHasVersionNumbersAsStrings) {
  const auto r = client.get("/v4/info");
  ASSERT_EQ(r.status, 200u);
  const auto info = r.json();
  const auto& version = info.at("version");
  EXPECT_EQ(version.at("semver"), "2.3.0");
  EXPECT_EQ(version.at("major"), "2");
  EXPECT_EQ(version.at("minor"), "3");
  EXPECT_EQ(version.at("patch"), "0");
  EXPECT_EQ(client.get("/version").body, "2.3.0");
}

TEST_F(NodeLinkFlavor, PlayerWithoutVoiceHasNullFields) {
  const auto p = patch_ok("{}");
  EXPECT_EQ(p.at("voice"), json::parse(R"({"token":null,"endpoint":null,"sessionId":null})"));
  EXPECT_EQ(client.get(player).json().at("voice"), p.at("voice"));
}

TEST_F(NodeLinkFlavor, PlayerWithVoiceEchoesIt) {
  const auto p = patch_ok(std::string(voice));
  EXPECT_EQ(p.at("voice").at("token"), "tok");
  EXPECT_EQ(p.at("voice").at("channelId"), "42");
}

TEST_F(NodeLinkFlavor, UserDataOnlyPatchAnswersAnEmptyTrack) {
  const auto encoded = *lavalink->catalogue_track("never-gonna-give-you-up");
  EXPECT_TRUE(patch_ok(R"({"track":{"encoded":")" + encoded + R"("}})").at("track").is_object());
  const auto p = patch_ok(R"({"track":{"userData":{"requester":"1"}}})");
  EXPECT_EQ(p.at("track"), json::object());
  // The track still plays; only that answer is NodeLink's odd shape.
  const auto now = client.get(player).json();
  EXPECT_EQ(now.at("track").at("userData").at("requester"), "1");
}

TEST_F(NodeLinkFlavor, SessionPatchAndRoutePlannerAre404) {
  const auto session = client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":true})");
  EXPECT_EQ(session.status, 404u);
  EXPECT_EQ(session.json().at("status").to_number<int>(), 404);
  EXPECT_EQ(client.get("/v4/routeplanner/status").status, 404u);
  EXPECT_EQ(client.send("POST", "/v4/routeplanner/free/all").status, 404u);
  EXPECT_EQ(client.send("POST", "/v4/routeplanner/free/address", R"({"address":"1.2.3.4"})").status,
            404u);
}

TEST_F(NodeLinkFlavor, VolumeOutOfRangeIs400) {
  const auto r = client.send("PATCH", player, R"({"volume":5000})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("message"), "The volume must be between 0 and 1000.");
  EXPECT_EQ(patch_ok(R"({"volume":1000})").at("volume").to_number<int>(), 1000);
}

TEST_F(NodeLinkFlavor, WebSocketNeedsClientName) {
  test::WsClient ws(lavalink->port());
  EXPECT_EQ(ws.connect({{"Client-Name", ""}}).status, 400u);
  test::WsClient named(lavalink->port());
  EXPECT_EQ(named.connect().status, 101u);
}

TEST(LavalinkFlavorDefault, KeepsLavalinkShapes) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto sid = lavalink->create_session();
  EXPECT_EQ(client.get("/v4/info").json().at("version").at("major"), 4);
  const auto p = client.send("PATCH", "/v4/sessions/" + sid + "/players/1", "{}").json();
  EXPECT_EQ(p.at("voice").at("token"), "");
  EXPECT_EQ(client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":true})").status, 200u);
  EXPECT_EQ(client.get("/v4/routeplanner/status").status, 204u);
}

}  // namespace
}  // namespace cadence::sim
