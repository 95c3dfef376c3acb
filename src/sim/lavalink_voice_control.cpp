// Making the simulated Lavalink report a closed voice connection, for the client's tests of
// WebSocketClosedEvent (and of what a bot should do about it): only Discord closes these, so a
// simulator without a voice connection needs a control for it.
#include <boost/json.hpp>

#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {

bool LavalinkServer::Impl::voice_closed(std::string_view session_id, std::string_view guild_id,
                                        std::uint16_t code, std::string reason, bool by_remote) {
  auto* session = find_session(session_id);
  if (!session) return false;
  const auto player = session->players.find(std::string(guild_id));
  if (player == session->players.end()) return false;
  boost::json::object event{{"op", "event"},
                            {"type", "WebSocketClosedEvent"},
                            {"guildId", std::string(guild_id)},
                            {"byRemote", by_remote}};
  // NodeLink 2.3 sends neither code nor reason (issue 9).
  if (options.flavor != LavalinkFlavor::nodelink) {
    event["code"] = code;
    event["reason"] = std::move(reason);
  }
  emit(*session, event);
  send_player_update(*session, player->second);
  return true;
}

bool LavalinkServer::send_voice_closed(std::string_view session_id, std::string_view guild_id,
                                       std::uint16_t code, std::string reason, bool by_remote) {
  std::lock_guard lock(impl_->mutex);
  return impl_->voice_closed(session_id, guild_id, code, std::move(reason), by_remote);
}

}  // namespace cadence::sim
