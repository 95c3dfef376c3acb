// Settings of lavalink::Node (one Lavalink node: its WebSocket session and its Rest).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cadence/core/snowflake.hpp"
#include "cadence/http/web_socket_options.hpp"
#include "cadence/lavalink/rest_options.hpp"

namespace cadence::lavalink {

/// Jittered exponential backoff between connection attempts: the n-th retry (n from 1) waits
/// min(max_delay, initial_delay * multiplier^(n-1)) scaled by a random factor in
/// [1 - jitter, 1 + jitter]. The first retry after a connection that was up is immediate, so a
/// short blip (a proxy restart) costs no waiting.
struct ReconnectPolicy {
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  double multiplier = 2.0;
  /// 0..1; spreads the reconnects of many bots after a node restart.
  double jitter = 0.2;
  /// Failed attempts in a row before the node gives up (0: never).
  unsigned max_attempts = 0;
};

struct NodeOptions {
  /// How the pool and the logs call this node; empty uses the URL.
  std::string name;
  /// The node: http:// or https:// (the WebSocket uses ws:// or wss:// on the same host and
  /// port, path prefix + /v4/websocket), and the password (Authorization; never logged).
  std::string url = "http://127.0.0.1:2333";
  std::string password;
  /// The bot's user id (User-Id header); required by Lavalink.
  Snowflake user_id;
  /// Free text used by NodePool's region preference ("eu", "us-east", ...).
  std::string region;
  /// A session to resume on the first connection (from a snapshot of a previous process).
  std::string session_id;
  ReconnectPolicy reconnect;
  /// Lavalink sends stats every 60 s (and at connect). No stats for stats_interval +
  /// stats_margin marks the node unhealthy and reconnects it.
  std::chrono::milliseconds stats_interval{60000};
  std::chrono::milliseconds stats_margin{10000};
  /// When set, every new session gets resuming enabled with this timeout (PATCH
  /// /v4/sessions/{id}), so a dropped connection can resume within it.
  std::optional<std::chrono::seconds> resume_timeout;
  /// Rest settings; base_url and password are taken from `url` and `password` above.
  RestOptions rest;
  /// WebSocket settings; its idle_timeout is the ping check (a ping at half of it, the
  /// connection fails when nothing came back in time). Headers set here are sent too.
  http::WebSocketOptions websocket{.idle_timeout = std::chrono::seconds(30)};
};

}  // namespace cadence::lavalink
