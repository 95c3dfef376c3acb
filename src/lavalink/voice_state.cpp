#include "cadence/lavalink/voice_state.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
VoiceState read_voice_state(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  // A missing or null field is "not connected", the same as Lavalink's "".
  const auto text = [&](std::string_view key) { return r.opt_string(key).value_or(""); };
  return VoiceState{text("token"), text("endpoint"), text("sessionId"), r.opt_string("channelId")};
}
}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const VoiceState& v) {
  jv = boost::json::object{{"token", v.token},
                           {"endpoint", v.endpoint},
                           {"sessionId", v.session_id},
                           {"channelId", detail::optional_string(v.channel_id)}};
}

VoiceState tag_invoke(const boost::json::value_to_tag<VoiceState>&, const boost::json::value& jv) {
  return detail::read_voice_state(jv, detail::Path{});
}

}  // namespace cadence::lavalink
