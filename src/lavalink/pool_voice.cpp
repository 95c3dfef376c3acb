// NodePool's voice side: one VoiceJoiner for the pool whose Sender is the pool's own
// update_player, so the voice PATCH goes to the guild's node (or places a new player) and the
// voice state lands in the player's record, from which failover and re-creation restore it.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_state.hpp"

namespace cadence::lavalink {

namespace asio = boost::asio;

namespace detail {

std::unique_ptr<VoiceJoiner> make_voice_joiner(const std::shared_ptr<PoolState>& s,
                                               Snowflake bot_user_id) {
  // The joiner lives inside the state, so the state is there whenever it sends; a send during
  // the pool's destruction completes with operation_aborted, on the pool's executor.
  auto send = [weak = s->weak_from_this(), ex = s->executor](Snowflake guild, VoiceState voice,
                                                             VoiceJoiner::Handler handler) {
    const auto self = weak.lock();
    if (!self || self->destroyed) {
      asio::post(ex, [h = std::move(handler)]() mutable {
        std::move(h)(
            std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted)),
            Player{});
      });
      return;
    }
    PlayerUpdate update;
    update.voice = std::move(voice);
    asio::co_spawn(self->executor, update_player(self, guild, std::move(update), {}, false),
                   std::move(handler));
  };
  return std::make_unique<VoiceJoiner>(s->executor, bot_user_id, std::move(send), s->options.voice);
}

}  // namespace detail

namespace {
VoiceJoiner& joiner(detail::PoolState& s) {
  if (!s.voice)
    throw std::invalid_argument(
        "lavalink::NodePool: add a node before feeding voice events (NodeOptions::user_id "
        "names the bot whose voice states count)");
  return *s.voice;
}
}  // namespace

bool NodePool::feed_voice(const boost::json::value& dispatch) {
  return joiner(*state_).feed(dispatch);
}
bool NodePool::feed_voice(std::string_view dispatch_json) {
  return joiner(*state_).feed(dispatch_json);
}
bool NodePool::feed_voice_state(const boost::json::value& data) {
  return joiner(*state_).feed_voice_state(data);
}
bool NodePool::feed_voice_server(const boost::json::value& data) {
  return joiner(*state_).feed_voice_server(data);
}
void NodePool::forget_voice(Snowflake guild_id) {
  if (state_->voice) state_->voice->forget(guild_id);
}

void NodePool::start_connect_voice(Snowflake guild_id, Snowflake channel_id,
                                   Handler<Player> handler) {
  if (!state_->voice || state_->destroyed) {
    asio::post(state_->executor, [h = std::move(handler)]() mutable {
      std::move(h)(std::make_exception_ptr(NoSessionsError(
                       "lavalink::NodePool has no node to connect a voice channel with")),
                   Player{});
    });
    return;
  }
  state_->voice->async_connect(guild_id, channel_id, std::move(handler));
}

}  // namespace cadence::lavalink
