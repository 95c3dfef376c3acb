// Misbehaviour on purpose, the plugin routes, and the /__sim/ control endpoints.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/sim/lavalink_server.hpp"
#include "sim/lavalink_test_support.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using test::LavalinkClient;
using test::RunningLavalink;

LavalinkFault fault(LavalinkFault::Kind kind, std::string path = {}, unsigned status = 500) {
  LavalinkFault f;
  f.kind = kind;
  f.path = std::move(path);
  f.status = status;
  return f;
}

bool is_json(const std::string& body) {
  json::error_code ec;
  json::parse(body, ec);
  return !ec;
}

TEST(LavalinkFaults, StatusAnswersWithoutErrorJson) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  lavalink->inject_fault(fault(LavalinkFault::Kind::status, "/v4/info", 502));
  const auto r = client.get("/v4/info");
  EXPECT_EQ(r.status, 502u);
  EXPECT_FALSE(is_json(r.body));
  EXPECT_EQ(r.header("lavalink-api-version"), "4");
  // Once only.
  EXPECT_EQ(client.get("/v4/info").status, 200u);
  EXPECT_EQ(lavalink->stats().faults, 1u);
}

TEST(LavalinkFaults, ErrorAnswersWithErrorJson) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  lavalink->inject_fault(fault(LavalinkFault::Kind::error, "/v4/loadtracks", 503));
  const auto r = client.get("/v4/loadtracks?identifier=sim:empty&trace=true");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.json().at("status").to_number<int>(), 503);
  EXPECT_EQ(r.json().at("path").as_string(), "/v4/loadtracks");
  EXPECT_TRUE(r.json().as_object().contains("trace"));
}

TEST(LavalinkFaults, CloseAndResetAnswerNothing) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  lavalink->inject_fault(fault(LavalinkFault::Kind::close));
  auto r = client.get("/v4/stats");
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.status, 0u);
  lavalink->inject_fault(fault(LavalinkFault::Kind::reset));
  r = client.get("/v4/stats");
  EXPECT_TRUE(r.error);
  EXPECT_EQ(client.get("/v4/stats").status, 200u);
}

TEST(LavalinkFaults, DelayAnswersLate) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  auto f = fault(LavalinkFault::Kind::delay);
  f.delay = 150ms;
  lavalink->inject_fault(f);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.get("/version").status, 200u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(LavalinkFaults, MalformedWrongShapeEmptyAndTruncatedBodies) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  lavalink->inject_fault(fault(LavalinkFault::Kind::malformed, "/v4/loadtracks"));
  auto r = client.get("/v4/loadtracks?identifier=sim:track:0");
  EXPECT_EQ(r.status, 200u);
  EXPECT_FALSE(is_json(r.body));

  lavalink->inject_fault(fault(LavalinkFault::Kind::wrong_shape, "/v4/info"));
  r = client.get("/v4/info");
  EXPECT_TRUE(r.json().is_array());
  const auto sid = lavalink->create_session();
  lavalink->inject_fault(fault(LavalinkFault::Kind::wrong_shape, "/players"));
  r = client.get("/v4/sessions/" + sid + "/players");
  EXPECT_TRUE(r.json().is_object());

  lavalink->inject_fault(fault(LavalinkFault::Kind::empty, "/v4/info"));
  r = client.get("/v4/info");
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.body.empty());

  lavalink->inject_fault(fault(LavalinkFault::Kind::truncate, "/v4/loadtracks"));
  r = client.get("/v4/loadtracks?identifier=sim:playlist:all");
  EXPECT_TRUE(r.error);
  EXPECT_EQ(client.get("/v4/loadtracks?identifier=sim:playlist:all").status, 200u);
}

TEST(LavalinkFaults, PathMethodAndCountSelectTheRequests) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  auto f = fault(LavalinkFault::Kind::status, "/v4/decodetracks", 500);
  f.method = "POST";
  f.count = 2;
  lavalink->inject_fault(f);
  EXPECT_EQ(client.get("/v4/info").status, 200u);
  EXPECT_EQ(client.get("/v4/decodetracks").status, 405u);
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", "[]").status, 500u);
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", "[]").status, 500u);
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", "[]").status, 400u);
  lavalink->inject_fault(fault(LavalinkFault::Kind::status));
  lavalink->clear_faults();
  EXPECT_EQ(client.get("/v4/info").status, 200u);
}

TEST(LavalinkFaults, WebSocketUpgradeFaults) {
  RunningLavalink lavalink;
  // A fault without the WebSocket's path leaves upgrades alone.
  lavalink->inject_fault(fault(LavalinkFault::Kind::status));
  {
    test::WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect().status, 101u);
  }
  lavalink->clear_faults();
  lavalink->inject_fault(fault(LavalinkFault::Kind::status, "/v4/websocket", 503));
  {
    test::WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect().status, 503u);
  }
  lavalink->inject_fault(fault(LavalinkFault::Kind::reset, "/v4/websocket"));
  {
    test::WsClient ws(lavalink->port());
    const auto h = ws.connect();
    // No answer at all (Beast leaves its response's status at a default, so only the error).
    EXPECT_EQ(h.error, boost::asio::error::connection_reset) << h.error.message();
  }
}

TEST(LavalinkControl, FaultsConfigSessionsAndStatsOverHttp) {
  RunningLavalink lavalink;
  test::TestClient control(lavalink->port());
  LavalinkClient client(lavalink->port());
  EXPECT_EQ(control
                .request("POST", "/__sim/faults", {},
                         R"({"kind":"error","status":500,"path":"/v4/stats"})")
                .status,
            204u);
  EXPECT_EQ(control.request("POST", "/__sim/faults", {}, R"({"kind":"nonsense"})").status, 400u);
  EXPECT_EQ(client.get("/v4/stats").status, 500u);

  auto config = control.request("POST", "/__sim/config", {},
                                R"({"route_planner":"NanoIpRoutePlanner","latency_ms":0})");
  EXPECT_EQ(config.json().at("route_planner").as_string(), "NanoIpRoutePlanner");
  EXPECT_EQ(
      control.request("POST", "/__sim/routeplanner/fail", {}, R"({"address":"1.2.3.4"})").status,
      204u);
  const auto status = client.get("/v4/routeplanner/status").json();
  EXPECT_EQ(status.at("class").as_string(), "NanoIpRoutePlanner");
  EXPECT_EQ(status.at("details").at("failingAddresses").as_array().size(), 1u);
  config = control.request("POST", "/__sim/config", {}, R"({"route_planner":null})");
  EXPECT_TRUE(config.json().at("route_planner").is_null());
  EXPECT_EQ(client.get("/v4/routeplanner/status").status, 204u);

  const auto sid =
      std::string(control.request("POST", "/__sim/sessions").json().at("sessionId").as_string());
  EXPECT_EQ(client.get("/v4/sessions/" + sid + "/players").status, 200u);
  EXPECT_EQ(control.request("POST", "/__sim/sessions/" + sid + "/drop").status, 404u);

  const auto catalogue = control.request("GET", "/__sim/catalogue").json().as_array();
  EXPECT_GE(catalogue.size(), 15u);

  const auto stats = control.request("GET", "/__sim/stats").json();
  EXPECT_EQ(stats.at("routes").at("GET /v4/sessions/{sessionId}/players").to_number<int>(), 1);
  EXPECT_EQ(stats.at("routes").at("GET /v4/routeplanner/status").to_number<int>(), 2);
  EXPECT_EQ(stats.at("faults").to_number<int>(), 1);
  EXPECT_EQ(stats.at("responses_5xx").to_number<int>(), 1);
  EXPECT_EQ(stats.at("sessions").to_number<int>(), 1);
  EXPECT_EQ(control.request("POST", "/__sim/reset").status, 204u);
  EXPECT_EQ(lavalink->stats().requests, 0u);
}

TEST(LavalinkControl, SessionSocketControls) {
  RunningLavalink lavalink({.stats_interval = 1h});
  test::WsClient ws(lavalink->port());
  ASSERT_EQ(ws.connect().status, 101u);
  const auto ready = ws.read();
  ASSERT_TRUE(ready);
  const auto sid = std::string(ready->at("sessionId").as_string());
  ASSERT_TRUE(ws.read_until("stats"));
  test::TestClient control(lavalink->port());
  EXPECT_EQ(
      control.request("POST", "/__sim/sessions/" + sid + "/send", {}, R"({"op":"custom"})").status,
      204u);
  EXPECT_TRUE(ws.read_until("custom"));
  EXPECT_EQ(control.request("POST", "/__sim/sessions/" + sid + "/close?code=4006").status, 204u);
  EXPECT_FALSE(ws.read());
  EXPECT_EQ(ws.close_reason().code, 4006);
}

TEST(LavalinkPlugins, LavaSearch) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  auto r = client.get("/v4/loadsearch?query=spsearch:Rick&types=track,artist");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto body = r.json().as_object();
  EXPECT_EQ(body.at("tracks").as_array().size(), 2u);
  EXPECT_FALSE(body.at("artists").as_array().empty());
  EXPECT_TRUE(body.at("artists").as_array()[0].at("tracks").as_array().empty());
  EXPECT_TRUE(body.at("albums").as_array().empty());
  EXPECT_TRUE(body.at("playlists").as_array().empty());
  EXPECT_TRUE(body.at("texts").as_array().empty());
  EXPECT_TRUE(body.at("plugin").is_object());
  r = client.get("/v4/loadsearch?query=zzzzzz");
  EXPECT_EQ(r.status, 204u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client.get("/v4/loadsearch?query=x&types=song").status, 400u);
  EXPECT_EQ(client.get("/v4/loadsearch").status, 400u);
  const auto all = client.get("/v4/loadsearch?query=mama").json();
  EXPECT_EQ(all.at("texts").as_array().size(), 1u);
  EXPECT_EQ(all.at("playlists").as_array().size(), 1u);
}

TEST(LavalinkPlugins, LavaLyrics) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto encoded = *lavalink->catalogue_track("hey-mama");
  auto r = client.get("/v4/lyrics?track=" + test::query_escape(encoded) + "&skipTrackSource=true");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto lyrics = r.json().as_object();
  EXPECT_EQ(lyrics.at("sourceName").as_string(), "youtube");
  EXPECT_TRUE(lyrics.at("provider").is_string());
  EXPECT_TRUE(lyrics.at("text").is_string());
  ASSERT_FALSE(lyrics.at("lines").as_array().empty());
  const auto& line = lyrics.at("lines").as_array()[0];
  EXPECT_TRUE(line.at("timestamp").is_int64());
  EXPECT_TRUE(line.at("line").is_string());
  EXPECT_TRUE(line.at("plugin").is_object());
  EXPECT_EQ(
      client.get("/v4/lyrics?track=" + test::query_escape(*lavalink->catalogue_track("stream")))
          .status,
      404u);
  EXPECT_EQ(client.get("/v4/lyrics").status, 400u);

  const auto sid = lavalink->create_session();
  const auto player = "/v4/sessions/" + sid + "/players/8";
  EXPECT_EQ(client.get(player + "/track/lyrics").json().at("message").as_string(),
            "Player not found");
  client.send("PATCH", player, "{}");
  EXPECT_EQ(client.get(player + "/track/lyrics").json().at("message").as_string(),
            "No track is playing");
  client.send("PATCH", player, R"({"track":{"encoded":")" + encoded + R"("}})");
  r = client.get(player + "/track/lyrics");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("lines").as_array().size(), lyrics.at("lines").as_array().size());
  EXPECT_EQ(client.send("POST", player + "/lyrics/subscribe").status, 204u);
  EXPECT_EQ(client.send("DELETE", player + "/lyrics/subscribe").status, 204u);
  EXPECT_EQ(client.send("PUT", player + "/lyrics/subscribe").status, 405u);
}

TEST(LavalinkPlugins, SponsorBlockCategories) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto sid = lavalink->create_session();
  const auto path = "/v4/sessions/" + sid + "/players/9/sponsorblock/categories";
  EXPECT_EQ(client.get(path).status, 404u);
  client.send("PATCH", "/v4/sessions/" + sid + "/players/9", "{}");
  EXPECT_EQ(client.get(path).json(), json::array{});
  auto r = client.send("PUT", path, R"(["sponsor","selfpromo"])");
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(client.get(path).json(), json::parse(R"(["sponsor","selfpromo"])"));
  r = client.send("PUT", path, R"(["sponsor","cats"])");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("message").as_string(), "Invalid category: cats");
  EXPECT_EQ(client.send("DELETE", path).status, 204u);
  EXPECT_EQ(client.get(path).json(), json::array{});
  EXPECT_EQ(client.get("/v4/sessions/nope/players/9/sponsorblock/categories")
                .json()
                .at("message")
                .as_string(),
            "Session not found");
}

}  // namespace
}  // namespace cadence::sim
