// Rest's routes for plugins: the generic request, and typed helpers for LavaSearch,
// LavaLyrics and SponsorBlock (paths and shapes from each plugin's README).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/lavalink/rest_path.hpp"
#include "lavalink/json_io.hpp"
#include "lavalink/rest_call.hpp"

namespace cadence::lavalink {

namespace json = boost::json;
using detail::Call;
using detail::Expect;

namespace {

const char* skip_param(bool skip) {
  return skip ? "skipTrackSource=true" : "skipTrackSource=false";
}

std::optional<Lyrics> optional_lyrics(const http::Response& r) {
  if (r.status == 204) return std::nullopt;
  return json::value_to<Lyrics>(detail::parse_json(r));
}

bool is_json_type(std::string_view type) {
  return type.find("json") != std::string_view::npos || type.find("JSON") != std::string_view::npos;
}

// A plugin's target goes after the base URL as is, so it must be a path, and must not smuggle
// a second request line or header in.
std::exception_ptr check_target(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return std::make_exception_ptr(
        std::invalid_argument("lavalink::Rest::request: the path must start with '/'"));
  }
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F) {
      return std::make_exception_ptr(std::invalid_argument(
          "lavalink::Rest::request: the path holds a space or control character; "
          "percent-encode it (encode_path_segment, encode_query_value)"));
    }
  }
  return nullptr;
}

}  // namespace

void Rest::start_request(http::Method method, std::string path,
                         std::optional<boost::json::value> body,
                         Handler<boost::json::value> handler) {
  Call call{.method = method,
            .target = std::move(path),
            .expect = Expect::anything,
            .route = "plugin route"};
  call.invalid = check_target(call.target);
  if (body) call.body = json::serialize(*body);
  detail::spawn<json::value>(state_, std::move(call), std::move(handler),
                             [](const http::Response& r) -> json::value {
                               if (r.body.empty()) return nullptr;
                               const auto type = r.headers.get("Content-Type");
                               if (type && !is_json_type(*type)) return json::string(r.body);
                               boost::system::error_code ec;
                               json::value jv = json::parse(r.body, ec);
                               if (ec) return json::string(r.body);
                               return jv;
                             });
}

void Rest::start_request_raw(http::Method method, std::string path, std::optional<std::string> body,
                             Handler<http::Response> handler) {
  Call call{.method = method,
            .target = std::move(path),
            .body = std::move(body),
            .expect = Expect::anything,
            .route = "plugin route"};
  call.invalid = check_target(call.target);
  detail::spawn<http::Response>(state_, std::move(call), std::move(handler),
                                [](http::Response& r) { return std::move(r); });
}

void Rest::start_load_search(LavaSearchQuery query,
                             Handler<std::optional<LavaSearchResult>> handler) {
  Call call{.target = "/v4/loadsearch?query=" + encode_query_value(query.query),
            .expect = Expect::body_or_204,
            .route = "GET /v4/loadsearch"};
  if (!query.types.empty()) {
    call.target += "&types=";
    for (std::size_t i = 0; i < query.types.size(); ++i) {
      if (i > 0) call.target += "%2C";
      call.target += encode_query_value(query.types[i]);
    }
  }
  detail::spawn<std::optional<LavaSearchResult>>(
      state_, std::move(call), std::move(handler),
      [](const http::Response& r) -> std::optional<LavaSearchResult> {
        if (r.status == 204) return std::nullopt;
        return json::value_to<LavaSearchResult>(detail::parse_json(r));
      });
}

void Rest::start_lyrics(std::string encoded_track, bool skip_track_source,
                        Handler<std::optional<Lyrics>> handler) {
  Call call{.target = "/v4/lyrics?track=" + encode_query_value(encoded_track) + "&" +
                      skip_param(skip_track_source),
            .expect = Expect::body_or_204,
            .route = "GET /v4/lyrics"};
  detail::spawn<std::optional<Lyrics>>(state_, std::move(call), std::move(handler),
                                       optional_lyrics);
}

void Rest::start_player_lyrics(std::string session_id, Snowflake guild_id, bool skip_track_source,
                               Handler<std::optional<Lyrics>> handler) {
  Call call{.target = detail::player_path(session_id, guild_id) + "/track/lyrics?" +
                      skip_param(skip_track_source),
            .expect = Expect::body_or_204,
            .route = "GET /v4/sessions/{sessionId}/players/{guildId}/track/lyrics",
            .invalid = detail::check_session(session_id)};
  detail::spawn<std::optional<Lyrics>>(state_, std::move(call), std::move(handler),
                                       optional_lyrics);
}

void Rest::start_subscribe_lyrics(std::string session_id, Snowflake guild_id, bool subscribe,
                                  VoidHandler handler) {
  Call call{.method = subscribe ? http::Method::post : http::Method::del,
            .target = detail::player_path(session_id, guild_id) + "/lyrics/subscribe",
            .expect = Expect::no_body,
            .route = subscribe
                         ? "POST /v4/sessions/{sessionId}/players/{guildId}/lyrics/subscribe"
                         : "DELETE /v4/sessions/{sessionId}/players/{guildId}/lyrics/subscribe",
            .idempotent = true,
            .invalid = detail::check_session(session_id)};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

void Rest::start_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                         Handler<std::vector<std::string>> handler) {
  Call call{.target = detail::player_path(session_id, guild_id) + "/sponsorblock/categories",
            .route = "GET /v4/sessions/{sessionId}/players/{guildId}/sponsorblock/categories",
            .invalid = detail::check_session(session_id)};
  detail::spawn<std::vector<std::string>>(state_, std::move(call), std::move(handler),
                                          [](const http::Response& r) {
                                            const json::value jv = detail::parse_json(r);
                                            const detail::Path root;
                                            const json::array& arr = detail::as_array(jv, root);
                                            std::vector<std::string> out;
                                            out.reserve(arr.size());
                                            for (std::size_t i = 0; i < arr.size(); ++i) {
                                              out.push_back(detail::as_string(arr[i], root.at(i)));
                                            }
                                            return out;
                                          });
}

void Rest::start_set_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                             std::vector<std::string> categories,
                                             VoidHandler handler) {
  json::array body;
  for (auto& c : categories) body.emplace_back(std::move(c));
  Call call{.method = http::Method::put,
            .target = detail::player_path(session_id, guild_id) + "/sponsorblock/categories",
            .body = json::serialize(body),
            .expect = Expect::no_body,
            .route = "PUT /v4/sessions/{sessionId}/players/{guildId}/sponsorblock/categories",
            .invalid = detail::check_session(session_id)};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

void Rest::start_clear_sponsorblock_categories(std::string session_id, Snowflake guild_id,
                                               VoidHandler handler) {
  Call call{.method = http::Method::del,
            .target = detail::player_path(session_id, guild_id) + "/sponsorblock/categories",
            .expect = Expect::no_body,
            .route = "DELETE /v4/sessions/{sessionId}/players/{guildId}/sponsorblock/categories",
            .invalid = detail::check_session(session_id)};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

}  // namespace cadence::lavalink
