// parse_node_message: every op and event type, what other servers send differently, and what
// becomes an UnknownMessage.
#include "cadence/lavalink/events.hpp"

#include <gtest/gtest.h>

#include "cadence/lavalink/error.hpp"
#include "support/expect_error.hpp"

namespace {

namespace lavalink = cadence::lavalink;
using cadence::Snowflake;
using cadence::test::expect_error;
using namespace std::chrono_literals;

constexpr const char* track_json =
    R"({"encoded":"QAAA","info":{"identifier":"x","isSeekable":true,"author":"a","length":1000,)"
    R"("isStream":false,"position":0,"title":"t","uri":null,"sourceName":"http","artworkUrl":null,)"
    R"("isrc":null},"pluginInfo":{},"userData":{}})";

std::string event(const std::string& type, const std::string& rest) {
  return R"({"op":"event","type":")" + type + R"(","guildId":"42","track":)" + track_json + rest +
         "}";
}

template <class T>
T as(const lavalink::NodeEvent& e) {
  if (const auto* u = std::get_if<lavalink::UnknownMessage>(&e); u && u->error)
    ADD_FAILURE() << cadence::test::what(u->error);
  EXPECT_TRUE(std::holds_alternative<T>(e));
  return std::holds_alternative<T>(e) ? std::get<T>(e) : T{};
}

TEST(NodeMessage, Ready) {
  const auto r = as<lavalink::ReadyEvent>(
      lavalink::parse_node_message(R"({"op":"ready","resumed":true,"sessionId":"abc"})"));
  EXPECT_EQ(r.session_id, "abc");
  EXPECT_TRUE(r.resumed);
}

TEST(NodeMessage, ReadyWithoutSessionIdIsBroken) {
  const auto e = lavalink::parse_node_message(R"({"op":"ready","resumed":false})");
  const auto u = std::get<lavalink::UnknownMessage>(e);
  const auto* b = expect_error<lavalink::BuildError>(u.error);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->path(), "sessionId");
}

TEST(NodeMessage, PlayerUpdateAcceptsNumericStrings) {
  const auto p = as<lavalink::PlayerUpdateEvent>(lavalink::parse_node_message(
      R"({"op":"playerUpdate","guildId":42,"state":{"time":"1700000000000","position":"1500",)"
      R"("connected":true,"ping":"12"}})"));
  EXPECT_EQ(p.guild_id, Snowflake(42));
  EXPECT_EQ(p.state.position, 1500ms);
  EXPECT_EQ(p.state.ping, 12ms);
  EXPECT_EQ(p.state.time.time_since_epoch(), 1700000000000ms);
}

TEST(NodeMessage, StatsWithAndWithoutFrameStats) {
  const std::string base = R"({"op":"stats","players":3,"playingPlayers":2,"uptime":1000,)"
                           R"("memory":{"free":1,"used":2,"allocated":3,"reservable":4},)"
                           R"("cpu":{"cores":4,"systemLoad":0.5,"lavalinkLoad":"0.25"})";
  const auto a = as<lavalink::StatsEvent>(lavalink::parse_node_message(base + "}"));
  EXPECT_EQ(a.stats.playing_players, 2);
  EXPECT_DOUBLE_EQ(a.stats.cpu.lavalink_load, 0.25);
  EXPECT_FALSE(a.stats.frame_stats);
  const auto b = as<lavalink::StatsEvent>(lavalink::parse_node_message(
      base + R"(,"frameStats":{"sent":2900,"nulled":50,"deficit":100}})"));
  ASSERT_TRUE(b.stats.frame_stats);
  EXPECT_EQ(b.stats.frame_stats->deficit, 100);
  const auto c =
      as<lavalink::StatsEvent>(lavalink::parse_node_message(base + R"(,"frameStats":null})"));
  EXPECT_FALSE(c.stats.frame_stats);
}

TEST(NodeMessage, TrackEvents) {
  const auto start =
      as<lavalink::TrackStartEvent>(lavalink::parse_node_message(event("TrackStartEvent", "")));
  EXPECT_EQ(start.track.info.title, "t");
  const auto end = as<lavalink::TrackEndEvent>(
      lavalink::parse_node_message(event("TrackEndEvent", R"(,"reason":"replaced")")));
  EXPECT_EQ(end.reason, lavalink::TrackEndReason::replaced);
  EXPECT_FALSE(end.may_start_next());
  const auto failed = as<lavalink::TrackEndEvent>(
      lavalink::parse_node_message(event("TrackEndEvent", R"(,"reason":"loadFailed")")));
  EXPECT_TRUE(failed.may_start_next());
  const auto odd = as<lavalink::TrackEndEvent>(
      lavalink::parse_node_message(event("TrackEndEvent", R"(,"reason":"teleported")")));
  EXPECT_EQ(odd.reason, lavalink::TrackEndReason::unknown);
  EXPECT_EQ(odd.raw_reason, "teleported");
  const auto stuck = as<lavalink::TrackStuckEvent>(
      lavalink::parse_node_message(event("TrackStuckEvent", R"(,"thresholdMs":10000)")));
  EXPECT_EQ(stuck.threshold, 10000ms);
  const auto ex = as<lavalink::TrackExceptionEvent>(lavalink::parse_node_message(event(
      "TrackExceptionEvent", R"(,"exception":{"message":"m","severity":"common","cause":"c"})")));
  EXPECT_EQ(ex.exception.severity, lavalink::Severity::common);
}

TEST(NodeMessage, WebSocketClosedWithAndWithoutCode) {
  const auto full = as<lavalink::WebSocketClosedEvent>(lavalink::parse_node_message(
      R"({"op":"event","type":"WebSocketClosedEvent","guildId":"42","code":4006,)"
      R"("reason":"Session is no longer valid.","byRemote":true})"));
  EXPECT_EQ(full.code, 4006);
  EXPECT_EQ(full.reason, "Session is no longer valid.");
  EXPECT_TRUE(full.by_remote);
  // NodeLink 2.3 sends neither code nor reason.
  const auto bare = as<lavalink::WebSocketClosedEvent>(lavalink::parse_node_message(
      R"({"op":"event","type":"WebSocketClosedEvent","guildId":"42","byRemote":false})"));
  EXPECT_EQ(bare.code, std::nullopt);
  EXPECT_EQ(bare.reason, std::nullopt);
  const auto nulls = as<lavalink::WebSocketClosedEvent>(lavalink::parse_node_message(
      R"({"op":"event","type":"WebSocketClosedEvent","guildId":"42","code":null,"reason":null,)"
      R"("byRemote":true})"));
  EXPECT_EQ(nulls.code, std::nullopt);
}

TEST(NodeMessage, UnknownAndBrokenMessagesKeepTheirJson) {
  const auto plugin = std::get<lavalink::UnknownMessage>(lavalink::parse_node_message(
      R"({"op":"event","type":"LyricsLineEvent","guildId":"42","lineIndex":3})"));
  EXPECT_EQ(plugin.type, "LyricsLineEvent");
  EXPECT_FALSE(plugin.error);
  EXPECT_EQ(plugin.raw.at("lineIndex").as_int64(), 3);

  const auto no_op = std::get<lavalink::UnknownMessage>(lavalink::parse_node_message(R"({"x":1})"));
  const auto* b = expect_error<lavalink::BuildError>(no_op.error);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->path(), "op");

  const auto bad_guild = std::get<lavalink::UnknownMessage>(lavalink::parse_node_message(
      R"({"op":"playerUpdate","guildId":"abc","state":{"time":1,"position":2}})"));
  const auto* g = expect_error<lavalink::BuildError>(bad_guild.error);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->path(), "guildId");

  const auto text = std::get<lavalink::UnknownMessage>(lavalink::parse_node_message("not json"));
  EXPECT_TRUE(text.raw.is_string());
  expect_error<lavalink::BuildError>(text.error);
}

}  // namespace
