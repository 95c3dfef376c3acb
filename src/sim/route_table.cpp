#include "cadence/sim/route_table.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace cadence::sim {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument("route table: " + where + ": " + what);
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  if (path.empty() || path.front() != '/') return parts;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    parts.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string_view param_name(std::string_view segment) {
  return segment.substr(1, segment.size() - 2);
}

std::chrono::nanoseconds seconds_field(const json::object& o, std::string_view key,
                                       const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) fail(where + "." + std::string(key), "must be a number of seconds");
  const double s = v->to_number<double>();
  if (!(s > 0) || !std::isfinite(s)) fail(where + "." + std::string(key), "must be positive");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(s * 1e9)));
}

std::uint32_t limit_field(const json::object& o, const std::string& where) {
  const auto* v = o.if_contains("limit");
  if (!v || !v->is_int64() || v->get_int64() < 1 || v->get_int64() > 1000000)
    fail(where + ".limit", "must be an integer from 1 to 1000000");
  return static_cast<std::uint32_t>(v->get_int64());
}

std::string string_field(const json::object& o, std::string_view key, const std::string& where,
                         bool required) {
  const auto* v = o.if_contains(key);
  if (!v) {
    if (required) fail(where + "." + std::string(key), "is required");
    return {};
  }
  if (!v->is_string()) fail(where + "." + std::string(key), "must be a string");
  return std::string(v->get_string());
}

bool bool_field(const json::object& o, std::string_view key, const std::string& where, bool dflt) {
  const auto* v = o.if_contains(key);
  if (!v) return dflt;
  if (!v->is_bool()) fail(where + "." + std::string(key), "must be true or false");
  return v->get_bool();
}

const std::vector<std::string_view> generators = {
    "message", "messages", "channel", "user", "member",
    "guild",   "gateway",  "users",   "none", "webhook_message",
};

bool has_param(const RouteSpec& r, std::string_view name) {
  for (const auto& s : r.segments)
    if (is_param(s) && param_name(s) == name) return true;
  return false;
}

SublimitSpec parse_sublimit(const json::value& v, const RouteSpec& route,
                            const std::string& where) {
  if (!v.is_object()) fail(where, "must be an object");
  const auto& o = v.get_object();
  SublimitSpec s;
  s.limit = limit_field(o, where);
  s.window = seconds_field(o, "window", where);
  if (const auto* b = o.if_contains("body_has")) {
    if (!b->is_array()) fail(where + ".body_has", "must be an array of field names");
    for (const auto& f : b->get_array()) {
      if (!f.is_string()) fail(where + ".body_has", "must be an array of field names");
      s.body_has.emplace_back(f.get_string());
    }
  }
  s.param = string_field(o, "param", where, false);
  if (o.contains("younger_than")) s.younger_than = seconds_field(o, "younger_than", where);
  if (o.contains("older_than")) s.older_than = seconds_field(o, "older_than", where);
  if ((s.younger_than || s.older_than) && !has_param(route, s.param))
    fail(where + ".param", "must name a path parameter of the route when an age is given");
  return s;
}

RouteSpec parse_route(const json::value& v, const std::string& where) {
  if (!v.is_object()) fail(where, "must be an object");
  const auto& o = v.get_object();
  RouteSpec r;
  r.method = string_field(o, "method", where, true);
  for (char c : r.method)
    if (c < 'A' || c > 'Z') fail(where + ".method", "must be an upper-case HTTP method");
  r.path = string_field(o, "path", where, true);
  if (r.path.empty() || r.path.front() != '/') fail(where + ".path", "must start with '/'");
  r.segments = split_path(r.path);
  for (const auto& s : r.segments)
    if (s.empty()) fail(where + ".path", "has an empty segment");
  r.bucket = string_field(o, "bucket", where, true);
  if (r.bucket.empty()) fail(where + ".bucket", "must not be empty");
  r.limit = limit_field(o, where);
  r.window = seconds_field(o, "window", where);
  if (const auto* m = o.if_contains("major")) {
    if (m->is_string()) {
      r.major.emplace_back(m->get_string());
    } else if (m->is_array()) {
      for (const auto& p : m->get_array()) {
        if (!p.is_string()) fail(where + ".major", "must be a parameter name or an array of them");
        r.major.emplace_back(p.get_string());
      }
    } else {
      fail(where + ".major", "must be a parameter name or an array of them");
    }
    for (const auto& p : r.major)
      if (!has_param(r, p)) fail(where + ".major", "names \"" + p + "\", not a path parameter");
  }
  r.auth = bool_field(o, "auth", where, true);
  r.global = bool_field(o, "global", where, true);
  r.interaction_token = string_field(o, "interaction_token", where, false);
  if (!r.interaction_token.empty() && !has_param(r, r.interaction_token))
    fail(where + ".interaction_token", "must name a path parameter");
  if (const auto* s = o.if_contains("status")) {
    if (!s->is_int64() || s->get_int64() < 200 || s->get_int64() > 299)
      fail(where + ".status", "must be a 2xx status");
    r.status = static_cast<unsigned>(s->get_int64());
  }
  if (const auto* b = o.if_contains("body")) {
    if (b->is_string()) {
      r.body = std::string(b->get_string());
      bool known = false;
      for (auto g : generators) known = known || g == r.body;
      if (!known) fail(where + ".body", "\"" + r.body + "\" is not a generator name");
    } else {
      r.body = json::serialize(*b);
      r.body_is_literal = true;
    }
  } else if (r.status == 204) {
    r.body = "none";
  }
  if (const auto* subs = o.if_contains("sublimits")) {
    if (!subs->is_array()) fail(where + ".sublimits", "must be an array");
    std::size_t i = 0;
    for (const auto& s : subs->get_array())
      r.sublimits.push_back(
          parse_sublimit(s, r, where + ".sublimits[" + std::to_string(i++) + "]"));
  }
  return r;
}

double to_seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

}  // namespace

std::string_view RouteMatch::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

RouteTable RouteTable::parse(std::string_view text) {
  json::value doc;
  try {
    doc = json::parse(text);
  } catch (const std::exception& e) {
    fail("JSON", e.what());
  }
  if (!doc.is_object() || !doc.get_object().contains("routes") ||
      !doc.get_object().at("routes").is_array())
    fail("top level", "must be an object with a \"routes\" array");
  RouteTable table;
  std::map<std::string, const RouteSpec*> by_hash;
  std::size_t i = 0;
  for (const auto& v : doc.get_object().at("routes").get_array()) {
    const auto where = "routes[" + std::to_string(i++) + "]";
    table.routes_.push_back(parse_route(v, where));
  }
  // Routes that share a hash share one window, so they must agree on its shape.
  for (std::size_t k = 0; k < table.routes_.size(); ++k) {
    const auto& r = table.routes_[k];
    auto [it, fresh] = by_hash.emplace(r.bucket, &r);
    if (!fresh && (it->second->limit != r.limit || it->second->window != r.window))
      fail("routes[" + std::to_string(k) + "]",
           "shares bucket \"" + r.bucket + "\" with another route but not its limit and window");
  }
  return table;
}

RouteTable RouteTable::load(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument("route table: cannot read \"" + file + "\"");
  std::ostringstream content;
  content << in.rdbuf();
  return parse(content.str());
}

RouteTable::Lookup RouteTable::match(std::string_view method, std::string_view path,
                                     RouteMatch& out) const {
  const auto parts = split_path(path);
  const RouteSpec* best = nullptr;
  int best_literals = -1;
  bool path_seen = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; ok && i < parts.size(); ++i) {
      if (is_param(r.segments[i])) {
        ok = !parts[i].empty();
      } else {
        ok = r.segments[i] == parts[i];
        ++literals;
      }
    }
    if (!ok) continue;
    path_seen = true;
    if (r.method == method && literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
  }
  if (!best) return path_seen ? Lookup::wrong_method : Lookup::unknown;
  out = RouteMatch{};
  out.route = best;
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (is_param(best->segments[i]))
      out.params.emplace_back(std::string(param_name(best->segments[i])), parts[i]);
  for (const auto& m : best->major) {
    if (!out.major.empty()) out.major += '/';
    out.major += out.param(m);
  }
  if (!best->major.empty()) out.resource = best->segments.front() + "/" + out.major;
  return Lookup::found;
}

std::string RouteTable::to_json() const {
  json::array routes;
  for (const auto& r : routes_) {
    json::object o;
    o["method"] = r.method;
    o["path"] = r.path;
    o["bucket"] = r.bucket;
    o["limit"] = r.limit;
    o["window"] = to_seconds(r.window);
    if (r.major.size() == 1) o["major"] = r.major.front();
    if (r.major.size() > 1) o["major"] = json::value_from(r.major);
    o["auth"] = r.auth;
    o["global"] = r.global;
    if (!r.interaction_token.empty()) o["interaction_token"] = r.interaction_token;
    o["status"] = r.status;
    if (r.body_is_literal) {
      o["body"] = json::parse(r.body);
    } else {
      o["body"] = r.body;
    }
    if (!r.sublimits.empty()) {
      json::array subs;
      for (const auto& s : r.sublimits) {
        json::object so;
        so["limit"] = s.limit;
        so["window"] = to_seconds(s.window);
        if (!s.body_has.empty()) so["body_has"] = json::value_from(s.body_has);
        if (!s.param.empty()) so["param"] = s.param;
        if (s.younger_than) so["younger_than"] = to_seconds(*s.younger_than);
        if (s.older_than) so["older_than"] = to_seconds(*s.older_than);
        subs.push_back(std::move(so));
      }
      o["sublimits"] = std::move(subs);
    }
    routes.push_back(std::move(o));
  }
  return json::serialize(json::object{{"routes", std::move(routes)}});
}

}  // namespace cadence::sim
