// The simulated Lavalink's counters, as LavalinkServer::stats() returns them and
// GET /__sim/stats serves them (the JSON uses the same names).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cadence::sim {

struct LavalinkServerStats {
  /// REST requests (everything but /__sim/... and WebSocket upgrades).
  std::uint64_t requests = 0;
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
  /// 401 (no Authorization) and 403 (wrong password), REST and upgrades.
  std::uint64_t unauthorized = 0;
  std::uint64_t forbidden = 0;
  std::uint64_t not_found = 0;
  /// Requests or upgrades an injected fault answered (or dropped).
  std::uint64_t faults = 0;
  /// WebSocket upgrades accepted, refused, and open now; sessions resumed with Session-Id.
  std::uint64_t websocket_connections = 0;
  std::uint64_t websocket_rejected = 0;
  std::uint64_t websocket_open = 0;
  std::uint64_t sessions_resumed = 0;
  /// Sessions and players that exist now.
  std::uint64_t sessions = 0;
  std::uint64_t players = 0;
  /// WebSocket messages by op ("ready", "stats", "playerUpdate", "event") sent or queued.
  std::map<std::string, std::uint64_t> messages;
  /// REST requests by route: "<METHOD> <template>", e.g. "GET /v4/loadtracks".
  std::map<std::string, std::uint64_t> routes;

  /// One line of JSON.
  [[nodiscard]] std::string to_json() const;
};

}  // namespace cadence::sim
