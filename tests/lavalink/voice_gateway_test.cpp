#include "cadence/lavalink/voice_gateway.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace lavalink = cadence::lavalink;
namespace json = boost::json;
using cadence::Snowflake;

TEST(VoiceGateway, JoinIsOp4WithTheChannelAsAString) {
  const auto payload =
      lavalink::voice_join(Snowflake{817327181659111454ULL}, Snowflake{900000000000000001ULL});
  EXPECT_EQ(payload, json::parse(R"({"op":4,"d":{"guild_id":"817327181659111454",
      "channel_id":"900000000000000001","self_mute":false,"self_deaf":true}})"));
}

TEST(VoiceGateway, MoveIsAJoinToAnotherChannel) {
  const Snowflake guild{1};
  const Snowflake channel{2};
  EXPECT_EQ(lavalink::voice_move(guild, channel, {.self_deaf = false, .self_mute = true}),
            lavalink::voice_join(guild, channel, {.self_deaf = false, .self_mute = true}));
}

TEST(VoiceGateway, LeaveSendsANullChannel) {
  const auto payload = lavalink::voice_leave(Snowflake{817327181659111454ULL});
  EXPECT_EQ(payload.at("op"), 4);
  EXPECT_TRUE(payload.at("d").at("channel_id").is_null());
  EXPECT_EQ(payload.at("d").at("guild_id"), "817327181659111454");
}
