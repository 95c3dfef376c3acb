// NodePool's voice side against simulator instances of both flavors: the bot's raw gateway
// events fed to the pool become a voice PATCH on the guild's node, the voice state is kept in
// the player's record, and a failover restores it on the new node.
#include "cadence/lavalink/node_pool.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>
#include <thread>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_harness.hpp"

namespace {

namespace json = boost::json;
namespace lavalink = cadence::lavalink;
using namespace std::chrono_literals;
using cadence::Snowflake;
using cadence::test::bot_id;
using cadence::test::expect_error;
using cadence::test::Pool;
using cadence::test::server_players;
using cadence::test::SimInstance;
using cadence::test::what;

const Snowflake guild{817327181659111454ULL};
const Snowflake channel{900000000000000001ULL};

json::value voice_state(Snowflake user = bot_id) {
  return json::object{{"op", 0},
                      {"t", "VOICE_STATE_UPDATE"},
                      {"d", json::object{{"guild_id", guild.to_string()},
                                         {"channel_id", channel.to_string()},
                                         {"user_id", user.to_string()},
                                         {"session_id", "vsession"}}}};
}

json::value voice_server(json::value endpoint = "us-east1.discord.media:443") {
  return json::object{{"op", 0},
                      {"t", "VOICE_SERVER_UPDATE"},
                      {"d", json::object{{"token", "vtoken"},
                                         {"guild_id", guild.to_string()},
                                         {"endpoint", std::move(endpoint)}}}};
}

class PoolVoice : public cadence::test::PoolSim {};

TEST_P(PoolVoice, FedEventsConnectThePlayerAndFailoverKeepsTheVoice) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  Pool p({&a, &b});
  p.start_and_wait(2);
  // Any order; a null endpoint (Discord allocating a server) is ignored.
  EXPECT_FALSE(p.pool.feed_voice(voice_server(nullptr)));
  EXPECT_FALSE(p.pool.feed_voice(voice_state(Snowflake(42))));  // another user
  EXPECT_TRUE(p.pool.feed_voice(json::serialize(voice_server())));
  auto joined = cadence::test::call_once<lavalink::Player>(p.io, [&](auto h) {
    p.pool.connect_voice(guild, channel, h);
    EXPECT_TRUE(p.pool.feed_voice(voice_state()));  // the pair completes after the call
  });
  ASSERT_FALSE(joined.error) << what(joined.error);
  EXPECT_EQ(joined.value.voice.token, "vtoken");
  const auto record = p.pool.player(guild);
  ASSERT_TRUE(record && record->voice);
  EXPECT_EQ(record->voice->channel_id, channel.to_string());
  const std::string first = record->node;

  auto played = cadence::test::call_once<lavalink::Player>(p.io, [&](auto h) {
    p.pool.update_player(guild, Pool::play(*a->catalogue_track(cadence::test::long_track)), h);
  });
  ASSERT_FALSE(played.error) << what(played.error);

  SimInstance& dying = first == "a" ? a : b;
  SimInstance& survivor = first == "a" ? b : a;
  std::thread killer([&] { dying.stop(); });
  const bool moved = p.until([&] {
    const auto r = p.pool.player(guild);
    return r && r->node != first && !r->moving;
  });
  killer.join();
  ASSERT_TRUE(moved);
  const auto on_survivor = server_players(survivor);
  ASSERT_EQ(on_survivor.count(guild.value()), 1u);
  const auto& voice = on_survivor.at(guild.value()).at("voice");
  EXPECT_EQ(voice.at("token"), "vtoken");
  EXPECT_EQ(voice.at("endpoint"), "us-east1.discord.media:443");
  EXPECT_EQ(voice.at("sessionId"), "vsession");
  EXPECT_EQ(voice.at("channelId"), channel.to_string().c_str());
  // One voice PATCH for the pair, on the first node; the move carried the voice with it.
  EXPECT_EQ(survivor->stats().routes["PATCH /v4/sessions/{sessionId}/players/{guildId}"], 1u);
}

TEST_P(PoolVoice, APairThatNeverCompletesTimesOut) {
  SimInstance a(sim_options());
  lavalink::NodePoolOptions options;
  options.voice.timeout = 200ms;
  Pool p({&a}, options);
  p.start_and_wait(1);
  p.pool.feed_voice(voice_state());
  auto joined = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.connect_voice(guild, channel, h); });
  expect_error<cadence::TimeoutError>(joined.error, "VOICE_SERVER_UPDATE");
  EXPECT_FALSE(p.pool.player(guild));
}

TEST_P(PoolVoice, WithoutNodesFeedingIsAnErrorAndConnectIsNoSessions) {
  boost::asio::io_context io;
  lavalink::NodePool pool(io.get_executor());
  EXPECT_THROW(pool.feed_voice(voice_state()), std::invalid_argument);
  auto joined = cadence::test::call_once<lavalink::Player>(
      io, [&](auto h) { pool.connect_voice(guild, channel, h); });
  expect_error<lavalink::NoSessionsError>(joined.error);
}

TEST_P(PoolVoice, NoUsableNodeIsNoSessionsErrorForTheJoin) {
  SimInstance a(sim_options());
  auto options = a.node_options("a");
  a.stop();
  boost::asio::io_context io;
  lavalink::NodePool pool(io.get_executor());
  pool.add_node(options);
  pool.start();
  auto joined = cadence::test::call_once<lavalink::Player>(io, [&](auto h) {
    pool.connect_voice(guild, channel, h);
    pool.feed_voice(voice_state());
    pool.feed_voice(voice_server());
  });
  expect_error<lavalink::NoSessionsError>(joined.error);
}

INSTANTIATE_TEST_SUITE_P(Flavors, PoolVoice,
                         ::testing::Values(cadence::sim::LavalinkFlavor::lavalink,
                                           cadence::sim::LavalinkFlavor::nodelink),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
