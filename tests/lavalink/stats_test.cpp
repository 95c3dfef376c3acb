#include "cadence/lavalink/stats.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {
const char* const stats_json = R"({
  "players": 1, "playingPlayers": 1, "uptime": 123456789,
  "memory": {"free": 123456789, "used": 123456789, "allocated": 123456789,
             "reservable": 123456789},
  "cpu": {"cores": 4, "systemLoad": 0.5, "lavalinkLoad": 0.5}})";
}  // namespace

TEST(Stats, RestFormHasNoFrameStats) {
  const auto s = json::value_to<lavalink::Stats>(json::parse(stats_json));
  EXPECT_EQ(s.uptime, std::chrono::milliseconds(123456789));
  EXPECT_EQ(s.cpu.cores, 4);
  EXPECT_FALSE(s.frame_stats);
}

TEST(Stats, RoundTripsWithoutFrameStats) {
  const auto jv = json::parse(stats_json);
  EXPECT_EQ(json::value_from(json::value_to<lavalink::Stats>(jv)), jv);
}

TEST(Stats, RoundTripsWithFrameStats) {
  auto jv = json::parse(stats_json);
  jv.as_object()["frameStats"] = json::parse(R"({"sent":6000,"nulled":10,"deficit":-3010})");
  const auto s = json::value_to<lavalink::Stats>(jv);
  ASSERT_TRUE(s.frame_stats);
  EXPECT_EQ(s.frame_stats->deficit, -3010);
  EXPECT_EQ(json::value_from(s), jv);
}

TEST(Stats, NullFrameStatsIsAbsent) {
  auto jv = json::parse(stats_json);
  jv.as_object()["frameStats"] = nullptr;
  jv.as_object()["op"] = "stats";  // the WebSocket form carries the op too
  EXPECT_FALSE(json::value_to<lavalink::Stats>(jv).frame_stats);
}

TEST(Stats, BuildErrorNamesCpuField) {
  auto jv = json::parse(stats_json);
  jv.at("cpu").as_object()["systemLoad"] = "high";
  try {
    (void)json::value_to<lavalink::Stats>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "cpu.systemLoad");
  }
}
