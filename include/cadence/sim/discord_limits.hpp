// The rate-limit rules of the simulated Discord, without any I/O: given a request and the time,
// decide whether it passes, and with which X-RateLimit-* values, or which 429 (or 401, 404, ban)
// it gets. DiscordServer feeds it the steady clock; tests feed it fake times.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// The order of checks follows what a request meets on its way into Discord: the Cloudflare ban
// (per client address), the route, the token, the global limit (per token, or per address for
// requests without Authorization; interaction routes skip it), a shared-scope limit on the
// resource (driven by simulated foreign traffic, see mark_busy), the route's bucket (per bucket
// hash and major parameter), and the bucket's sublimits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cadence/sim/rolling_counter.hpp"
#include "cadence/sim/route_table.hpp"
#include "cadence/sim/window.hpp"

namespace cadence::sim {

enum class LimitScope { user, global, shared };

/// "user", "global" or "shared", as in X-RateLimit-Scope.
[[nodiscard]] std::string_view to_string(LimitScope scope) noexcept;

struct LimitsConfig {
  /// The accepted bot token ("Authorization: Bot <token>" or "Bearer <token>").
  std::string token = "sim-token";
  WindowMode window_mode = WindowMode::fixed;
  std::uint32_t global_limit = 50;
  std::chrono::nanoseconds global_window = std::chrono::seconds(1);
  /// More invalid requests (401, 403, non-shared 429) than this within invalid_request_window
  /// from one address get the address banned. 0 turns the ban off.
  std::uint64_t invalid_request_limit = 10000;
  std::chrono::nanoseconds invalid_request_window = std::chrono::minutes(10);
  std::chrono::nanoseconds ban_duration = std::chrono::hours(1);
};

/// What the rules need to know about a request. The views must outlive decide().
struct LimitRequest {
  std::string_view method;
  /// The path after /api/v{N}, without the query, e.g. "/channels/1/messages".
  std::string_view path;
  /// The Authorization header, when there is one.
  bool has_authorization = false;
  std::string_view authorization;
  /// The JSON body (sublimits may look at its fields); anything else is treated as no fields.
  std::string_view body;
  /// The client's address: the per-IP lanes and the ban are keyed on it.
  std::string_view client;
  /// Wall time, only for the age of snowflakes in sublimit conditions.
  std::chrono::system_clock::time_point wall_now = std::chrono::system_clock::now();
};

struct LimitDecision {
  enum class Outcome { ok, not_found, method_not_allowed, unauthorized, rate_limited, banned };

  Outcome outcome = Outcome::ok;
  /// For rate_limited: which limit refused the request.
  LimitScope scope = LimitScope::user;
  /// For rate_limited with scope user: a sublimit refused it while the bucket had room.
  bool sublimit = false;
  /// Set when outcome is not not_found / method_not_allowed.
  RouteMatch match;
  /// The bucket's X-RateLimit-* values, when they belong in the response.
  bool has_bucket = false;
  std::string bucket_hash;
  std::uint32_t limit = 0;
  std::uint32_t remaining = 0;
  std::chrono::nanoseconds reset_after{0};
  /// For rate_limited: how long until the request would pass.
  std::chrono::nanoseconds retry_after{0};
  /// "<hash>:<major>", the bucket the request was counted against (empty without a route).
  std::string bucket_key;
};

class DiscordLimits {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  DiscordLimits(RouteTable table, LimitsConfig config);

  /// Decides one request at `now`, counting what it uses.
  LimitDecision decide(const LimitRequest& request, time_point now);

  /// Simulates foreign traffic on a resource ("channels/123", "guilds/9"): until `until`, its
  /// requests get a shared-scope 429. With a bucket hash, only that bucket's routes do.
  void mark_busy(std::string resource, time_point until, std::string bucket_hash = {});
  /// Counts an invalid request the rules did not produce themselves (an injected 401/403/429).
  void record_invalid(std::string_view client, time_point now);

  /// Invalid requests from `client` in the current window.
  [[nodiscard]] std::uint64_t invalid_requests(std::string_view client, time_point now) const;
  /// Invalid requests from all clients in their current windows.
  [[nodiscard]] std::uint64_t invalid_requests_total(time_point now) const;
  /// Whether `client` is banned at `now`.
  [[nodiscard]] bool banned(std::string_view client, time_point now) const;
  /// Whether any client is banned at `now`.
  [[nodiscard]] bool any_banned(time_point now) const;

  [[nodiscard]] const LimitsConfig& config() const noexcept { return config_; }
  [[nodiscard]] const RouteTable& table() const noexcept { return table_; }
  /// Changes the settings; all windows, busy marks, invalid counts and bans start afresh.
  void configure(LimitsConfig config);
  /// Forgets all windows, busy marks, invalid counts and bans.
  void reset();
  /// How many windows are held (buckets, sublimits and global lanes); idle ones are swept.
  [[nodiscard]] std::size_t window_count() const noexcept;

 private:
  struct Busy {
    time_point until;
    std::string bucket;
  };
  struct Client {
    explicit Client(std::chrono::nanoseconds window) : invalid(window) {}
    RollingCounter invalid;
    time_point banned_until{};
  };

  Window& window(std::unordered_map<std::string, Window>& map, const std::string& key,
                 std::uint32_t limit, std::chrono::nanoseconds length);
  void sweep(time_point now);
  void count_invalid(std::string_view client, time_point now);
  bool valid_token(std::string_view authorization) const;
  bool sublimit_applies(const SublimitSpec& sub, const RouteMatch& match,
                        const LimitRequest& request) const;

  RouteTable table_;
  LimitsConfig config_;
  std::unordered_map<std::string, Window> buckets_;
  std::unordered_map<std::string, Window> sublimits_;
  std::unordered_map<std::string, Window> globals_;
  std::multimap<std::string, Busy, std::less<>> busy_;
  std::map<std::string, Client, std::less<>> clients_;
  std::size_t sweep_at_ = 4096;
};

}  // namespace cadence::sim
