#include "cadence/lavalink/voice_state.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
VoiceState read_voice_state(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  return VoiceState{r.string("token"), r.string("endpoint"), r.string("sessionId"),
                    r.opt_string("channelId")};
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
