// A local server that behaves like Discord's REST API where rate limiting is concerned, for the
// client's integration tests, the benchmarks and `cadence sim discord`.
//
// It serves /api/v{N}/... (and /api/... without a version) on loopback: routes from a table
// (RouteTable), fixed or sliding windows, the global limit, shared-scope 429s from simulated
// foreign traffic, sublimits, the invalid-request ban, Discord's headers and 429 bodies, token
// checks and plausible JSON bodies. Control and counters live under /__sim/:
//
//   GET  /__sim/stats     DiscordServerStats as JSON
//   POST /__sim/reset     counters and rate-limit state to zero (?keep_state=1: counters only)
//   GET  /__sim/config    the settings; POST with any of {"window": "fixed"|"sliding",
//                         "global_limit", "global_window_ms", "token", "invalid_request_limit",
//                         "invalid_request_window_s", "ban_duration_s", "latency_ms",
//                         "accounting_jitter_ms"} changes them (and restarts rate-limit state)
//   POST /__sim/busy      {"resource": "channels/1", "seconds": 2.5, "bucket"?: "<hash>"}
//   POST /__sim/faults    {"kind": "status"|"close"|"reset"|"drop"|"delay", "status"?: 502,
//                         "count"?: 1, "delay_ms"?: 0, "path"?: "/channels"}; DELETE clears
//   GET  /__sim/routes    the route table
//
// Example (a test):
//   boost::asio::io_context io;
//   cadence::sim::DiscordServer discord(io);          // built-in routes, token "sim-token"
//   std::thread runner([&] { io.run(); });
//   ... point the client at discord.base_url() ...
//   EXPECT_EQ(discord.stats().rate_limited_user, 0);
//   discord.stop();
//   runner.join();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cadence/sim/discord_limits.hpp"
#include "cadence/sim/discord_server_stats.hpp"
#include "cadence/sim/route_table.hpp"

namespace boost::asio {
class io_context;
class any_io_executor;
}  // namespace boost::asio

namespace cadence::sim {

struct DiscordServerOptions {
  std::string address = "127.0.0.1";
  /// 0 picks a free port; DiscordServer::port() tells which.
  std::uint16_t port = 0;
  /// Token, window mode, global limit, invalid-request ban.
  LimitsConfig limits;
  /// The routes; the built-in table when empty.
  std::optional<RouteTable> routes;
  /// Added to every API answer, as network and server time would be. Decisions are made when
  /// a request arrives, so a window's time counts from then.
  std::chrono::milliseconds latency{0};
  /// The server accounts for each request a random 0..accounting_jitter after it arrives, as a
  /// busy edge or a loaded host does: its windows then open later than the client's view of
  /// them. Zero: at once, on arrival.
  std::chrono::milliseconds accounting_jitter{0};
  /// Seeds the jitter and the random faults, so that a run can be repeated.
  std::uint32_t seed = 1;
  /// Each API request, with this probability, meets one fault, picked evenly among: a reset
  /// before anything is counted, a 500/502/503 answer, a connection closed after the request
  /// was processed (a message is created, no answer), and an answer cut short (inside its body,
  /// or its head when the body is short) after processing. Counted in DiscordServerStats::faults. 0
  /// = none.
  double random_fault_rate = 0;
};

/// Misbehaviour for the next `count` API requests (whose path contains `path`, when given).
struct DiscordFault {
  enum class Kind {
    status,  ///< answer `status` (Discord's JSON error shape) without touching rate limits
    close,   ///< close the connection without an answer, before anything is counted
    reset,   ///< reset the connection, before anything is counted
    drop,    ///< process the request (a message is created), then close without an answer
    delay,   ///< process the request, answer after `delay` (on top of the latency)
  };
  Kind kind = Kind::status;
  unsigned status = 500;
  std::chrono::milliseconds delay{0};
  std::uint64_t count = 1;
  std::string path;
};

class DiscordServer {
 public:
  /// Binds and listens at once (throws if it cannot), then serves on the executor.
  explicit DiscordServer(boost::asio::io_context& io, DiscordServerOptions options = {});
  explicit DiscordServer(const boost::asio::any_io_executor& executor,
                         DiscordServerOptions options = {});
  /// Calls stop().
  ~DiscordServer();

  DiscordServer(const DiscordServer&) = delete;
  DiscordServer& operator=(const DiscordServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port>/api", the client's base URL (without the version).
  [[nodiscard]] std::string base_url() const;

  /// Closes the listener and every connection (see HttpServer::stop).
  void stop();

  [[nodiscard]] DiscordServerStats stats() const;
  /// Zeroes the counters; unless `keep_state`, also forgets windows, bans, busy marks, faults
  /// and nonces.
  void reset(bool keep_state = false);

  /// Simulated foreign traffic: requests on `resource` ("channels/123", "guilds/9",
  /// "webhooks/1/token") get a shared-scope 429 for `duration`; with a hash, only that bucket's.
  void mark_busy(std::string resource, std::chrono::milliseconds duration,
                 std::string bucket_hash = {});
  void inject_fault(DiscordFault fault);
  void clear_faults();

  [[nodiscard]] LimitsConfig limits() const;
  /// New settings; rate-limit state starts afresh.
  void configure(LimitsConfig limits);
  void set_latency(std::chrono::milliseconds latency);
  void set_accounting_jitter(std::chrono::milliseconds jitter);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadence::sim
