#include "cadence/lavalink/rest.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <stdexcept>

#include "cadence/http/headers.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest_path.hpp"
#include "http/origin.hpp"
#include "lavalink/json_io.hpp"
#include "lavalink/rest_call.hpp"

namespace cadence::lavalink {

namespace asio = boost::asio;
namespace json = boost::json;
using detail::Call;
using detail::Expect;

namespace {

RestOptions checked(RestOptions options) {
  std::string& base = options.base_url;
  const bool http_url = base.rfind("http://", 0) == 0 || base.rfind("https://", 0) == 0;
  const std::size_t host_start = base.find("//") + 2;
  if (!http_url || base.size() <= host_start || base[host_start] == '/') {
    throw std::invalid_argument(
        "lavalink::RestOptions::base_url must be an http:// or https:// URL with a host, "
        "such as http://127.0.0.1:2333");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  // Found here rather than at the first request, so that a caller learns of a port out of range
  // or a user:password@ part as a bad argument. The URL itself is not quoted: it may hold one.
  try {
    (void)http::detail::parse_url(base);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("lavalink::RestOptions::base_url: ") + e.what());
  }
  // The values are not quoted: the password is a secret.
  if (!http::is_valid_field_value(options.password)) {
    throw std::invalid_argument("lavalink::RestOptions::password holds a line break or NUL");
  }
  if (!http::is_valid_field_value(options.user_agent)) {
    throw std::invalid_argument("lavalink::RestOptions::user_agent holds a line break or NUL");
  }
  if (!options.user_agent.empty()) options.http.user_agent = options.user_agent;
  return options;
}

template <class T>
auto model() {
  return [](const http::Response& r) { return json::value_to<T>(detail::parse_json(r)); };
}

// A top-level array whose elements keep their index in BuildError paths ("[2].info.title").
template <class T, class Read>
auto array_of(Read read) {
  return [read](const http::Response& r) {
    const json::value jv = detail::parse_json(r);
    const detail::Path root;
    const json::array& arr = detail::as_array(jv, root);
    std::vector<T> out;
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(read(arr[i], root.at(i)));
    return out;
  };
}

}  // namespace

Rest::Rest(executor_type executor, RestOptions options)
    : state_(std::make_shared<detail::RestState>()) {
  state_->executor = executor;
  state_->options = checked(std::move(options));
  state_->client = std::make_unique<http::Client>(executor, state_->options.http);
}

Rest::~Rest() {
  // Destroying the client completes its running requests with operation_aborted; the
  // coroutines waiting on them hold state_ and find no client afterwards.
  state_->client.reset();
}

Rest::executor_type Rest::get_executor() const noexcept { return state_->executor; }
const RestOptions& Rest::options() const noexcept { return state_->options; }

void Rest::start_load_tracks(std::string identifier, Handler<LoadResult> handler) {
  Call call{.target = "/v4/loadtracks?identifier=" + encode_query_value(identifier),
            .route = "GET /v4/loadtracks"};
  detail::spawn<LoadResult>(state_, std::move(call), std::move(handler), model<LoadResult>());
}

void Rest::start_decode_track(std::string encoded, Handler<Track> handler) {
  Call call{.target = "/v4/decodetrack?encodedTrack=" + encode_query_value(encoded),
            .route = "GET /v4/decodetrack"};
  detail::spawn<Track>(state_, std::move(call), std::move(handler), model<Track>());
}

void Rest::start_decode_tracks(std::vector<std::string> encoded,
                               Handler<std::vector<Track>> handler) {
  if (encoded.empty()) {
    // Nothing to ask; still completed through co_spawn, so never inside the initiating call.
    asio::co_spawn(
        state_->executor,
        []() -> asio::awaitable<std::vector<Track>> { co_return std::vector<Track>(); },
        std::move(handler));
    return;
  }
  json::array body;
  body.reserve(encoded.size());
  for (auto& e : encoded) body.emplace_back(std::move(e));
  Call call{.method = http::Method::post,
            .target = "/v4/decodetracks",
            .body = json::serialize(body),
            .route = "POST /v4/decodetracks",
            .idempotent = true};
  detail::spawn<std::vector<Track>>(state_, std::move(call), std::move(handler),
                                    array_of<Track>(detail::read_track));
}

void Rest::start_get_players(std::string session_id, Handler<std::vector<Player>> handler) {
  Call call{.target = "/v4/sessions/" + encode_path_segment(session_id) + "/players",
            .route = "GET /v4/sessions/{sessionId}/players",
            .invalid = detail::check_session(session_id)};
  detail::spawn<std::vector<Player>>(state_, std::move(call), std::move(handler),
                                     array_of<Player>(detail::read_player));
}

void Rest::start_get_player(std::string session_id, Snowflake guild_id, Handler<Player> handler) {
  Call call{.target = detail::player_path(session_id, guild_id),
            .route = "GET /v4/sessions/{sessionId}/players/{guildId}",
            .invalid = detail::check_session(session_id)};
  detail::spawn<Player>(state_, std::move(call), std::move(handler), model<Player>());
}

void Rest::start_update_player(std::string session_id, Snowflake guild_id, PlayerUpdate update,
                               bool no_replace, Handler<Player> handler) {
  Call call{.method = http::Method::patch,
            .target = detail::player_path(session_id, guild_id),
            .route = "PATCH /v4/sessions/{sessionId}/players/{guildId}",
            .invalid = detail::check_session(session_id)};
  if (no_replace) call.target += "?noReplace=true";
  if (!call.invalid) {
    try {
      update.validate();
      call.body = json::serialize(json::value_from(update));
    } catch (...) {
      call.invalid = std::current_exception();
    }
  }
  detail::spawn<Player>(state_, std::move(call), std::move(handler), model<Player>());
}

void Rest::start_destroy_player(std::string session_id, Snowflake guild_id, VoidHandler handler) {
  Call call{.method = http::Method::del,
            .target = detail::player_path(session_id, guild_id),
            .expect = Expect::no_body,
            .route = "DELETE /v4/sessions/{sessionId}/players/{guildId}",
            .invalid = detail::check_session(session_id)};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

void Rest::start_update_session(std::string session_id, SessionUpdate update,
                                Handler<SessionState> handler) {
  Call call{.method = http::Method::patch,
            .target = "/v4/sessions/" + encode_path_segment(session_id),
            .body = json::serialize(json::value_from(update)),
            .route = "PATCH /v4/sessions/{sessionId}",
            // Setting the same values twice has the effect of setting them once.
            .idempotent = true,
            .invalid = detail::check_session(session_id),
            .optional_route = true};
  detail::spawn<SessionState>(state_, std::move(call), std::move(handler), model<SessionState>());
}

void Rest::start_info(Handler<Info> handler) {
  Call call{.target = "/v4/info", .route = "GET /v4/info"};
  detail::spawn<Info>(state_, std::move(call), std::move(handler), model<Info>());
}

void Rest::start_stats(Handler<Stats> handler) {
  Call call{.target = "/v4/stats", .route = "GET /v4/stats"};
  detail::spawn<Stats>(state_, std::move(call), std::move(handler), model<Stats>());
}

void Rest::start_version(Handler<std::string> handler) {
  Call call{.target = "/version", .route = "GET /version"};
  detail::spawn<std::string>(state_, std::move(call), std::move(handler),
                             [](const http::Response& r) { return r.body; });
}

void Rest::start_routeplanner_status(Handler<std::optional<RoutePlannerStatus>> handler) {
  Call call{.target = "/v4/routeplanner/status",
            .expect = Expect::body_or_204,
            .route = "GET /v4/routeplanner/status",
            .optional_route = true};
  detail::spawn<std::optional<RoutePlannerStatus>>(
      state_, std::move(call), std::move(handler),
      [](const http::Response& r) -> std::optional<RoutePlannerStatus> {
        if (r.status == 204) return std::nullopt;
        return json::value_to<RoutePlannerStatus>(detail::parse_json(r));
      });
}

void Rest::start_free_address(std::string address, VoidHandler handler) {
  Call call{.method = http::Method::post,
            .target = "/v4/routeplanner/free/address",
            .body = json::serialize(json::object{{"address", address}}),
            .expect = Expect::no_body,
            .route = "POST /v4/routeplanner/free/address",
            .idempotent = true,
            .optional_route = true};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

void Rest::start_free_all_addresses(VoidHandler handler) {
  Call call{.method = http::Method::post,
            .target = "/v4/routeplanner/free/all",
            .expect = Expect::no_body,
            .route = "POST /v4/routeplanner/free/all",
            .idempotent = true,
            .optional_route = true};
  detail::spawn_void(state_, std::move(call), std::move(handler));
}

}  // namespace cadence::lavalink
