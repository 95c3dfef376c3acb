// Discord gateway op 4 (Voice State Update) payloads: what the bot sends on its main gateway to
// join, move between or leave voice channels. Lavalink never sees these; Discord answers them
// with the VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE events that VoiceJoiner consumes.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Example:
//   gateway.send(boost::json::serialize(cadence::lavalink::voice_join(guild, channel)));
#pragma once

#include <boost/json/object.hpp>

#include "cadence/core/snowflake.hpp"

namespace cadence::lavalink {

struct VoiceJoinFlags {
  /// A music bot does not listen; deafened is what Discord's clients show for it.
  bool self_deaf = true;
  bool self_mute = false;
};

/// {"op":4,"d":{"guild_id","channel_id","self_mute","self_deaf"}} joining `channel`.
[[nodiscard]] boost::json::object voice_join(Snowflake guild, Snowflake channel,
                                             VoiceJoinFlags flags = {});
/// The same payload: Discord moves a bot that is in another channel of the guild.
[[nodiscard]] boost::json::object voice_move(Snowflake guild, Snowflake channel,
                                             VoiceJoinFlags flags = {});
/// channel_id null: leave the guild's voice channel.
[[nodiscard]] boost::json::object voice_leave(Snowflake guild);

}  // namespace cadence::lavalink
