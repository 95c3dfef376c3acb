// A local server that speaks Lavalink v4, for the client's integration tests, the benchmarks, the
// demo and `cadence sim lavalink`. It follows the real server (v4.2.2, see the project's
// reference/lavalink.md), not convenience: auth answers 401/403 with empty bodies, load failures
// are HTTP 200, PATCH applies its fields in the server's order with noReplace, 204s where the
// server sends them, Spring's error JSON (with `trace` only on `?trace=true`), and the
// `Lavalink-Api-Version: 4` header on every answer.
//
// REST: /version, /v4/info, /v4/stats, /v4/loadtracks, /v4/decodetrack(s), the session and player
// routes, /v4/routeplanner/..., and the plugin routes of LavaSearch (/v4/loadsearch), LavaLyrics
// (/v4/lyrics, .../players/{guildId}/track/lyrics, .../lyrics/subscribe) and SponsorBlock
// (.../players/{guildId}/sponsorblock/categories).
// WebSocket: /v4/websocket (ready, stats at connect and every `stats_interval`, playerUpdate every
// `player_update_interval` for players with a track, TrackStart/TrackEnd events, a catalogue track
// "finishes" when its length or end time has passed, resuming with Session-Id).
//
// The catalogue (identifiers the server loads):
//   sim:track:<name>       one track; <name> is a slug of a real track ("never-gonna-give-you-up",
//                          "talk-a-lot", "death-of-me", ...; GET /__sim/catalogue lists them), its
//                          index ("sim:track:0"), "short" (a 300 ms track that finishes quickly)
//                          or "stream" (a live stream that never ends); a track's uri or
//                          identifier loads it too
//   sim:playlist:<name>    "all" (every real track), "selected" (selectedTrack 1),
//                          "big:<n>" (n tracks, the real ones over and over)
//   sim:search:<query>, ytsearch:, ytmsearch:, scsearch:   search results (titles and authors)
//   sim:empty              empty;  anything unknown is empty too
//   sim:error[:common|suspicious|fault]   an error result with severity, cause, causeStackTrace
//   sim:unknown-type       500 "Identifier returned unknown audio item type"
//
// Control (no auth; for tests in other processes and the CLI's users):
//   GET  /__sim/stats      LavalinkServerStats as JSON;  POST /__sim/reset zeroes the counters
//   GET  /__sim/catalogue  the catalogue's track names and encoded strings
//   GET|POST /__sim/config {"route_planner": null|"RotatingIpRoutePlanner"|"NanoIpRoutePlanner"|
//                          "RotatingNanoIpRoutePlanner"|"BalancingIpRoutePlanner",
//                          "stats_interval_ms", "player_update_interval_ms", "latency_ms"}
//   POST /__sim/faults     {"kind": "status"|"error"|"close"|"reset"|"delay"|"malformed"|
//                          "wrong_shape"|"empty"|"truncate", "status"?: 500, "count"?: 1,
//                          "delay_ms"?: 0, "path"?: "/v4/loadtracks", "method"?: "GET"};
//                          DELETE clears them
//   POST /__sim/sessions   a session without a WebSocket -> {"sessionId": "..."}
//   POST /__sim/sessions/{id}/drop     drops its WebSocket without a close frame
//   POST /__sim/sessions/{id}/close    closes it with ?code= (default 1000)
//   POST /__sim/sessions/{id}/send     sends the request body as a text frame
//   POST /__sim/sessions/{id}/voice-closed   {"guildId", "code"?: 4006, "reason"?, "byRemote"?}
//                          a WebSocketClosedEvent for that player (send_voice_closed)
//   POST /__sim/routeplanner/fail      {"address": "..."} marks an address as failing
//
// Flavor: `LavalinkFlavor::nodelink` (`cadence sim lavalink --flavor nodelink`) answers where
// NodeLink 2.3 differs from Lavalink: /v4/info with version numbers as strings, a player without
// voice as {"token": null, "endpoint": null, "sessionId": null}, `track: {}` in the answer to a
// PATCH whose track sets only userData, 400 for a volume outside 0-1000 (Lavalink clamps), 404
// for the session PATCH and the route planner routes (NodeLink has neither), and WebSocket
// upgrades without Client-Name refused with 400.
//
// Example (a test):
//   boost::asio::io_context io;
//   cadence::sim::LavalinkServer lavalink(io, {.stats_interval = std::chrono::milliseconds(50)});
//   std::thread runner([&] { io.run(); });
//   ... a client on lavalink.base_url() with password "youshallnotpass" ...
//   lavalink.stop();
//   runner.join();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/sim/lavalink_server_stats.hpp"

namespace boost::asio {
class io_context;
class any_io_executor;
}  // namespace boost::asio

namespace cadence::sim {

/// The route planner the server reports; `none` answers GET /v4/routeplanner/status with 204.
enum class RoutePlannerClass { none, rotating, nano, rotating_nano, balancing };

/// "RotatingIpRoutePlanner", ... (empty for none); and back (nullopt when unknown).
[[nodiscard]] std::string_view to_string(RoutePlannerClass planner) noexcept;
[[nodiscard]] std::optional<RoutePlannerClass> parse_route_planner(std::string_view name) noexcept;

/// The server the simulator imitates (see "Flavor" above).
enum class LavalinkFlavor { lavalink, nodelink };

/// "lavalink", "nodelink"; and back (nullopt when unknown).
[[nodiscard]] std::string_view to_string(LavalinkFlavor flavor) noexcept;
[[nodiscard]] std::optional<LavalinkFlavor> parse_flavor(std::string_view name) noexcept;

struct LavalinkServerOptions {
  std::string address = "127.0.0.1";
  /// 0 picks a free port; LavalinkServer::port() tells which.
  std::uint16_t port = 0;
  /// The `Authorization` value the server accepts. A simulator's made-up password, not a secret.
  std::string password = "youshallnotpass";
  /// The `stats` op: once at connect, then at this interval (the real server: one minute).
  std::chrono::milliseconds stats_interval = std::chrono::seconds(60);
  /// The `playerUpdate` op for players with a track (the real server: 5 s).
  std::chrono::milliseconds player_update_interval = std::chrono::seconds(5);
  RoutePlannerClass route_planner = RoutePlannerClass::none;
  /// Filter names (as in /v4/info) a PATCH may not use: 400 "Following filters are disabled...".
  /// /v4/info leaves them out of `filters`.
  std::vector<std::string> disabled_filters;
  /// /v4/info's `sourceManagers`. Search prefixes of a source that is not listed load nothing
  /// (`empty`), as on a server without that source; "spotify" adds `spsearch:` (search results
  /// with sourceName "spotify"), as LavaSrc does.
  std::vector<std::string> source_managers{"youtube", "soundcloud", "http", "local"};
  /// The real server only logs a missing Client-Name; NodeLink refuses the upgrade with 400.
  bool require_client_name = false;
  /// The round trip added to every REST request: half before the request is handled, the rest
  /// before its answer, as on a network. A stats message sent meanwhile has not seen it.
  std::chrono::milliseconds latency{0};
  /// Which server's answers to imitate; nodelink implies require_client_name.
  LavalinkFlavor flavor = LavalinkFlavor::lavalink;
};

/// Misbehaviour for the next `count` REST requests (whose path contains `path` and whose method
/// is `method`, when given). Faults on "/v4/websocket" apply to the upgrade (status, error,
/// close and reset only).
struct LavalinkFault {
  enum class Kind {
    status,       ///< answer `status` with a plain-text body (no Lavalink error JSON)
    error,        ///< answer `status` with Lavalink's error JSON
    close,        ///< close the connection without an answer
    reset,        ///< reset the connection without an answer
    delay,        ///< answer normally after `delay`
    malformed,    ///< the route's answer with a body that is not JSON
    wrong_shape,  ///< the route's answer with valid JSON of the wrong shape
    empty,        ///< the route's status with an empty body
    truncate,     ///< the route's answer cut off halfway through the body, then close
  };
  Kind kind = Kind::status;
  unsigned status = 500;
  std::chrono::milliseconds delay{0};
  std::uint64_t count = 1;
  std::string path;
  std::string method;
};

[[nodiscard]] std::optional<LavalinkFault::Kind> parse_fault_kind(std::string_view name) noexcept;

class LavalinkServer {
 public:
  /// Binds and listens at once (throws if it cannot), then serves on the executor.
  explicit LavalinkServer(boost::asio::io_context& io, LavalinkServerOptions options = {});
  explicit LavalinkServer(const boost::asio::any_io_executor& executor,
                          LavalinkServerOptions options = {});
  /// Calls stop().
  ~LavalinkServer();

  LavalinkServer(const LavalinkServer&) = delete;
  LavalinkServer& operator=(const LavalinkServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port>", the client's node URL.
  [[nodiscard]] std::string base_url() const;
  /// "ws://127.0.0.1:<port>/v4/websocket".
  [[nodiscard]] std::string websocket_url() const;
  [[nodiscard]] const std::string& password() const noexcept;

  /// Cancels the timers, closes the listener and every connection (WebSockets with 1001); safe
  /// from any thread and idempotent. Afterwards io_context::run() returns once the sockets closed.
  void stop();

  [[nodiscard]] LavalinkServerStats stats() const;
  void reset_stats();

  void inject_fault(LavalinkFault fault);
  void clear_faults();

  void set_route_planner(RoutePlannerClass planner);
  /// Adds `address` to the route planner's failing addresses (what a ban would do).
  void fail_address(std::string address);
  void set_latency(std::chrono::milliseconds latency);
  void set_intervals(std::chrono::milliseconds stats_interval,
                     std::chrono::milliseconds player_update_interval);

  /// A session without a WebSocket, for REST tests that need a session id but no socket. It
  /// never expires; its events are dropped.
  std::string create_session();
  /// The ids of the sessions that exist now (connected, waiting for a resume, or socketless).
  [[nodiscard]] std::vector<std::string> session_ids() const;
  /// Drops the session's WebSocket without a close frame (all sessions' when `session_id` is
  /// empty), as a network failure would; false when there was none.
  bool drop_websocket(std::string_view session_id = {});
  /// Closes the session's WebSocket with `code`; false when there was none.
  bool close_websocket(std::string_view session_id, std::uint16_t code = 1000);
  /// Sends `text` as a frame on the session's WebSocket (plugin events, unknown ops); false when
  /// the session has none.
  bool send_raw(std::string_view session_id, std::string text);
  /// A WebSocketClosedEvent for the guild's player on the session, as when Discord closed its
  /// voice connection (4006 session invalid, 4014 kicked, 4017 DAVE required, ...); in the
  /// nodelink flavor without `code` and `reason`, as NodeLink sends it. A playerUpdate follows,
  /// as on the real server. False when the session has no such player. In
  /// lavalink_voice_control.cpp.
  bool send_voice_closed(std::string_view session_id, std::string_view guild_id,
                         std::uint16_t code = 4006,
                         std::string reason = "Session is no longer valid.", bool by_remote = true);

  /// The CPU load (fractions 0..1) that the `stats` op and GET /v4/stats report from now on
  /// (by default 0.05 and 0.01), and a `stats` message to every connected session at once, as
  /// if the interval had come round (for load-balancing tests). In lavalink_load_control.cpp.
  void set_reported_load(double system_load, double lavalink_load);
  /// A `stats` message to every connected session now.
  void send_stats_now();

  /// The catalogue's encoded tracks by name ("never-gonna-give-you-up", ..., "short", "stream").
  [[nodiscard]] std::optional<std::string> catalogue_track(std::string_view name) const;

 private:
  class Impl;
  // Shared: timers hold it weakly, so a timer that fires during destruction finds it gone.
  std::shared_ptr<Impl> impl_;
};

}  // namespace cadence::sim
