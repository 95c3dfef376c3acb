// The simulated Discord's routes: which paths exist, how each is rate limited and what it answers.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// A table is read from JSON (a built-in default covers the routes the benchmarks and tests use):
//
//   {"routes": [
//     {"method": "POST", "path": "/channels/{channel_id}/messages",
//      "bucket": "2a7b...",        // X-RateLimit-Bucket; routes with one hash share one limit
//      "limit": 5, "window": 5,     // uses per window; window in seconds, fractions allowed
//      "major": "channel_id",       // or ["webhook_id", "webhook_token"]; omitted: one per table
//      "auth": true,                // default true: needs "Authorization: Bot <token>"
//      "global": true,              // default true: counts against the global limit
//      "interaction_token": "webhook_token",  // optional: a parameter whose value, when it is an
//                                   // interaction token, exempts the request from the global limit
//      "status": 200,               // default 200; 204 answers without a body
//      "body": "message",           // a generator name (see below) or any JSON value, sent as is
//      "sublimits": [               // extra limits on a class of requests, per major parameter
//        {"limit": 2, "window": 600, "body_has": ["name", "topic"]},
//        {"limit": 30, "window": 120, "param": "message_id", "older_than": 1209600}]}]}
//
// Generators: "message", "messages", "channel", "user", "member", "guild", "gateway", "users",
// "webhook_message" (a message with ?wait=true, else 204), "none" (no body).
// A sublimit applies when every condition it names holds: `body_has` (the JSON body has at least
// one of these top-level fields), `younger_than` / `older_than` (seconds; the age of the snowflake
// in path parameter `param`).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadence::sim {

struct SublimitSpec {
  std::uint32_t limit = 1;
  std::chrono::nanoseconds window{0};
  std::vector<std::string> body_has;
  std::string param;
  std::optional<std::chrono::nanoseconds> younger_than;
  std::optional<std::chrono::nanoseconds> older_than;
};

struct RouteSpec {
  std::string method;
  std::string path;
  std::string bucket;
  std::uint32_t limit = 1;
  std::chrono::nanoseconds window{0};
  std::vector<std::string> major;
  bool auth = true;
  bool global = true;
  std::string interaction_token;
  unsigned status = 200;
  /// A generator name, or serialized JSON when `body_is_literal`.
  std::string body = "none";
  bool body_is_literal = false;
  std::vector<SublimitSpec> sublimits;
  /// The path split at '/', without the leading empty part; "{x}" parts are parameters.
  std::vector<std::string> segments;
};

/// A request path matched against one route.
struct RouteMatch {
  const RouteSpec* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  /// The major parameters' values joined with '/', empty when the route has none.
  std::string major;
  /// "<first segment>/<major>" (e.g. "channels/123"), the resource shared-scope limits apply to;
  /// empty when the route has no major parameter.
  std::string resource;

  /// A path parameter's value; empty if the route has no such parameter.
  [[nodiscard]] std::string_view param(std::string_view name) const;
};

class RouteTable {
 public:
  enum class Lookup { found, wrong_method, unknown };

  /// The default table (see route_table_builtin.cpp).
  [[nodiscard]] static RouteTable builtin();
  /// Reads the JSON format above; std::invalid_argument names what is wrong and where.
  [[nodiscard]] static RouteTable parse(std::string_view json);
  /// parse() on a file's content; std::invalid_argument when it cannot be read.
  [[nodiscard]] static RouteTable load(const std::string& file);

  /// Finds the route for `method` and `path` (the part after /api/v{N}, without the query). The
  /// route with the most literal segments wins, so "/users/@me" beats "/users/{user_id}".
  [[nodiscard]] Lookup match(std::string_view method, std::string_view path, RouteMatch& out) const;

  [[nodiscard]] const std::vector<RouteSpec>& routes() const noexcept { return routes_; }
  /// The table in the JSON format it is read from.
  [[nodiscard]] std::string to_json() const;

 private:
  std::vector<RouteSpec> routes_;
};

}  // namespace cadence::sim
