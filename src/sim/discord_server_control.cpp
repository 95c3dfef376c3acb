// The simulator's own endpoints under /__sim/: counters, reset, settings, simulated foreign
// traffic and fault injection, so that benchmarks and other processes (the CLI's users) can
// drive the server over HTTP as tests drive it through DiscordServer's methods.
#include <boost/json.hpp>
#include <cmath>

#include "cadence/sim/discord_server_stats.hpp"
#include "sim/discord_server_impl.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;

HttpResponse json_answer(unsigned status, const json::value& body) {
  return HttpResponse::json(status, json::serialize(body));
}

HttpResponse bad_request(const std::string& message) {
  return json_answer(400, json::object{{"message", message}});
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

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(s * 1e9)));
}

json::object config_json(const LimitsConfig& c, const DiscordServerOptions& options) {
  const auto ms = [](std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; };
  return {{"window", to_string(c.window_mode)},
          {"global_limit", c.global_limit},
          {"global_window_ms", ms(c.global_window)},
          {"invalid_request_limit", c.invalid_request_limit},
          {"invalid_request_window_s", ms(c.invalid_request_window) / 1000},
          {"ban_duration_s", ms(c.ban_duration) / 1000},
          {"latency_ms", options.latency.count()},
          {"accounting_jitter_ms", options.accounting_jitter.count()}};
}

DiscordFault parse_fault(const json::object& o) {
  DiscordFault f;
  if (const auto* k = o.if_contains("kind")) {
    if (!k->is_string()) throw std::invalid_argument("kind must be a string");
    const auto kind = k->get_string();
    if (kind == "status") {
      f.kind = DiscordFault::Kind::status;
    } else if (kind == "close") {
      f.kind = DiscordFault::Kind::close;
    } else if (kind == "reset") {
      f.kind = DiscordFault::Kind::reset;
    } else if (kind == "drop") {
      f.kind = DiscordFault::Kind::drop;
    } else if (kind == "delay") {
      f.kind = DiscordFault::Kind::delay;
    } else {
      throw std::invalid_argument("kind must be status, close, reset, drop or delay");
    }
  }
  if (o.contains("status")) {
    const auto s = number(o, "status");
    if (s < 100 || s > 599) throw std::invalid_argument("status must be from 100 to 599");
    f.status = static_cast<unsigned>(s);
  }
  if (o.contains("count")) f.count = static_cast<std::uint64_t>(number(o, "count"));
  if (o.contains("delay_ms"))
    f.delay = std::chrono::milliseconds(static_cast<std::int64_t>(number(o, "delay_ms")));
  if (const auto* p = o.if_contains("path")) {
    if (!p->is_string()) throw std::invalid_argument("path must be a string");
    f.path = std::string(p->get_string());
  }
  return f;
}

}  // namespace

std::string DiscordServerStats::to_json() const {
  json::object buckets_json;
  for (const auto& [key, b] : buckets)
    buckets_json[key] =
        json::object{{"requests", b.requests}, {"ok", b.ok}, {"rate_limited", b.rate_limited}};
  json::object routes_json;
  for (const auto& [key, n] : routes) routes_json[key] = n;
  const json::object o{
      {"requests", requests},
      {"responses_2xx", responses_2xx},
      {"responses_4xx", responses_4xx},
      {"responses_5xx", responses_5xx},
      {"rate_limited_user", rate_limited_user},
      {"rate_limited_global", rate_limited_global},
      {"rate_limited_shared", rate_limited_shared},
      {"rate_limited_sublimit", rate_limited_sublimit},
      {"unauthorized", unauthorized},
      {"not_found", not_found},
      {"banned_responses", banned_responses},
      {"faults", faults},
      {"messages_created", messages_created},
      {"nonce_repeats", nonce_repeats},
      {"in_flight", in_flight},
      {"in_flight_peak", in_flight_peak},
      {"awaiting_accounting", awaiting_accounting},
      {"invalid_requests", invalid_requests},
      {"banned", banned},
      {"buckets", std::move(buckets_json)},
      {"routes", std::move(routes_json)},
  };
  return json::serialize(o);
}

HttpResponse DiscordServer::Impl::handle_control(const HttpRequest& request) {
  const std::string_view what = std::string_view(request.path).substr(7);
  const auto& method = request.method;
  try {
    if (what == "stats" && method == "GET") return HttpResponse::json(200, snapshot().to_json());
    if (what == "routes" && method == "GET")
      return HttpResponse::json(200, limits.table().to_json());
    if (what == "reset" && method == "POST") {
      const auto keep = request.query_param("keep_state");
      reset(keep && *keep != "0" && *keep != "false");
      return HttpResponse::empty(204);
    }
    if (what == "config" && method == "GET")
      return json_answer(200, config_json(limits.config(), options));
    if (what == "config" && method == "POST") {
      const auto o = parse_object(request.body);
      LimitsConfig c = limits.config();
      if (const auto* w = o.if_contains("window")) {
        if (!w->is_string()) throw std::invalid_argument("window must be \"fixed\" or \"sliding\"");
        c.window_mode = parse_window_mode(w->get_string());
      }
      if (o.contains("global_limit")) {
        const auto n = number(o, "global_limit");
        if (n < 1) throw std::invalid_argument("global_limit must be at least 1");
        c.global_limit = static_cast<std::uint32_t>(n);
      }
      if (o.contains("global_window_ms")) {
        const auto ms = number(o, "global_window_ms");
        if (ms <= 0) throw std::invalid_argument("global_window_ms must be positive");
        c.global_window = seconds(ms / 1000);
      }
      if (const auto* t = o.if_contains("token")) {
        if (!t->is_string()) throw std::invalid_argument("token must be a string");
        c.token = std::string(t->get_string());
      }
      if (o.contains("invalid_request_limit"))
        c.invalid_request_limit = static_cast<std::uint64_t>(number(o, "invalid_request_limit"));
      if (o.contains("invalid_request_window_s"))
        c.invalid_request_window = seconds(number(o, "invalid_request_window_s"));
      if (o.contains("ban_duration_s")) c.ban_duration = seconds(number(o, "ban_duration_s"));
      if (o.contains("latency_ms"))
        options.latency =
            std::chrono::milliseconds(static_cast<std::int64_t>(number(o, "latency_ms")));
      if (o.contains("accounting_jitter_ms")) {
        const auto ms = number(o, "accounting_jitter_ms");
        if (ms < 0) throw std::invalid_argument("accounting_jitter_ms must not be negative");
        options.accounting_jitter = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
      }
      configure(c);
      return json_answer(200, config_json(limits.config(), options));
    }
    if (what == "busy" && method == "POST") {
      const auto o = parse_object(request.body);
      const auto* r = o.if_contains("resource");
      if (!r || !r->is_string()) throw std::invalid_argument("resource must be a string");
      std::string bucket;
      if (const auto* b = o.if_contains("bucket"); b && b->is_string())
        bucket = std::string(b->get_string());
      const auto duration = o.contains("seconds")
                                ? seconds(number(o, "seconds"))
                                : std::chrono::nanoseconds(std::chrono::seconds(1));
      limits.mark_busy(std::string(r->get_string()), std::chrono::steady_clock::now() + duration,
                       std::move(bucket));
      return HttpResponse::empty(204);
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
  } catch (const std::exception& e) {
    return bad_request(e.what());
  }
  return json_answer(404, json::object{{"message", "no such simulator endpoint"}});
}

}  // namespace cadence::sim
