// The simulated Lavalink's WebSocket: handshake checks, ready, stats, playerUpdate, track events
// and resuming. Intervals are short so that waits are bounded; reads have deadlines.
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
using test::WsClient;

LavalinkServerOptions fast() {
  LavalinkServerOptions o;
  o.stats_interval = 50ms;
  o.player_update_interval = 30ms;
  return o;
}

// Connects and reads `ready`; returns the session id.
std::string ready(WsClient& ws, bool expect_resumed = false,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  const auto handshake = ws.connect(std::move(headers));
  EXPECT_FALSE(handshake.error) << handshake.error.message();
  EXPECT_EQ(handshake.status, 101u);
  EXPECT_EQ(handshake.session_resumed, expect_resumed ? "true" : "false");
  EXPECT_EQ(handshake.api_version, "4");
  const auto message = ws.read();
  if (!message) return {};
  EXPECT_EQ(message->at("op").as_string(), "ready");
  EXPECT_EQ(message->at("resumed").as_bool(), expect_resumed);
  return std::string(message->at("sessionId").as_string());
}

TEST(LavalinkWebSocket, HandshakeNeedsAuthorizationAndUserId) {
  RunningLavalink lavalink;
  {
    WsClient ws(lavalink->port());
    const auto h = ws.connect({{"Authorization", ""}});
    EXPECT_TRUE(h.error);
    EXPECT_EQ(h.status, 401u);
  }
  {
    WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect({{"Authorization", "wrong"}}).status, 401u);
  }
  {
    WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect({{"User-Id", ""}}).status, 400u);
  }
  {
    WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect({{"User-Id", "0"}}).status, 400u);
  }
  {
    // The real server only logs a missing Client-Name.
    WsClient ws(lavalink->port());
    EXPECT_EQ(ws.connect({{"Client-Name", ""}}).status, 101u);
  }
  EXPECT_EQ(lavalink->stats().websocket_rejected, 4u);
  // The 101 reaches the client before the server has opened the session.
  EXPECT_TRUE(test::eventually([&] { return lavalink->stats().websocket_connections == 1; }));
}

TEST(LavalinkWebSocket, ClientNameCanBeRequiredLikeNodeLink) {
  RunningLavalink lavalink({.require_client_name = true});
  WsClient ws(lavalink->port());
  EXPECT_EQ(ws.connect({{"Client-Name", ""}}).status, 400u);
}

TEST(LavalinkWebSocket, ReadyThenStatsAtConnectAndOnTheInterval) {
  RunningLavalink lavalink(fast());
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  ASSERT_EQ(sid.size(), 16u);
  for (const char c : sid) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << sid;
  const auto first = ws.read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("op").as_string(), "stats");
  EXPECT_TRUE(first->at("frameStats").is_null());
  EXPECT_TRUE(first->at("memory").is_object());
  const auto second = ws.read_until("stats");
  ASSERT_TRUE(second);
  EXPECT_EQ(lavalink->session_ids(), std::vector<std::string>{sid});
  EXPECT_EQ(lavalink->stats().websocket_open, 1u);
}

TEST(LavalinkWebSocket, ClientMessagesAreIgnored) {
  RunningLavalink lavalink;
  WsClient ws(lavalink->port());
  ready(ws);
  ws.send(R"({"op":"play"})");
  ASSERT_TRUE(ws.read_until("stats"));
  EXPECT_EQ(lavalink->session_ids().size(), 1u);
}

TEST(LavalinkWebSocket, TrackEventsAndPlayerUpdates) {
  RunningLavalink lavalink(fast());
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  LavalinkClient client(lavalink->port());
  const auto player = "/v4/sessions/" + sid + "/players/555";
  const auto first = *lavalink->catalogue_track("hey-mama");
  ASSERT_EQ(client.send("PATCH", player, R"({"track":{"encoded":")" + first + R"("}})").status,
            200u);
  auto start = ws.read_until("event", "TrackStartEvent");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->at("guildId").as_string(), "555");
  EXPECT_EQ(start->at("track").at("info").at("author").as_string(), "David Guetta");

  auto update = ws.read_until("playerUpdate");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("guildId").as_string(), "555");
  EXPECT_TRUE(update->at("state").at("time").is_int64());
  EXPECT_GE(update->at("state").at("position").to_number<std::int64_t>(), 0);
  const auto stats = ws.read_until("stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->at("playingPlayers").to_number<int>(), 1);
  EXPECT_TRUE(stats->at("frameStats").is_object());

  // Replaced, then stopped, then cleanup when the player is destroyed.
  client.send("PATCH", player,
              R"({"track":{"encoded":")" + *lavalink->catalogue_track("talk-a-lot") + R"("}})");
  auto end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "replaced");
  EXPECT_EQ(end->at("track").at("info").at("author").as_string(), "David Guetta");
  start = ws.read_until("event", "TrackStartEvent");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->at("track").at("info").at("title").as_string(), "Talk a Lot");
  client.send("PATCH", player, R"({"track":{"encoded":null}})");
  end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "stopped");
  client.send("PATCH", player, R"({"track":{"identifier":"sim:track:riptide"}})");
  ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
  EXPECT_EQ(client.send("DELETE", player).status, 204u);
  end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "cleanup");
}

TEST(LavalinkWebSocket, SeekAndFiltersSendAPlayerUpdateAtOnce) {
  // Long intervals: any playerUpdate seen comes from the PATCH itself.
  RunningLavalink lavalink;
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  LavalinkClient client(lavalink->port());
  const auto player = "/v4/sessions/" + sid + "/players/1";
  client.send("PATCH", player,
              R"({"track":{"encoded":")" + *lavalink->catalogue_track("hey-mama") + R"("}})");
  ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
  client.send("PATCH", player, R"({"position":90000,"paused":true})");
  auto update = ws.read_until("playerUpdate");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("state").at("position").to_number<std::int64_t>(), 90000);
  client.send("PATCH", player, R"({"filters":{"volume":0.8}})");
  EXPECT_TRUE(ws.read_until("playerUpdate"));
}

TEST(LavalinkWebSocket, AShortTrackFinishes) {
  RunningLavalink lavalink;
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  LavalinkClient client(lavalink->port());
  const auto player = "/v4/sessions/" + sid + "/players/2";
  client.send("PATCH", player, R"({"track":{"identifier":"sim:track:short"}})");
  ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
  const auto end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "finished");
  EXPECT_TRUE(client.get(player).json().at("track").is_null());
}

TEST(LavalinkWebSocket, EndTimeFinishesAndNullDoesNotClearIt) {
  RunningLavalink lavalink;
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  LavalinkClient client(lavalink->port());
  const auto player = "/v4/sessions/" + sid + "/players/3";
  client.send("PATCH", player,
              R"({"track":{"encoded":")" + *lavalink->catalogue_track("hey-mama") +
                  R"("},"position":10000,"endTime":10200})");
  ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
  client.send("PATCH", player, R"({"endTime":null})");
  const auto end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "finished");
}

TEST(LavalinkWebSocket, PausedTracksDoNotFinish) {
  RunningLavalink lavalink({.player_update_interval = 100ms});
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  LavalinkClient client(lavalink->port());
  const auto player = "/v4/sessions/" + sid + "/players/4";
  client.send("PATCH", player, R"({"track":{"identifier":"sim:track:short"},"paused":true})");
  ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
  // Five updates 100 ms apart outlast the 300 ms track; no end event may come between them.
  for (int updates = 0; updates < 5;) {
    const auto message = ws.read();
    ASSERT_TRUE(message);
    EXPECT_NE(message->at("op").as_string(), "event") << json::serialize(*message);
    if (message->at("op").as_string() == "playerUpdate") ++updates;
  }
  client.send("PATCH", player, R"({"paused":false})");
  const auto end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "finished");
}

TEST(LavalinkWebSocket, ClosingWithoutResumingDropsTheSessionAndPlayers) {
  RunningLavalink lavalink;
  std::string sid;
  {
    WsClient ws(lavalink->port());
    sid = ready(ws);
    LavalinkClient(lavalink->port()).send("PATCH", "/v4/sessions/" + sid + "/players/1", "{}");
    ws.close();
  }
  ASSERT_TRUE(test::eventually([&] { return lavalink->session_ids().empty(); }));
  EXPECT_EQ(LavalinkClient(lavalink->port()).get("/v4/sessions/" + sid + "/players").status, 404u);
  // A Session-Id for a gone session gives a new one.
  WsClient again(lavalink->port());
  EXPECT_NE(ready(again, false, {{"Session-Id", sid}}), sid);
}

TEST(LavalinkWebSocket, ResumesWithinTheTimeoutAndReplaysQueuedEvents) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  std::string sid;
  {
    WsClient ws(lavalink->port());
    sid = ready(ws);
    ASSERT_EQ(
        client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":true,"timeout":30})").status,
        200u);
    client.send("PATCH", "/v4/sessions/" + sid + "/players/7",
                R"({"track":{"identifier":"sim:track:hey-mama"}})");
    ASSERT_TRUE(ws.read_until("event", "TrackStartEvent"));
    ws.drop();
  }
  ASSERT_TRUE(test::eventually([&] { return lavalink->stats().websocket_open == 0; }));
  // While away: an event is queued.
  client.send("PATCH", "/v4/sessions/" + sid + "/players/7", R"({"track":{"encoded":null}})");
  WsClient ws(lavalink->port());
  EXPECT_EQ(ready(ws, true, {{"Session-Id", sid}}), sid);
  const auto end = ws.read_until("event", "TrackEndEvent");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->at("reason").as_string(), "stopped");
  const auto update = ws.read_until("playerUpdate");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("guildId").as_string(), "7");
  EXPECT_EQ(client.get("/v4/sessions/" + sid + "/players").json().as_array().size(), 1u);
  EXPECT_EQ(lavalink->stats().sessions_resumed, 1u);
}

TEST(LavalinkWebSocket, ResumeTimeoutDestroysTheSession) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":true,"timeout":0})");
  client.send("PATCH", "/v4/sessions/" + sid + "/players/7", "{}");
  ASSERT_TRUE(lavalink->drop_websocket(sid));
  ASSERT_TRUE(test::eventually([&] { return lavalink->session_ids().empty(); }));
  WsClient again(lavalink->port());
  EXPECT_NE(ready(again, false, {{"Session-Id", sid}}), sid);
}

TEST(LavalinkWebSocket, ServerSideDropAndCloseAndRawFrames) {
  RunningLavalink lavalink;
  WsClient ws(lavalink->port());
  const auto sid = ready(ws);
  ASSERT_TRUE(ws.read_until("stats"));
  EXPECT_TRUE(lavalink->send_raw(sid, R"({"op":"event","type":"SegmentsLoaded","guildId":"1"})"));
  const auto raw = ws.read_until("event", "SegmentsLoaded");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(lavalink->close_websocket(sid, 4000));
  EXPECT_FALSE(ws.read());
  EXPECT_EQ(ws.close_reason().code, 4000);
  EXPECT_FALSE(lavalink->send_raw("nope", "{}"));
  WsClient dropped(lavalink->port());
  ready(dropped);
  ASSERT_TRUE(dropped.read_until("stats"));
  EXPECT_TRUE(lavalink->drop_websocket());
  EXPECT_FALSE(dropped.read());
}

TEST(LavalinkWebSocket, StopClosesWith1001) {
  auto lavalink = std::make_unique<RunningLavalink>();
  WsClient ws((*lavalink)->port());
  ready(ws);
  ASSERT_TRUE(ws.read_until("stats"));
  (*lavalink)->stop();
  EXPECT_FALSE(ws.read());
  EXPECT_EQ(ws.close_reason().code, 1001);
  lavalink.reset();
}

}  // namespace
}  // namespace cadence::sim
