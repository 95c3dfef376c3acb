// The snapshot file: JSON with a format tag and version, written through a temporary file and a
// rename. Reading checks everything and reports the first broken field as a SnapshotError, so a
// corrupt or foreign file can never take the process down.
#include "cadence/lavalink/snapshot.hpp"

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cadence/lavalink/error.hpp"

namespace cadence::lavalink {

namespace json = boost::json;

namespace {

constexpr std::string_view format_tag = "cadence.lavalink.snapshot";

[[noreturn]] void broken(const std::string& field, std::string_view problem) {
  throw SnapshotError("lavalink snapshot: " + field + ": " + std::string(problem));
}

const json::value& need(const json::object& o, std::string_view key, const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v) broken(where + std::string(key), "missing");
  return *v;
}

std::int64_t need_int(const json::object& o, std::string_view key, const std::string& where) {
  const auto& v = need(o, key, where);
  if (!v.is_int64() && !v.is_uint64()) broken(where + std::string(key), "not an integer");
  return v.to_number<std::int64_t>();
}

std::string need_string(const json::object& o, std::string_view key, const std::string& where) {
  const auto& v = need(o, key, where);
  if (!v.is_string()) broken(where + std::string(key), "not a string");
  return std::string(v.get_string());
}

template <class T>
T convert(const json::value& v, const std::string& field) {
  try {
    return json::value_to<T>(v);
  } catch (const std::exception& e) {
    broken(field, e.what());
  }
}

}  // namespace

std::string Snapshot::to_json() const {
  json::array sessions_json;
  for (const auto& s : sessions)
    sessions_json.push_back(json::object{{"node", s.node}, {"sessionId", s.session_id}});
  json::array players_json;
  for (const auto& e : players) {
    const auto& p = e.player;
    json::object o{{"guildId", p.guild_id.to_string()},
                   {"node", p.node},
                   {"position", p.position.count()},
                   {"observed", e.observed.time_since_epoch().count()},
                   {"paused", p.paused},
                   {"volume", p.volume},
                   {"filters", json::value_from(p.filters)}};
    o["track"] = p.track ? json::value_from(*p.track) : json::value(nullptr);
    o["endTime"] = p.end_time ? json::value(p.end_time->count()) : json::value(nullptr);
    o["voice"] = p.voice ? json::value_from(*p.voice) : json::value(nullptr);
    players_json.push_back(std::move(o));
  }
  const json::object root{{"format", format_tag},
                          {"version", format_version},
                          {"userId", user_id.to_string()},
                          {"written", written.time_since_epoch().count()},
                          {"sessions", std::move(sessions_json)},
                          {"players", std::move(players_json)}};
  return json::serialize(root);
}

Snapshot Snapshot::from_json(std::string_view text) {
  json::error_code ec;
  const auto v = json::parse(text, ec);
  if (ec) throw SnapshotError("lavalink snapshot: the file is not JSON (" + ec.message() + ")");
  if (!v.is_object()) throw SnapshotError("lavalink snapshot: the file is not a JSON object");
  const auto& root = v.get_object();
  const auto* format = root.if_contains("format");
  if (!format || !format->is_string() || format->get_string() != format_tag)
    throw SnapshotError("lavalink snapshot: not a Cadence Lavalink snapshot (no format tag \"" +
                        std::string(format_tag) + "\")");
  const auto version = need_int(root, "version", "");
  if (version != format_version)
    throw SnapshotError("lavalink snapshot: version " + std::to_string(version) +
                        " is not supported (this build reads version " +
                        std::to_string(format_version) + ")");
  Snapshot s;
  const auto user = Snowflake::parse(need_string(root, "userId", ""));
  if (!user) broken("userId", "not a snowflake");
  s.user_id = *user;
  s.written = Timestamp(std::chrono::milliseconds(need_int(root, "written", "")));
  const auto& sessions = need(root, "sessions", "");
  if (!sessions.is_array()) broken("sessions", "not an array");
  for (std::size_t i = 0; i < sessions.get_array().size(); ++i) {
    const auto where = "sessions[" + std::to_string(i) + "].";
    const auto& item = sessions.get_array()[i];
    if (!item.is_object()) broken(where, "not an object");
    s.sessions.push_back(NodeSession{need_string(item.get_object(), "node", where),
                                     need_string(item.get_object(), "sessionId", where)});
  }
  const auto& players = need(root, "players", "");
  if (!players.is_array()) broken("players", "not an array");
  for (std::size_t i = 0; i < players.get_array().size(); ++i) {
    const auto where = "players[" + std::to_string(i) + "].";
    const auto& item = players.get_array()[i];
    if (!item.is_object()) broken(where, "not an object");
    const auto& o = item.get_object();
    Entry e;
    auto& p = e.player;
    const auto guild = Snowflake::parse(need_string(o, "guildId", where));
    if (!guild) broken(where + "guildId", "not a snowflake");
    p.guild_id = *guild;
    p.node = need_string(o, "node", where);
    p.position = std::chrono::milliseconds(need_int(o, "position", where));
    e.observed = Timestamp(std::chrono::milliseconds(need_int(o, "observed", where)));
    const auto& paused = need(o, "paused", where);
    if (!paused.is_bool()) broken(where + "paused", "not a boolean");
    p.paused = paused.get_bool();
    p.volume = static_cast<int>(need_int(o, "volume", where));
    p.filters = convert<Filters>(need(o, "filters", where), where + "filters");
    if (const auto* t = o.if_contains("track"); t && !t->is_null())
      p.track = convert<Track>(*t, where + "track");
    if (const auto* t = o.if_contains("endTime"); t && !t->is_null()) {
      if (!t->is_int64()) broken(where + "endTime", "not an integer");
      p.end_time = std::chrono::milliseconds(t->get_int64());
    }
    if (const auto* t = o.if_contains("voice"); t && !t->is_null())
      p.voice = convert<VoiceState>(*t, where + "voice");
    s.players.push_back(std::move(e));
  }
  return s;
}

Snapshot Snapshot::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw SnapshotError("lavalink snapshot: cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SnapshotError("lavalink snapshot: cannot read " + path);
  return from_json(text.str());
}

void Snapshot::save(const std::string& path) const {
  const auto text = to_json();
  const auto temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw SnapshotError("lavalink snapshot: cannot write " + temporary);
    out << text;
    out.flush();
    if (!out) throw SnapshotError("lavalink snapshot: cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw SnapshotError("lavalink snapshot: cannot rename " + temporary + " to " + path + ": " +
                        std::strerror(errno));
}

}  // namespace cadence::lavalink
