// The simulated Lavalink's own endpoints under /__sim/ (no auth): counters, settings, faults and
// session handles, so that tests in other processes and the CLI's users can steer it over HTTP as
// in-process tests do through LavalinkServer's functions.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "cadence/sim/lavalink_server_stats.hpp"
#include "sim/lavalink_responses.hpp"
#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;

HttpResponse bad_request(const std::string& message) {
  return detail::json_response(400, json::object{{"message", message}});
}

json::object parse_object(const std::string& body) {
  if (body.empty()) return {};
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) throw std::invalid_argument("the body must be a JSON object");
  return std::move(v.get_object());
}

double number(const json::object& o, std::string_view key) {
  const auto& v = o.at(key);
  if (!v.is_number() || !std::isfinite(v.to_number<double>()) || v.to_number<double>() < 0)
    throw std::invalid_argument(std::string(key) + " must be a non-negative number");
  return v.to_number<double>();
}

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return {};
  if (!v->is_string()) throw std::invalid_argument(std::string(key) + " must be a string");
  return std::string(v->get_string());
}

std::chrono::milliseconds ms(double value) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(value)));
}

LavalinkFault parse_fault(const json::object& o) {
  LavalinkFault f;
  if (o.contains("kind")) {
    const auto kind = parse_fault_kind(string_field(o, "kind"));
    if (!kind)
      throw std::invalid_argument(
          "kind must be status, error, close, reset, delay, malformed, wrong_shape, empty or "
          "truncate");
    f.kind = *kind;
  }
  if (o.contains("status")) {
    const auto s = number(o, "status");
    if (s < 100 || s > 599) throw std::invalid_argument("status must be from 100 to 599");
    f.status = static_cast<unsigned>(s);
  }
  if (o.contains("count")) f.count = static_cast<std::uint64_t>(number(o, "count"));
  if (o.contains("delay_ms")) f.delay = ms(number(o, "delay_ms"));
  f.path = string_field(o, "path");
  f.method = string_field(o, "method");
  return f;
}

}  // namespace

std::optional<LavalinkFault::Kind> parse_fault_kind(std::string_view name) noexcept {
  using Kind = LavalinkFault::Kind;
  constexpr std::pair<std::string_view, Kind> kinds[] = {{"status", Kind::status},
                                                         {"error", Kind::error},
                                                         {"close", Kind::close},
                                                         {"reset", Kind::reset},
                                                         {"delay", Kind::delay},
                                                         {"malformed", Kind::malformed},
                                                         {"wrong_shape", Kind::wrong_shape},
                                                         {"empty", Kind::empty},
                                                         {"truncate", Kind::truncate}};
  for (const auto& [text, kind] : kinds)
    if (text == name) return kind;
  return std::nullopt;
}

std::string LavalinkServerStats::to_json() const {
  json::object messages_json;
  for (const auto& [op, n] : messages) messages_json[op] = n;
  json::object routes_json;
  for (const auto& [route, n] : routes) routes_json[route] = n;
  const json::object o{{"requests", requests},
                       {"responses_2xx", responses_2xx},
                       {"responses_4xx", responses_4xx},
                       {"responses_5xx", responses_5xx},
                       {"unauthorized", unauthorized},
                       {"forbidden", forbidden},
                       {"not_found", not_found},
                       {"faults", faults},
                       {"websocket_connections", websocket_connections},
                       {"websocket_rejected", websocket_rejected},
                       {"websocket_open", websocket_open},
                       {"sessions_resumed", sessions_resumed},
                       {"sessions", sessions},
                       {"players", players},
                       {"messages", std::move(messages_json)},
                       {"routes", std::move(routes_json)}};
  return json::serialize(o);
}

HttpResponse LavalinkServer::Impl::handle_control(const HttpRequest& request) {
  const std::string_view what = std::string_view(request.path).substr(7);
  const auto& method = request.method;
  const auto config = [&] {
    return detail::json_response(
        200, json::object{{"route_planner", route_planner.planner == RoutePlannerClass::none
                                                ? json::value(nullptr)
                                                : json::value(to_string(route_planner.planner))},
                          {"stats_interval_ms", options.stats_interval.count()},
                          {"player_update_interval_ms", options.player_update_interval.count()},
                          {"latency_ms", options.latency.count()}});
  };
  try {
    if (what == "stats" && method == "GET") {
      auto s = counters;
      s.sessions = sessions.size();
      for (const auto& [id, session] : sessions) {
        s.players += session.players.size();
        if (session.socket) ++s.websocket_open;
      }
      return HttpResponse::json(200, s.to_json());
    }
    if (what == "reset" && method == "POST") {
      counters = LavalinkServerStats{};
      return HttpResponse::empty(204);
    }
    if (what == "catalogue" && method == "GET") {
      json::array tracks;
      for (const auto& t : catalogue.tracks())
        tracks.push_back(json::object{{"name", t.name},
                                      {"identifier", "sim:track:" + t.name},
                                      {"title", t.data.title},
                                      {"encoded", t.encoded}});
      return detail::json_response(200, tracks);
    }
    if (what == "config" && method == "GET") return config();
    if (what == "config" && method == "POST") {
      const auto o = parse_object(request.body);
      if (const auto* p = o.if_contains("route_planner")) {
        if (p->is_null()) {
          route_planner.planner = RoutePlannerClass::none;
        } else {
          const auto planner = p->is_string() ? parse_route_planner(p->get_string()) : std::nullopt;
          if (!planner)
            throw std::invalid_argument("route_planner must be null or a planner class");
          route_planner.planner = *planner;
        }
      }
      bool intervals = false;
      if (o.contains("stats_interval_ms")) {
        options.stats_interval = ms(number(o, "stats_interval_ms"));
        intervals = true;
      }
      if (o.contains("player_update_interval_ms")) {
        options.player_update_interval = ms(number(o, "player_update_interval_ms"));
        intervals = true;
      }
      if (o.contains("latency_ms")) options.latency = ms(number(o, "latency_ms"));
      if (intervals)
        for (auto& [id, session] : sessions)
          if (session.socket) arm_session_timers(session);
      return config();
    }
    if (what == "faults" && method == "POST") {
      auto fault = parse_fault(parse_object(request.body));
      if (fault.count > 0) faults.push_back(std::move(fault));
      return HttpResponse::empty(204);
    }
    if (what == "faults" && method == "DELETE") {
      faults.clear();
      return HttpResponse::empty(204);
    }
    if (what == "routeplanner/fail" && method == "POST") {
      const auto address = string_field(parse_object(request.body), "address");
      if (address.empty()) throw std::invalid_argument("address must be a non-empty string");
      route_planner.failing[address] = detail::epoch_ms();
      return HttpResponse::empty(204);
    }
    if (what == "sessions" && method == "POST") {
      auto id = new_session_id();
      auto& session = sessions[id];
      session.id = id;
      session.detached = true;
      return detail::json_response(200, json::object{{"sessionId", id}});
    }
    if (what.starts_with("sessions/") && method == "POST") {
      auto rest = what.substr(9);
      const auto slash = rest.find('/');
      const auto id = std::string(rest.substr(0, slash));
      const auto action =
          slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
      auto* session = find_session(id);
      if (!session || !session->socket)
        return detail::json_response(404, json::object{{"message", "no session with a socket"}});
      if (action == "drop") {
        session->socket->drop();
        socket_closed(id, session->socket_generation);
        return HttpResponse::empty(204);
      }
      if (action == "close") {
        unsigned code = 1000;
        if (const auto c = request.query_param("code")) {
          const auto [ptr, ec] = std::from_chars(c->data(), c->data() + c->size(), code);
          if (ec != std::errc() || ptr != c->data() + c->size() || code < 1000 || code > 4999)
            throw std::invalid_argument("code must be from 1000 to 4999");
        }
        session->socket->close(static_cast<std::uint16_t>(code), "closed by the simulator");
        return HttpResponse::empty(204);
      }
      if (action == "send") {
        session->socket->send(request.body);
        return HttpResponse::empty(204);
      }
      if (action == "voice-closed") {
        const auto body = parse_object(request.body);
        const auto guild = string_field(body, "guildId");
        std::uint16_t code = 4006;
        if (const auto* c = body.if_contains("code")) {
          if (!c->is_int64() || c->get_int64() < 1000 || c->get_int64() > 4999)
            throw std::invalid_argument("code must be from 1000 to 4999");
          code = static_cast<std::uint16_t>(c->get_int64());
        }
        std::string reason = "Session is no longer valid.";
        if (const auto* r = body.if_contains("reason"); r && r->is_string())
          reason = std::string(r->get_string());
        const auto* remote = body.if_contains("byRemote");
        const bool by_remote = !remote || !remote->is_bool() || remote->get_bool();
        if (!voice_closed(id, guild, code, std::move(reason), by_remote))
          return detail::json_response(404, json::object{{"message", "no player for that guild"}});
        return HttpResponse::empty(204);
      }
    }
  } catch (const std::exception& e) {
    return bad_request(e.what());
  }
  return detail::json_response(404, json::object{{"message", "no such simulator endpoint"}});
}

}  // namespace cadence::sim
