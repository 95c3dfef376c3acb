// The REST side of the simulated Lavalink: auth, routing, the core routes, and LavalinkServer's
// public functions. Players live in lavalink_players.cpp, plugins in lavalink_plugins.cpp.
#include "cadence/sim/lavalink_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <ctime>
#include <thread>

#include "sim/lavalink_flavor.hpp"
#include "sim/lavalink_responses.hpp"
#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;
using detail::json_response;

// What the catalogue should load for an identifier on a server with these source managers: a
// search prefix of a source the server lacks finds nothing (as on a server without it), and
// LavaSrc's "spsearch:" searches the catalogue when "spotify" is listed.
std::string searchable(const std::string& identifier, const std::vector<std::string>& sources) {
  static constexpr std::pair<std::string_view, std::string_view> prefixes[] = {
      {"ytsearch:", "youtube"},
      {"ytmsearch:", "youtube"},
      {"scsearch:", "soundcloud"},
      {"spsearch:", "spotify"}};
  for (const auto& [prefix, source] : prefixes) {
    if (!identifier.starts_with(prefix)) continue;
    if (std::find(sources.begin(), sources.end(), source) == sources.end()) return "sim:empty";
    if (source == "spotify") return "sim:search:" + identifier.substr(prefix.size());
  }
  return identifier;
}
using detail::lavalink_error;

constexpr std::string_view all_filters[] = {"volume",     "equalizer", "karaoke",  "timescale",
                                            "tremolo",    "vibrato",   "rotation", "distortion",
                                            "channelMix", "lowPass"};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

// Java's Date.toString() in UTC, as the route planner's failingTime.
std::string java_date(std::int64_t epoch_ms) {
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buffer;
}

bool json_content(const HttpRequest& request) {
  const auto type = request.header("Content-Type");
  return type && type->find("json") != std::string_view::npos;
}

HttpResponse unsupported_media(const HttpRequest& request) {
  const auto type = request.header("Content-Type");
  return lavalink_error(request, 415,
                        "Content-Type '" + std::string(type.value_or("application/octet-stream")) +
                            "' is not supported.");
}

std::optional<json::value> parse_body(const HttpRequest& request) {
  json::error_code ec;
  auto value = json::parse(request.body, ec);
  if (ec) return std::nullopt;
  return value;
}

HttpServerOptions http_options(const LavalinkServerOptions& options) {
  HttpServerOptions http;
  http.address = options.address;
  http.port = options.port;
  http.server_name = "cadence-sim-lavalink";
  return http;
}

}  // namespace

std::string_view to_string(RoutePlannerClass planner) noexcept {
  switch (planner) {
    case RoutePlannerClass::rotating:
      return "RotatingIpRoutePlanner";
    case RoutePlannerClass::nano:
      return "NanoIpRoutePlanner";
    case RoutePlannerClass::rotating_nano:
      return "RotatingNanoIpRoutePlanner";
    case RoutePlannerClass::balancing:
      return "BalancingIpRoutePlanner";
    case RoutePlannerClass::none:
      break;
  }
  return {};
}

std::string_view to_string(LavalinkFlavor flavor) noexcept {
  return flavor == LavalinkFlavor::nodelink ? "nodelink" : "lavalink";
}

std::optional<LavalinkFlavor> parse_flavor(std::string_view name) noexcept {
  for (const auto f : {LavalinkFlavor::lavalink, LavalinkFlavor::nodelink})
    if (to_string(f) == name) return f;
  return std::nullopt;
}

std::optional<RoutePlannerClass> parse_route_planner(std::string_view name) noexcept {
  for (const auto p :
       {RoutePlannerClass::none, RoutePlannerClass::rotating, RoutePlannerClass::nano,
        RoutePlannerClass::rotating_nano, RoutePlannerClass::balancing})
    if (to_string(p) == name) return p;
  if (name == "none") return RoutePlannerClass::none;
  return std::nullopt;
}

LavalinkServer::Impl::Impl(const boost::asio::any_io_executor& ex, LavalinkServerOptions opts)
    : executor(ex), options(std::move(opts)) {
  route_planner.planner = options.route_planner;
}

void LavalinkServer::Impl::start() {
  server.emplace(executor, http_options(options),
                 HttpServer::AsyncHandler([this](HttpRequest request, Responder responder) {
                   receive(std::move(request), std::move(responder));
                 }));
  WebSocketRoute ws;
  ws.accept = [this](const HttpRequest& request) { return accept_websocket(request); };
  ws.open = [this](WebSocketSession socket) { open_websocket(std::move(socket)); };
  server->on_websocket("/v4/websocket", std::move(ws));
}

void LavalinkServer::Impl::stop() {
  std::map<std::string, detail::LavalinkSession> gone;
  {
    std::lock_guard lock(mutex);
    if (stopped) return;
    stopped = true;
    for (const auto& timer : uplink_timers) timer->cancel();
    uplink_timers.clear();
    for (auto& [id, session] : sessions) {
      for (auto* timer : {&session.stats_timer, &session.update_timer, &session.resume_timer})
        if (*timer) (*timer)->cancel();
      for (auto& [guild, player] : session.players)
        if (player.end_timer) player.end_timer->cancel();
    }
  }
  // Outside the lock: stop() waits for handlers, which take it.
  if (server) server->stop();
  std::lock_guard lock(mutex);
  gone.swap(sessions);
}

void LavalinkServer::Impl::count(const HttpResponse& response) {
  if (response.action != HttpAction::respond && response.action != HttpAction::truncate) return;
  if (response.status >= 200 && response.status < 300) ++counters.responses_2xx;
  if (response.status >= 400 && response.status < 500) ++counters.responses_4xx;
  if (response.status >= 500) ++counters.responses_5xx;
  if (response.status == 401) ++counters.unauthorized;
  if (response.status == 403) ++counters.forbidden;
  if (response.status == 404) ++counters.not_found;
}

std::optional<LavalinkFault> LavalinkServer::Impl::take_fault(const HttpRequest& request,
                                                              bool upgrade) {
  using Kind = LavalinkFault::Kind;
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (upgrade && (it->path.empty() || (it->kind != Kind::status && it->kind != Kind::error &&
                                         it->kind != Kind::close && it->kind != Kind::reset)))
      continue;
    if (!it->path.empty() && request.path.find(it->path) == std::string::npos) continue;
    if (!it->method.empty() && !iequals(it->method, request.method)) continue;
    LavalinkFault fault = *it;
    if (--it->count == 0) faults.erase(it);
    ++counters.faults;
    return fault;
  }
  return std::nullopt;
}

void LavalinkServer::Impl::receive(HttpRequest request, Responder responder) {
  std::chrono::milliseconds uplink{0};
  detail::TimerPtr timer;
  {
    std::lock_guard lock(mutex);
    uplink = options.latency / 2;
    if (uplink.count() > 0 && !stopped && !request.path.starts_with("/__sim/")) {
      timer = std::make_shared<boost::asio::steady_timer>(executor, uplink);
      uplink_timers.insert(timer);
    }
  }
  if (!timer) {
    responder.send(handle(request));
    return;
  }
  // A stopped server drops the Responder unanswered; its connection is closing anyway.
  timer->async_wait(
      [weak = weak_from_this(), timer, request = std::move(request),
       responder = std::move(responder)](const boost::system::error_code& ec) mutable {
        const auto self = weak.lock();
        if (ec || !self) return;
        {
          std::lock_guard lock(self->mutex);
          if (self->stopped) return;
          self->uplink_timers.erase(timer);
        }
        responder.send(self->handle(request));
      });
}

HttpResponse LavalinkServer::Impl::handle(const HttpRequest& request) {
  std::lock_guard lock(mutex);
  if (request.path.starts_with("/__sim/")) return handle_control(request);
  ++counters.requests;
  const auto fault = take_fault(request);
  HttpResponse response;
  std::string route_key;
  using Kind = LavalinkFault::Kind;
  if (fault && fault->kind == Kind::status) {
    response =
        HttpResponse::text(fault->status, std::string(detail::lavalink_reason(fault->status)),
                           "text/html;charset=utf-8");
  } else if (fault && fault->kind == Kind::error) {
    response = lavalink_error(request, fault->status, "Simulated failure");
  } else if (fault && (fault->kind == Kind::close || fault->kind == Kind::reset)) {
    response = HttpResponse::drop(downlink() + fault->delay, fault->kind == Kind::reset);
    return response;
  } else {
    const auto authorization = request.header("Authorization");
    if (!authorization) {
      response = HttpResponse::empty(401);
    } else if (*authorization != options.password) {
      response = HttpResponse::empty(403);
    } else {
      response = route(request, route_key);
    }
  }
  if (!route_key.empty()) ++counters.routes[route_key];
  if (fault) {
    switch (fault->kind) {
      case Kind::delay:
        response.delay += fault->delay;
        break;
      case Kind::malformed:
        response.body = R"({"loadType":"track","data":{"encoded":)";
        response.set_header("Content-Type", "application/json");
        if (response.status == 204) response.status = 200;
        break;
      case Kind::wrong_shape:
        response.body = !response.body.empty() && response.body.front() == '['
                            ? R"({"cadence-sim":"an object where an array belongs"})"
                            : R"(["cadence-sim","an array where an object belongs"])";
        response.set_header("Content-Type", "application/json");
        if (response.status == 204) response.status = 200;
        break;
      case Kind::empty:
        response.body.clear();
        if (response.status == 204) response.status = 200;
        break;
      case Kind::truncate:
        response.action = HttpAction::truncate;
        // Headers plus half the body: the length promised, the bytes not delivered.
        response.truncate_after = 128 + response.body.size() / 2;
        if (response.body.empty()) response.body = "{}";
        break;
      default:
        break;
    }
  }
  response.set_header("Lavalink-Api-Version", "4");
  response.delay += downlink();
  count(response);
  return response;
}

HttpResponse LavalinkServer::Impl::route(const HttpRequest& request, std::string& key) {
  const auto seg = split_path(request.path);
  const auto& method = request.method;
  // Known path, other method: Spring's 405.
  bool path_known = false;
  const auto is = [&](std::string_view m, std::string_view k) {
    path_known = true;
    if (method != m) return false;
    key = std::string(m) + " " + std::string(k);
    return true;
  };
  const auto n = seg.size();
  const bool nodelink = options.flavor == LavalinkFlavor::nodelink;

  if (n == 1 && seg[0] == "version" && is("GET", "/version"))
    return HttpResponse::text(200, nodelink ? std::string(detail::nodelink_version()) : "4.2.2",
                              "text/plain;charset=UTF-8");
  if (n >= 1 && seg[0] == "v4") {
    if (nodelink && detail::nodelink_lacks(seg, method))
      return lavalink_error(request, 404, "The requested route was not found.");
    if (n == 2 && seg[1] == "info" && is("GET", "/v4/info")) {
      json::array filters;
      for (const auto f : all_filters)
        if (std::find(options.disabled_filters.begin(), options.disabled_filters.end(), f) ==
            options.disabled_filters.end())
          filters.emplace_back(f);
      if (nodelink)
        return json_response(200,
                             detail::nodelink_info(std::move(filters), options.source_managers));
      const json::object info{
          {"version", json::object{{"semver", "4.2.2"},
                                   {"major", 4},
                                   {"minor", 2},
                                   {"patch", 2},
                                   {"preRelease", nullptr},
                                   {"build", nullptr}}},
          {"buildTime", 1775908800000},
          {"git",
           json::object{{"branch", "main"}, {"commit", "d7d5a54"}, {"commitTime", 1775908800000}}},
          {"jvm", "21.0.6"},
          {"lavaplayer", "2.2.4"},
          {"sourceManagers",
           json::array(options.source_managers.begin(), options.source_managers.end())},
          {"filters", std::move(filters)},
          {"plugins",
           json::array{json::object{{"name", "lavasearch-plugin"}, {"version", "1.0.0"}},
                       json::object{{"name", "lavalyrics-plugin"}, {"version", "1.1.0"}},
                       json::object{{"name", "sponsorblock-plugin"}, {"version", "3.0.1"}}}}};
      return json_response(200, info);
    }
    if (n == 2 && seg[1] == "stats" && is("GET", "/v4/stats"))
      return json_response(200, stats_json(nullptr));
    if (n == 2 && seg[1] == "websocket" && is("GET", "/v4/websocket"))
      return lavalink_error(request, 400, "Can \"Upgrade\" only to \"WebSocket\".");
    if (n == 2 && seg[1] == "loadtracks" && is("GET", "/v4/loadtracks")) {
      const auto identifier = request.query_param("identifier");
      if (!identifier)
        return lavalink_error(request, 400,
                              "Required request parameter 'identifier' for method parameter type "
                              "String is not present");
      const auto loaded =
          catalogue.load(searchable(std::string(*identifier), options.source_managers));
      if (loaded.kind == detail::LavalinkCatalogue::Kind::unknown_type)
        return lavalink_error(request, 500, "Identifier returned unknown audio item type");
      return json_response(200, detail::LavalinkCatalogue::result_json(loaded));
    }
    if (n == 2 && seg[1] == "decodetrack" && is("GET", "/v4/decodetrack")) {
      auto encoded = request.query_param("encodedTrack");
      if (!encoded) encoded = request.query_param("track");
      if (!encoded || encoded->empty())
        return lavalink_error(request, 400, "No track to decode provided");
      const auto data = LavalinkTrackCodec::decode(*encoded);
      if (!data)
        return lavalink_error(
            request, 500,
            "Failed to decode track due to a mismatching version or missing source manager");
      return json_response(200, detail::track_json(*data, std::string(*encoded)));
    }
    if (n == 2 && seg[1] == "decodetracks" && is("POST", "/v4/decodetracks")) {
      if (!json_content(request)) return unsupported_media(request);
      const auto body = parse_body(request);
      if (!body || !body->is_array()) return lavalink_error(request, 400, "Failed to read request");
      if (body->get_array().empty())
        return lavalink_error(request, 400, "No tracks to decode provided");
      json::array out;
      for (const auto& item : body->get_array()) {
        if (!item.is_string()) return lavalink_error(request, 400, "Failed to read request");
        const auto data = LavalinkTrackCodec::decode(item.get_string());
        if (!data)
          return lavalink_error(
              request, 500,
              "Failed to decode track due to a mismatching version or missing source manager");
        out.push_back(detail::track_json(*data, std::string(item.get_string())));
      }
      return json_response(200, out);
    }
    if (n >= 2 && seg[1] == "routeplanner") {
      const bool enabled = route_planner.planner != RoutePlannerClass::none;
      if (n == 3 && seg[2] == "status" && is("GET", "/v4/routeplanner/status")) {
        if (!enabled) return HttpResponse::empty(204);
        json::array failing;
        for (const auto& [address, when] : route_planner.failing)
          failing.push_back(json::object{{"failingAddress", address},
                                         {"failingTimestamp", when},
                                         {"failingTime", java_date(when)}});
        const bool v4 = route_planner.planner == RoutePlannerClass::balancing;
        json::object details{
            {"ipBlock", json::object{{"type", v4 ? "Inet4Address" : "Inet6Address"},
                                     {"size", v4 ? "256" : "1208925819614629174706176"}}},
            {"failingAddresses", std::move(failing)}};
        switch (route_planner.planner) {
          case RoutePlannerClass::rotating:
            details["rotateIndex"] = "0";
            details["ipIndex"] = "0";
            details["currentAddress"] = "2001:db8::1";
            break;
          case RoutePlannerClass::nano:
            details["currentAddressIndex"] = "0";
            break;
          case RoutePlannerClass::rotating_nano:
            details["blockIndex"] = "0";
            details["currentAddressIndex"] = "0";
            break;
          default:
            break;
        }
        return json_response(200, json::object{{"class", to_string(route_planner.planner)},
                                               {"details", std::move(details)}});
      }
      if (n == 4 && seg[2] == "free" && seg[3] == "address" &&
          is("POST", "/v4/routeplanner/free/address")) {
        if (!json_content(request)) return unsupported_media(request);
        const auto body = parse_body(request);
        const json::value* address =
            body && body->is_object() ? body->get_object().if_contains("address") : nullptr;
        if (!address || !address->is_string())
          return lavalink_error(request, 400, "Failed to read request");
        if (!enabled) return lavalink_error(request, 500, "Can't access disabled route planner");
        boost::system::error_code ec;
        boost::asio::ip::make_address(address->get_string().c_str(), ec);
        if (ec)
          return lavalink_error(request, 400,
                                "Invalid address: " + std::string(address->get_string()));
        route_planner.failing.erase(std::string(address->get_string()));
        return HttpResponse::empty(204);
      }
      if (n == 4 && seg[2] == "free" && seg[3] == "all" &&
          is("POST", "/v4/routeplanner/free/all")) {
        if (!enabled) return lavalink_error(request, 500, "Can't access disabled route planner");
        route_planner.failing.clear();
        return HttpResponse::empty(204);
      }
    }
    if (n >= 3 && seg[1] == "sessions") {
      // Path variables convert before the handler runs: a bad guild id is a 400 even for an
      // unknown session.
      std::string guild;
      if (n >= 5 && seg[3] == "players") {
        std::int64_t id = 0;
        const auto& text = seg[4];
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || ptr != text.data() + text.size()) {
          key = method + " /v4/sessions/{sessionId}/players/{guildId}";
          return lavalink_error(request, 400,
                                "Method parameter 'guildId': Failed to convert value of type "
                                "'java.lang.String' to required type 'long'; For input string: \"" +
                                    text + "\"");
        }
        guild = std::to_string(id);
      }
      bool plugin_matched = false;
      auto plugin = handle_plugin(request, seg, key, plugin_matched);
      if (plugin_matched) return plugin;
      auto* session = find_session(seg[2]);
      const auto no_session = [&] { return lavalink_error(request, 404, "Session not found"); };
      if (n == 3 && is("PATCH", "/v4/sessions/{sessionId}")) {
        if (!json_content(request)) return unsupported_media(request);
        return update_session(request, session);
      }
      if (n == 4 && seg[3] == "players" && is("GET", "/v4/sessions/{sessionId}/players")) {
        if (!session) return no_session();
        json::array players;
        for (const auto& [id, player] : session->players) players.push_back(player_json(player));
        return json_response(200, players);
      }
      if (n == 5 && seg[3] == "players") {
        if (is("GET", "/v4/sessions/{sessionId}/players/{guildId}")) {
          if (!session) return no_session();
          const auto it = session->players.find(guild);
          if (it == session->players.end()) return lavalink_error(request, 404, "Player not found");
          return json_response(200, player_json(it->second));
        }
        if (is("PATCH", "/v4/sessions/{sessionId}/players/{guildId}")) {
          if (!json_content(request)) return unsupported_media(request);
          return patch_player(request, session, guild);
        }
        if (is("DELETE", "/v4/sessions/{sessionId}/players/{guildId}")) {
          if (!session) return no_session();
          destroy_player(*session, guild);
          return HttpResponse::empty(204);
        }
      }
    }
    bool plugin_matched = false;
    auto plugin = handle_plugin(request, seg, key, plugin_matched);
    if (plugin_matched) return plugin;
  }
  if (path_known) {
    key.clear();
    return lavalink_error(request, 405, "Request method '" + method + "' is not supported");
  }
  return lavalink_error(
      request, 404,
      "No static resource " + request.path.substr(request.path.empty() ? 0 : 1) + ".");
}

HttpResponse LavalinkServer::Impl::update_session(const HttpRequest& request,
                                                  detail::LavalinkSession* found) {
  const auto body = parse_body(request);
  if (!body || !body->is_object()) return lavalink_error(request, 400, "Failed to read request");
  const auto& o = body->get_object();
  const auto* resuming = o.if_contains("resuming");
  const auto* timeout = o.if_contains("timeout");
  if ((resuming && !resuming->is_bool()) ||
      (timeout && !timeout->is_int64() && !timeout->is_uint64()))
    return lavalink_error(request, 400, "Failed to read request");
  if (!found) return lavalink_error(request, 404, "Session not found");
  auto& session = *found;
  if (resuming) session.resuming = resuming->get_bool();
  if (timeout) session.timeout_seconds = timeout->to_number<std::int64_t>();
  return json_response(
      200, json::object{{"resuming", session.resuming}, {"timeout", session.timeout_seconds}});
}

detail::LavalinkSession* LavalinkServer::Impl::find_session(std::string_view id) {
  const auto it = sessions.find(std::string(id));
  return it == sessions.end() ? nullptr : &it->second;
}

std::string LavalinkServer::Impl::new_session_id() {
  constexpr std::string_view chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (;;) {
    std::string id(16, 'a');
    for (auto& c : id) c = chars[random() % chars.size()];
    if (!sessions.contains(id)) return id;
  }
}

LavalinkServer::LavalinkServer(boost::asio::io_context& io, LavalinkServerOptions options)
    : LavalinkServer(boost::asio::any_io_executor(io.get_executor()), std::move(options)) {}

LavalinkServer::LavalinkServer(const boost::asio::any_io_executor& executor,
                               LavalinkServerOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(options))) {
  impl_->start();
}

LavalinkServer::~LavalinkServer() { stop(); }

std::uint16_t LavalinkServer::port() const noexcept { return impl_->server->port(); }

std::string LavalinkServer::base_url() const {
  const auto& address = impl_->server->address();
  const bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port());
}

std::string LavalinkServer::websocket_url() const {
  return "ws" + base_url().substr(4) + "/v4/websocket";
}

const std::string& LavalinkServer::password() const noexcept { return impl_->options.password; }

void LavalinkServer::stop() { impl_->stop(); }

LavalinkServerStats LavalinkServer::stats() const {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->counters;
  s.sessions = impl_->sessions.size();
  s.players = 0;
  s.websocket_open = 0;
  for (const auto& [id, session] : impl_->sessions) {
    s.players += session.players.size();
    if (session.socket) ++s.websocket_open;
  }
  return s;
}

void LavalinkServer::reset_stats() {
  std::lock_guard lock(impl_->mutex);
  impl_->counters = LavalinkServerStats{};
}

void LavalinkServer::inject_fault(LavalinkFault fault) {
  if (fault.count == 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void LavalinkServer::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.clear();
}

void LavalinkServer::set_route_planner(RoutePlannerClass planner) {
  std::lock_guard lock(impl_->mutex);
  impl_->route_planner.planner = planner;
}

void LavalinkServer::fail_address(std::string address) {
  std::lock_guard lock(impl_->mutex);
  impl_->route_planner.failing[std::move(address)] = detail::epoch_ms();
}

void LavalinkServer::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.latency = latency;
}

void LavalinkServer::set_intervals(std::chrono::milliseconds stats_interval,
                                   std::chrono::milliseconds player_update_interval) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.stats_interval = stats_interval;
  impl_->options.player_update_interval = player_update_interval;
  for (auto& [id, session] : impl_->sessions)
    if (session.socket) impl_->arm_session_timers(session);
}

std::string LavalinkServer::create_session() {
  std::lock_guard lock(impl_->mutex);
  auto id = impl_->new_session_id();
  auto& session = impl_->sessions[id];
  session.id = id;
  session.detached = true;
  return id;
}

std::vector<std::string> LavalinkServer::session_ids() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> ids;
  for (const auto& [id, session] : impl_->sessions) ids.push_back(id);
  return ids;
}

bool LavalinkServer::drop_websocket(std::string_view session_id) {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::pair<std::string, std::uint64_t>> dropped;
  for (auto& [id, session] : impl_->sessions) {
    if (!session.socket || (!session_id.empty() && id != session_id)) continue;
    session.socket->drop();
    dropped.emplace_back(id, session.socket_generation);
  }
  // At once, not when the read loop notices: a client that reconnects quickly must find the
  // session waiting for its resume.
  for (const auto& [id, generation] : dropped) impl_->socket_closed(id, generation);
  return !dropped.empty();
}

bool LavalinkServer::close_websocket(std::string_view session_id, std::uint16_t code) {
  std::lock_guard lock(impl_->mutex);
  auto* session = impl_->find_session(session_id);
  if (!session || !session->socket) return false;
  session->socket->close(code, "closed by the simulator");
  return true;
}

bool LavalinkServer::send_raw(std::string_view session_id, std::string text) {
  std::lock_guard lock(impl_->mutex);
  auto* session = impl_->find_session(session_id);
  if (!session || !session->socket) return false;
  session->socket->send(std::move(text));
  return true;
}

std::optional<std::string> LavalinkServer::catalogue_track(std::string_view name) const {
  const auto* t = impl_->catalogue.find(name);
  if (!t) return std::nullopt;
  return t->encoded;
}

}  // namespace cadence::sim
