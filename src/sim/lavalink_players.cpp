// Players: the PATCH route in the real server's order (PlayerRestHandler.kt, v4.2), playback on
// the steady clock (position, pause, seek, end markers, a track that finishes), and the player's
// JSON with the track re-encoded at its current position, as the server does.
#include <algorithm>
#include <boost/json.hpp>

#include "sim/lavalink_flavor.hpp"
#include "sim/lavalink_responses.hpp"
#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;
using detail::lavalink_error;

// The fields each filter echoes back with defaults filled in (the server does since v4.1).
const std::vector<std::pair<std::string_view, std::vector<std::pair<std::string_view, double>>>>&
filter_defaults() {
  static const std::vector<
      std::pair<std::string_view, std::vector<std::pair<std::string_view, double>>>>
      defaults{
          {"karaoke",
           {{"level", 1.0}, {"monoLevel", 1.0}, {"filterBand", 220.0}, {"filterWidth", 100.0}}},
          {"timescale", {{"speed", 1.0}, {"pitch", 1.0}, {"rate", 1.0}}},
          {"tremolo", {{"frequency", 2.0}, {"depth", 0.5}}},
          {"vibrato", {{"frequency", 2.0}, {"depth", 0.5}}},
          {"rotation", {{"rotationHz", 0.0}}},
          {"distortion",
           {{"sinOffset", 0.0},
            {"sinScale", 1.0},
            {"cosOffset", 0.0},
            {"cosScale", 1.0},
            {"tanOffset", 0.0},
            {"tanScale", 1.0},
            {"offset", 0.0},
            {"scale", 1.0}}},
          {"channelMix",
           {{"leftToLeft", 1.0},
            {"leftToRight", 0.0},
            {"rightToLeft", 0.0},
            {"rightToRight", 1.0}}},
          {"lowPass", {{"smoothing", 20.0}}},
      };
  return defaults;
}

// Kotlin's serializer message for a missing required field.
std::string missing_field(std::string_view field, std::string_view type, std::string_view path) {
  return "Field '" + std::string(field) + "' is required for type with serial name '" +
         std::string(type) + "', but it was missing at path: " + std::string(path);
}

struct BadRequest {
  std::string message;
};

// Parses filters like the server: known keys, defaults filled in, unknown keys dropped.
json::object normalize_filters(const json::object& in, const std::vector<std::string>& disabled) {
  json::object out;
  std::vector<std::string> rejected;
  const auto check = [&](std::string_view name) {
    if (std::find(disabled.begin(), disabled.end(), name) != disabled.end())
      rejected.emplace_back(name);
  };
  if (const auto* v = in.if_contains("volume"); v && !v->is_null()) {
    if (!v->is_number()) throw BadRequest{"Failed to read request"};
    check("volume");
    out["volume"] = v->to_number<double>();
  }
  if (const auto* v = in.if_contains("equalizer"); v && !v->is_null()) {
    if (!v->is_array()) throw BadRequest{"Failed to read request"};
    check("equalizer");
    json::array bands;
    for (const auto& b : v->get_array()) {
      const auto* band = b.is_object() ? b.get_object().if_contains("band") : nullptr;
      const auto* gain = b.is_object() ? b.get_object().if_contains("gain") : nullptr;
      if (!band || !band->is_number() || (gain && !gain->is_number()))
        throw BadRequest{"Failed to read request"};
      bands.push_back(json::object{{"band", band->to_number<std::int64_t>()},
                                   {"gain", gain ? gain->to_number<double>() : 0.0}});
    }
    out["equalizer"] = std::move(bands);
  }
  for (const auto& [name, fields] : filter_defaults()) {
    const auto* v = in.if_contains(name);
    if (!v || v->is_null()) continue;
    if (!v->is_object()) throw BadRequest{"Failed to read request"};
    check(name);
    json::object filter;
    for (const auto& [field, fallback] : fields) {
      const auto* given = v->get_object().if_contains(field);
      if (given && !given->is_number() && !given->is_null())
        throw BadRequest{"Failed to read request"};
      filter[field] = given && given->is_number() ? given->to_number<double>() : fallback;
    }
    out[name] = std::move(filter);
  }
  if (const auto* v = in.if_contains("pluginFilters"); v && !v->is_null()) {
    if (!v->is_object()) throw BadRequest{"Failed to read request"};
    out["pluginFilters"] = v->get_object();
  }
  if (!rejected.empty()) {
    std::string list;
    for (const auto& r : rejected) list += (list.empty() ? "" : ", ") + r;
    throw BadRequest{"Following filters are disabled in the config: " + list};
  }
  return out;
}

// A PATCH body after deserialization: present/absent kept apart from null.
struct Update {
  const json::value* track = nullptr;
  const json::value* encoded = nullptr;  // track.encoded, or the deprecated encodedTrack
  const json::value* identifier = nullptr;
  const json::value* user_data = nullptr;
  const json::value* position = nullptr;
  const json::value* end_time = nullptr;
  const json::value* volume = nullptr;
  const json::value* paused = nullptr;
  const json::value* filters = nullptr;
  const json::value* voice = nullptr;
  bool legacy = false;
};

Update parse_update(const json::object& o) {
  Update u;
  const auto field = [&](std::string_view name) { return o.if_contains(name); };
  const auto bad = [] { return BadRequest{"Failed to read request"}; };
  u.track = field("track");
  const auto* legacy_encoded = field("encodedTrack");
  const auto* legacy_identifier = field("identifier");
  u.position = field("position");
  u.end_time = field("endTime");
  u.volume = field("volume");
  u.paused = field("paused");
  u.filters = field("filters");
  u.voice = field("voice");
  if (u.track && !u.track->is_object()) throw bad();
  if (legacy_encoded && !legacy_encoded->is_string() && !legacy_encoded->is_null()) throw bad();
  if (legacy_identifier && !legacy_identifier->is_string()) throw bad();
  if (u.position && !u.position->is_int64()) throw bad();
  if (u.end_time && !u.end_time->is_int64() && !u.end_time->is_null()) throw bad();
  if (u.volume && !u.volume->is_int64()) throw bad();
  if (u.paused && !u.paused->is_bool()) throw bad();
  if (u.filters && !u.filters->is_object()) throw bad();
  if (u.voice) {
    if (!u.voice->is_object()) throw bad();
    for (const auto name : {"token", "endpoint", "sessionId", "channelId"}) {
      const auto* f = u.voice->get_object().if_contains(name);
      if (!f)
        throw BadRequest{
            missing_field(name, "dev.arbjerg.lavalink.protocol.v4.VoiceState", "$.voice")};
      if (!f->is_string()) throw bad();
    }
  }
  if (u.track) {
    const auto& t = u.track->get_object();
    u.encoded = t.if_contains("encoded");
    u.identifier = t.if_contains("identifier");
    u.user_data = t.if_contains("userData");
    if (u.encoded && !u.encoded->is_string() && !u.encoded->is_null()) throw bad();
    if (u.identifier && !u.identifier->is_string()) throw bad();
    if (u.user_data && !u.user_data->is_object()) throw bad();
  }
  if (u.track && (legacy_encoded || legacy_identifier))
    throw BadRequest{"Cannot specify both track and encodedTrack/identifier"};
  if (!u.track) {
    u.encoded = legacy_encoded;
    u.identifier = legacy_identifier;
    u.legacy = legacy_encoded || legacy_identifier;
  }
  if (u.encoded && u.identifier)
    throw BadRequest{"Cannot specify both encodedTrack and identifier"};
  return u;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

HttpResponse LavalinkServer::Impl::patch_player(const HttpRequest& request,
                                                detail::LavalinkSession* found,
                                                const std::string& guild_id) {
  json::error_code ec;
  const auto body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return lavalink_error(request, 400, "Failed to read request");
  Update u;
  json::object filters;
  try {
    u = parse_update(body.get_object());
    if (u.filters) filters = normalize_filters(u.filters->get_object(), options.disabled_filters);
    if (u.voice) {
      const auto& v = u.voice->get_object();
      if (blank(v.at("token").get_string()) || blank(v.at("endpoint").get_string()) ||
          blank(v.at("sessionId").get_string()) || blank(v.at("channelId").get_string()))
        throw BadRequest{
            "token, endpoint, sessionId and channelId must be provided in voice state"};
    }
    if (u.end_time && u.end_time->is_int64() && u.end_time->get_int64() <= 0)
      throw BadRequest{"End time must be greater than 0"};
    // Lavalink clamps the volume; NodeLink refuses it.
    if (options.flavor == LavalinkFlavor::nodelink && u.volume &&
        (u.volume->get_int64() < 0 || u.volume->get_int64() > 1000))
      throw BadRequest{"The volume must be between 0 and 1000."};
  } catch (const BadRequest& e) {
    return lavalink_error(request, 400, e.message);
  }
  if (!found) return lavalink_error(request, 404, "Session not found");
  auto& session = *found;
  const auto no_replace = request.query_param("noReplace") == "true";
  const bool new_track = u.encoded || u.identifier;

  auto [it, created] = session.players.try_emplace(guild_id);
  auto& player = it->second;
  if (created) player.guild_id = guild_id;

  if (u.voice) {
    const auto& v = u.voice->get_object();
    detail::LavalinkVoice voice{
        std::string(v.at("token").get_string()), std::string(v.at("endpoint").get_string()),
        std::string(v.at("sessionId").get_string()), std::string(v.at("channelId").get_string())};
    const bool changed = !player.voice || player.voice->token != voice.token ||
                         player.voice->endpoint != voice.endpoint ||
                         player.voice->session_id != voice.session_id ||
                         player.voice->channel_id != voice.channel_id;
    player.voice = std::move(voice);
    // The voice gateway's ready is followed by a playerUpdate on the real server.
    if (changed) send_player_update(session, player);
  }
  if (!new_track) {
    if (u.paused) set_paused(session, player, u.paused->get_bool());
    if (u.user_data && player.track) player.track->user_data = u.user_data->get_object();
  }
  if (u.volume)
    player.volume = static_cast<int>(std::clamp<std::int64_t>(u.volume->get_int64(), 0, 1000));
  if (!new_track && u.position && player.track) {
    seek(session, player, u.position->get_int64());
    send_player_update(session, player);
  }
  // The server's takeIfPresent skips null: endTime null does not clear a marker.
  if (!new_track && u.end_time && u.end_time->is_int64() && player.track) {
    player.track->end_time = u.end_time->get_int64();
    schedule_end(session, player);
  }
  if (u.filters) {
    player.filters = std::move(filters);
    send_player_update(session, player);
  }
  if (new_track) {
    if (no_replace && player.track) return detail::json_response(200, player_json(player));
    const bool paused = u.paused ? u.paused->get_bool() : false;
    std::optional<detail::LavalinkPlaying> next;
    if (u.encoded && u.encoded->is_string()) {
      auto data = LavalinkTrackCodec::decode(u.encoded->get_string());
      if (!data)
        return lavalink_error(
            request, 500,
            "Failed to decode track due to a mismatching version or missing source manager");
      next.emplace();
      next->data = std::move(*data);
    } else if (u.identifier) {
      using Kind = detail::LavalinkCatalogue::Kind;
      const auto loaded = catalogue.load(u.identifier->get_string());
      switch (loaded.kind) {
        case Kind::track:
          next.emplace();
          next->data = loaded.tracks.front()->data;
          break;
        case Kind::playlist:
        case Kind::search:
          return lavalink_error(request, 400, "Cannot play a playlist or search result");
        case Kind::empty:
          return lavalink_error(request, 400, "No matches found for identifier");
        case Kind::error:
          return lavalink_error(request, 400, loaded.error_message);
        case Kind::unknown_type:
          return lavalink_error(request, 500, "Identifier returned unknown audio item type");
      }
    }
    set_paused(session, player, paused);
    if (next) {
      if (u.position) next->data.position = std::max<std::int64_t>(0, u.position->get_int64());
      if (u.user_data) next->user_data = u.user_data->get_object();
      if (u.end_time && u.end_time->is_int64()) next->end_time = u.end_time->get_int64();
      play(session, player, std::move(*next));
    } else {
      end_track(session, player, "stopped");
    }
  }
  auto answer = player_json(player);
  // NodeLink echoes a track object that named no track (only userData) as an empty object.
  if (options.flavor == LavalinkFlavor::nodelink && u.track && !new_track)
    answer["track"] = json::object();
  return detail::json_response(200, answer);
}

std::int64_t LavalinkServer::Impl::position(const detail::LavalinkPlayer& player,
                                            detail::Clock::time_point now) const {
  if (!player.track) return 0;
  const auto& t = *player.track;
  if (player.paused) return t.data.position;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - t.since).count();
  auto p = t.data.position + std::max<std::int64_t>(0, elapsed);
  if (!t.data.is_stream) p = std::min(p, t.data.length);
  return p;
}

json::object LavalinkServer::Impl::current_track_json(const detail::LavalinkPlayer& player) const {
  auto data = player.track->data;
  data.position = position(player, detail::Clock::now());
  // The server encodes the playing track afresh: version 3, at its current position.
  data.version = 3;
  auto encoded = LavalinkTrackCodec::encode(data);
  return detail::track_json(data, std::move(encoded), player.track->user_data);
}

json::object LavalinkServer::Impl::player_state_json(const detail::LavalinkPlayer& player) const {
  const bool connected = player.voice.has_value();
  return {{"time", detail::epoch_ms()},
          {"position", position(player, detail::Clock::now())},
          {"connected", connected},
          {"ping", connected ? 12 : -1}};
}

json::object LavalinkServer::Impl::player_json(const detail::LavalinkPlayer& player) const {
  json::object voice{{"token", ""}, {"endpoint", ""}, {"sessionId", ""}, {"channelId", nullptr}};
  if (!player.voice && options.flavor == LavalinkFlavor::nodelink)
    voice = detail::nodelink_no_voice();
  if (player.voice) {
    voice = {{"token", player.voice->token},
             {"endpoint", player.voice->endpoint},
             {"sessionId", player.voice->session_id},
             {"channelId", player.voice->channel_id}};
  }
  return {{"guildId", player.guild_id},
          {"track", player.track ? json::value(current_track_json(player)) : json::value(nullptr)},
          {"volume", player.volume},
          {"paused", player.paused},
          {"state", player_state_json(player)},
          {"voice", std::move(voice)},
          {"filters", player.filters}};
}

void LavalinkServer::Impl::play(detail::LavalinkSession& session, detail::LavalinkPlayer& player,
                                detail::LavalinkPlaying track) {
  if (player.track) end_track(session, player, "replaced");
  track.since = detail::Clock::now();
  player.track = std::move(track);
  emit(session, json::object{{"op", "event"},
                             {"type", "TrackStartEvent"},
                             {"guildId", player.guild_id},
                             {"track", current_track_json(player)}});
  schedule_end(session, player);
}

void LavalinkServer::Impl::end_track(detail::LavalinkSession& session,
                                     detail::LavalinkPlayer& player, std::string_view reason) {
  if (player.end_timer) player.end_timer->cancel();
  player.end_timer.reset();
  if (!player.track) return;
  auto track = current_track_json(player);
  player.track.reset();
  emit(session, json::object{{"op", "event"},
                             {"type", "TrackEndEvent"},
                             {"guildId", player.guild_id},
                             {"track", std::move(track)},
                             {"reason", reason}});
}

void LavalinkServer::Impl::set_paused(detail::LavalinkSession& session,
                                      detail::LavalinkPlayer& player, bool paused) {
  if (player.paused == paused) return;
  if (player.track) {
    const auto now = detail::Clock::now();
    player.track->data.position = position(player, now);
    player.track->since = now;
  }
  player.paused = paused;
  schedule_end(session, player);
}

void LavalinkServer::Impl::seek(detail::LavalinkSession& session, detail::LavalinkPlayer& player,
                                std::int64_t to) {
  if (!player.track) return;
  auto& data = player.track->data;
  data.position = std::max<std::int64_t>(0, data.is_stream ? to : std::min(to, data.length));
  player.track->since = detail::Clock::now();
  schedule_end(session, player);
}

void LavalinkServer::Impl::schedule_end(detail::LavalinkSession& session,
                                        detail::LavalinkPlayer& player) {
  if (player.end_timer) player.end_timer->cancel();
  player.end_timer.reset();
  if (!player.track || player.paused || player.track->data.is_stream) return;
  auto end = player.track->data.length;
  if (player.track->end_time) end = std::min(end, *player.track->end_time);
  const auto left = std::max<std::int64_t>(0, end - position(player, detail::Clock::now()));
  player.end_timer = start_timer(
      std::chrono::milliseconds(left), [session_id = session.id, guild = player.guild_id](
                                           Impl& self, boost::asio::steady_timer* timer) {
        auto* s = self.find_session(session_id);
        if (!s) return;
        const auto it = s->players.find(guild);
        if (it == s->players.end() || it->second.end_timer.get() != timer) return;
        // An end marker and the track's end alike say `finished` (TrackEndMarkerHandler).
        self.end_track(*s, it->second, "finished");
      });
}

void LavalinkServer::Impl::destroy_player(detail::LavalinkSession& session,
                                          const std::string& guild_id) {
  const auto it = session.players.find(guild_id);
  if (it == session.players.end()) return;
  // lavaplayer's destroy() stops the track with CLEANUP.
  end_track(session, it->second, "cleanup");
  session.players.erase(it);
}

void LavalinkServer::Impl::destroy_session(const std::string& session_id) {
  const auto it = sessions.find(session_id);
  if (it == sessions.end()) return;
  auto& session = it->second;
  for (auto* timer : {&session.stats_timer, &session.update_timer, &session.resume_timer})
    if (*timer) (*timer)->cancel();
  for (auto& [guild, player] : session.players)
    if (player.end_timer) player.end_timer->cancel();
  sessions.erase(it);
}

}  // namespace cadence::sim
