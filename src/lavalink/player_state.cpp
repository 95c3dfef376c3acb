#include "cadence/lavalink/player_state.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
PlayerState read_player_state(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  PlayerState s;
  s.time = Timestamp(r.millis("time"));
  s.position = r.millis("position");
  s.connected = r.boolean("connected");
  s.ping = r.millis("ping");
  return s;
}
}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const PlayerState& s) {
  jv = boost::json::object{{"time", s.time.time_since_epoch().count()},
                           {"position", s.position.count()},
                           {"connected", s.connected},
                           {"ping", s.ping.count()}};
}

PlayerState tag_invoke(const boost::json::value_to_tag<PlayerState>&,
                       const boost::json::value& jv) {
  return detail::read_player_state(jv, detail::Path{});
}

}  // namespace cadence::lavalink
