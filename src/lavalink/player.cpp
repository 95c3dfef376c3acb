#include "cadence/lavalink/player.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
PlayerState read_player_state(const json::value& v, const Path& path);

}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Player& p) {
  boost::json::object o;
  o.emplace("guildId", p.guild_id.to_string());
  o.emplace("track", p.track ? boost::json::value_from(*p.track) : boost::json::value(nullptr));
  o.emplace("volume", p.volume);
  o.emplace("paused", p.paused);
  o.emplace("state", boost::json::value_from(p.state));
  o.emplace("voice", boost::json::value_from(p.voice));
  o.emplace("filters", boost::json::value_from(p.filters));
  jv = std::move(o);
}

namespace detail {
Player read_player(const json::value& jv, const Path& root) {
  const ObjectReader r(jv, root);
  Player p;
  // Lavalink sends the id as a string; a number (which some servers write) is the same id.
  const json::value& guild = r.require("guildId");
  if (guild.is_uint64() || (guild.is_int64() && guild.get_int64() >= 0)) {
    p.guild_id = Snowflake(guild.to_number<std::uint64_t>());
  } else {
    const std::string text = as_string(guild, root.field("guildId"));
    const auto id = Snowflake::parse(text);
    if (!id) root.field("guildId").fail("not a Discord id: \"" + text + "\"");
    p.guild_id = *id;
  }
  // NodeLink answers a PATCH that only sets track.userData with `track: {}`: no track.
  if (const json::value* t = r.optional("track"))
    p.track = read_track_or_none(*t, root.field("track"));
  p.volume = r.integer("volume");
  p.paused = r.boolean("paused");
  p.state = read_player_state(r.require("state"), root.field("state"));
  // Servers that leave out (or null) voice or filters mean "none": not connected, no filters.
  if (const json::value* v = r.optional("voice"))
    p.voice = read_voice_state(*v, root.field("voice"));
  if (const json::value* f = r.optional("filters"))
    p.filters = read_filters(*f, root.field("filters"));
  return p;
}
}  // namespace detail

Player tag_invoke(const boost::json::value_to_tag<Player>&, const boost::json::value& jv) {
  return detail::read_player(jv, detail::Path{});
}

}  // namespace cadence::lavalink
