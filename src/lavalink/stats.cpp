#include "cadence/lavalink/stats.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Stats& s) {
  boost::json::object o;
  o.emplace("players", s.players);
  o.emplace("playingPlayers", s.playing_players);
  o.emplace("uptime", s.uptime.count());
  o.emplace("memory", boost::json::object{{"free", s.memory.free},
                                          {"used", s.memory.used},
                                          {"allocated", s.memory.allocated},
                                          {"reservable", s.memory.reservable}});
  o.emplace("cpu", boost::json::object{{"cores", s.cpu.cores},
                                       {"systemLoad", s.cpu.system_load},
                                       {"lavalinkLoad", s.cpu.lavalink_load}});
  if (s.frame_stats) {
    o.emplace("frameStats", boost::json::object{{"sent", s.frame_stats->sent},
                                                {"nulled", s.frame_stats->nulled},
                                                {"deficit", s.frame_stats->deficit}});
  }
  jv = std::move(o);
}

Stats tag_invoke(const boost::json::value_to_tag<Stats>&, const boost::json::value& jv) {
  using namespace detail;
  const Path root;
  const ObjectReader r(jv, root);
  Stats s;
  s.players = r.integer("players");
  s.playing_players = r.integer("playingPlayers");
  s.uptime = r.millis("uptime");
  {
    const Path p = root.field("memory");
    const ObjectReader m(r.require("memory"), p);
    s.memory = Stats::Memory{m.int64("free"), m.int64("used"), m.int64("allocated"),
                             m.int64("reservable")};
  }
  {
    const Path p = root.field("cpu");
    const ObjectReader c(r.require("cpu"), p);
    s.cpu = Stats::Cpu{c.integer("cores"), c.number("systemLoad"), c.number("lavalinkLoad")};
  }
  if (const json::value* f = r.optional("frameStats")) {
    const Path p = root.field("frameStats");
    const ObjectReader fr(*f, p);
    s.frame_stats =
        Stats::FrameStats{fr.integer("sent"), fr.integer("nulled"), fr.integer("deficit")};
  }
  return s;
}

}  // namespace cadence::lavalink
