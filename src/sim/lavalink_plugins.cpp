// The plugin routes clients commonly call, in their plugins' shapes: LavaSearch
// (/v4/loadsearch, 204 when nothing matched), LavaLyrics (lyrics of an encoded track and of a
// player's current track, subscriptions) and SponsorBlock (categories on a player).
#include <boost/json.hpp>
#include <charconv>

#include "sim/lavalink_responses.hpp"
#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;
using detail::lavalink_error;

constexpr std::string_view sponsorblock_categories[] = {
    "sponsor", "selfpromo", "interaction", "intro", "outro", "preview", "music_offtopic", "filler"};
constexpr std::string_view search_types[] = {"track", "album", "artist", "playlist", "text"};

std::string_view strip_search_prefix(std::string_view query) {
  for (const auto prefix : {"sim:search:", "ytsearch:", "ytmsearch:", "scsearch:", "spsearch:",
                            "amsearch:", "dzsearch:", "ymsearch:", "tdsearch:"}) {
    const std::string_view p(prefix);
    if (query.starts_with(p)) return query.substr(p.size());
  }
  return query;
}

json::object lyrics_json(const LavalinkTrackData& track) {
  const auto step = std::max<std::int64_t>(1, track.length / 4);
  const std::string lines_text[] = {"(instrumental)", track.title, "sung by " + track.author,
                                    "(outro)"};
  json::array lines;
  std::string text;
  for (std::size_t i = 0; i < std::size(lines_text); ++i) {
    lines.push_back(json::object{{"timestamp", static_cast<std::int64_t>(i) * step},
                                 {"duration", step},
                                 {"line", lines_text[i]},
                                 {"plugin", json::object{}}});
    text += lines_text[i] + "\n";
  }
  return {{"sourceName", track.source_name},
          {"provider", "cadence-sim"},
          {"text", std::move(text)},
          {"lines", std::move(lines)},
          {"plugin", json::object{}}};
}

json::object search_group(std::string name, std::string_view type, std::string_view author,
                          std::size_t total) {
  return {{"info", json::object{{"name", std::move(name)}, {"selectedTrack", -1}}},
          {"pluginInfo", json::object{{"type", type},
                                      {"url", "https://example.invalid/sim/" + std::string(type)},
                                      {"artworkUrl", nullptr},
                                      {"author", author},
                                      {"totalTracks", total}}},
          {"tracks", json::array{}}};
}

}  // namespace

HttpResponse LavalinkServer::Impl::handle_plugin(const HttpRequest& request,
                                                 const std::vector<std::string>& seg,
                                                 std::string& key, bool& matched) {
  const auto n = seg.size();
  const auto& method = request.method;
  // Matches a path; false (and a 405 waiting in `wrong_method`) for another method.
  std::optional<HttpResponse> wrong_method;
  const auto is = [&](std::string_view m, std::string_view k) {
    matched = true;
    if (method != m) {
      if (!wrong_method)
        wrong_method =
            lavalink_error(request, 405, "Request method '" + method + "' is not supported");
      return false;
    }
    wrong_method.reset();
    key = std::string(m) + " " + std::string(k);
    return true;
  };

  if (n == 2 && seg[1] == "loadsearch" && is("GET", "/v4/loadsearch")) {
    const auto query = request.query_param("query");
    if (!query)
      return lavalink_error(request, 400,
                            "Required request parameter 'query' for method parameter type String "
                            "is not present");
    std::vector<std::string_view> types;
    if (const auto list = request.query_param("types"); list && !list->empty()) {
      std::string_view rest = *list;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto type = rest.substr(0, comma);
        if (std::find(std::begin(search_types), std::end(search_types), type) ==
            std::end(search_types))
          return lavalink_error(request, 400, "Unknown type: " + std::string(type));
        types.push_back(type);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else {
      types.assign(std::begin(search_types), std::end(search_types));
    }
    const auto wants = [&](std::string_view t) {
      return std::find(types.begin(), types.end(), t) != types.end();
    };
    const auto term = strip_search_prefix(*query);
    const auto found = catalogue.search(term);
    if (found.empty()) return HttpResponse::empty(204);
    json::array tracks, albums, artists, playlists, texts;
    std::vector<std::string> authors;
    for (const auto* t : found) {
      if (wants("track")) tracks.push_back(detail::track_json(t->data, t->encoded));
      if (std::find(authors.begin(), authors.end(), t->data.author) == authors.end())
        authors.push_back(t->data.author);
    }
    for (const auto& author : authors) {
      if (wants("album")) albums.push_back(search_group(author + " - Singles", "album", author, 1));
      if (wants("artist")) artists.push_back(search_group(author, "artist", author, 1));
    }
    if (wants("playlist"))
      playlists.push_back(search_group("Cadence Sim: " + std::string(term), "playlist",
                                       "cadence-sim", found.size()));
    if (wants("text"))
      texts.push_back(
          json::object{{"text", std::string(term) + " remix"}, {"plugin", json::object{}}});
    return detail::json_response(200, json::object{{"tracks", std::move(tracks)},
                                                   {"albums", std::move(albums)},
                                                   {"artists", std::move(artists)},
                                                   {"playlists", std::move(playlists)},
                                                   {"texts", std::move(texts)},
                                                   {"plugin", json::object{}}});
  }
  if (n == 2 && seg[1] == "lyrics" && is("GET", "/v4/lyrics")) {
    const auto encoded = request.query_param("track");
    if (!encoded)
      return lavalink_error(request, 400,
                            "Required request parameter 'track' for method parameter type String "
                            "is not present");
    const auto data = LavalinkTrackCodec::decode(*encoded);
    if (!data)
      return lavalink_error(
          request, 500,
          "Failed to decode track due to a mismatching version or missing source manager");
    if (data->is_stream) return lavalink_error(request, 404, "Lyrics not found");
    return detail::json_response(200, lyrics_json(*data));
  }

  // Player-scoped plugin routes: /v4/sessions/{sessionId}/players/{guildId}/...
  if (n < 6 || seg[1] != "sessions" || seg[3] != "players") {
    if (wrong_method) return std::move(*wrong_method);
    return {};
  }
  std::int64_t guild_number = 0;
  std::from_chars(seg[4].data(), seg[4].data() + seg[4].size(), guild_number);
  const auto guild = std::to_string(guild_number);
  auto* session = find_session(seg[2]);
  const auto player = [&]() -> detail::LavalinkPlayer* {
    if (!session) return nullptr;
    const auto it = session->players.find(guild);
    return it == session->players.end() ? nullptr : &it->second;
  };
  const auto missing = [&] {
    return lavalink_error(request, 404, session ? "Player not found" : "Session not found");
  };
  const std::string base = "/v4/sessions/{sessionId}/players/{guildId}";

  if (n == 7 && seg[5] == "track" && seg[6] == "lyrics" && is("GET", base + "/track/lyrics")) {
    auto* p = player();
    if (!p) return missing();
    if (!p->track) return lavalink_error(request, 404, "No track is playing");
    if (p->track->data.is_stream) return lavalink_error(request, 404, "Lyrics not found");
    return detail::json_response(200, lyrics_json(p->track->data));
  }
  if (n == 7 && seg[5] == "lyrics" && seg[6] == "subscribe") {
    const bool subscribe = is("POST", base + "/lyrics/subscribe");
    if (subscribe || is("DELETE", base + "/lyrics/subscribe")) {
      auto* p = player();
      if (!p) return missing();
      p->lyrics_subscribed = subscribe;
      if (subscribe && p->track) {
        const bool found = !p->track->data.is_stream;
        json::object event{{"op", "event"},
                           {"type", found ? "LyricsFoundEvent" : "LyricsNotFoundEvent"},
                           {"guildId", p->guild_id}};
        if (found) event["lyrics"] = lyrics_json(p->track->data);
        emit(*session, event);
      }
      return HttpResponse::empty(204);
    }
  }
  if (n == 7 && seg[5] == "sponsorblock" && seg[6] == "categories") {
    const auto path = base + "/sponsorblock/categories";
    if (is("GET", path)) {
      auto* p = player();
      if (!p) return missing();
      json::array out;
      for (const auto& c : p->sponsorblock_categories) out.emplace_back(c);
      return detail::json_response(200, out);
    }
    if (is("PUT", path)) {
      json::error_code ec;
      const auto body = json::parse(request.body, ec);
      if (ec || !body.is_array()) return lavalink_error(request, 400, "Failed to read request");
      std::vector<std::string> categories;
      for (const auto& c : body.get_array()) {
        if (!c.is_string()) return lavalink_error(request, 400, "Failed to read request");
        const std::string_view name = c.get_string();
        if (std::find(std::begin(sponsorblock_categories), std::end(sponsorblock_categories),
                      name) == std::end(sponsorblock_categories))
          return lavalink_error(request, 400, "Invalid category: " + std::string(name));
        categories.emplace_back(name);
      }
      auto* p = player();
      if (!p) return missing();
      p->sponsorblock_categories = std::move(categories);
      return HttpResponse::empty(204);
    }
    if (is("DELETE", path)) {
      auto* p = player();
      if (!p) return missing();
      p->sponsorblock_categories.clear();
      return HttpResponse::empty(204);
    }
  }
  if (wrong_method) return std::move(*wrong_method);
  return {};
}

}  // namespace cadence::sim
