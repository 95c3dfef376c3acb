#include "cadence/lavalink/voice_gateway.hpp"

#include <boost/json/value.hpp>

namespace cadence::lavalink {

namespace {

boost::json::object op4(Snowflake guild, boost::json::value channel, VoiceJoinFlags flags) {
  // Snowflakes go as strings, as Discord sends them (they exceed JavaScript's safe integers).
  return boost::json::object{{"op", 4},
                             {"d", boost::json::object{{"guild_id", guild.to_string()},
                                                       {"channel_id", std::move(channel)},
                                                       {"self_mute", flags.self_mute},
                                                       {"self_deaf", flags.self_deaf}}}};
}

}  // namespace

boost::json::object voice_join(Snowflake guild, Snowflake channel, VoiceJoinFlags flags) {
  return op4(guild, boost::json::value(channel.to_string()), flags);
}

boost::json::object voice_move(Snowflake guild, Snowflake channel, VoiceJoinFlags flags) {
  return voice_join(guild, channel, flags);
}

boost::json::object voice_leave(Snowflake guild) {
  // Flags are required by the gateway even for a leave; the values no longer matter.
  return op4(guild, boost::json::value(nullptr), VoiceJoinFlags{.self_deaf = false});
}

}  // namespace cadence::lavalink
