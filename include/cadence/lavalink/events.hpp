// What a Lavalink node sends over its WebSocket, typed: the ops (ready, playerUpdate, stats,
// event) and the event types, plus what the Node itself reports about its connection.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Forward compatibility: an op or event type this version does not know (a plugin's
// SegmentSkipped, LyricsLineEvent, a newer server's op) arrives as UnknownMessage with the JSON
// as sent; a known message whose shape is broken arrives as UnknownMessage too, with the
// BuildError naming the field. Nothing the server sends is dropped.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/exception.hpp"
#include "cadence/lavalink/player_state.hpp"
#include "cadence/lavalink/stats.hpp"
#include "cadence/lavalink/track.hpp"

namespace cadence::lavalink {

/// op "ready": the first message of every connection.
struct ReadyEvent {
  std::string session_id;
  /// The server resumed the session named by the Session-Id header (players kept playing).
  bool resumed = false;
  /// The session this node had before, when it was not resumed (its players are gone); empty on
  /// the first connection and after a resume.
  std::string previous_session_id;
};

/// op "playerUpdate": a player's position, sent every few seconds while it plays.
struct PlayerUpdateEvent {
  Snowflake guild_id;
  PlayerState state;
};

/// op "stats": the node's load (every minute, and once at connect).
struct StatsEvent {
  Stats stats;
};

struct TrackStartEvent {
  Snowflake guild_id;
  Track track;
};

enum class TrackEndReason {
  finished,
  load_failed,
  stopped,
  replaced,
  cleanup,
  unknown,  ///< a reason this version does not know; TrackEndEvent::raw_reason has it
};

[[nodiscard]] std::string_view to_string(TrackEndReason reason) noexcept;

struct TrackEndEvent {
  Snowflake guild_id;
  Track track;
  TrackEndReason reason = TrackEndReason::finished;
  /// The server's text ("finished", "loadFailed", ...).
  std::string raw_reason;
  /// Whether a queue should start its next track: true only for finished and loadFailed (the
  /// server derives it from the reason; it is not on the wire).
  [[nodiscard]] bool may_start_next() const noexcept {
    return reason == TrackEndReason::finished || reason == TrackEndReason::load_failed;
  }
};

struct TrackExceptionEvent {
  Snowflake guild_id;
  Track track;
  Exception exception;
};

struct TrackStuckEvent {
  Snowflake guild_id;
  Track track;
  std::chrono::milliseconds threshold{0};
};

/// Discord closed the voice connection of a player (codes 4006, 4014, 4017, ...). NodeLink sends
/// neither code nor reason, hence the optionals.
struct WebSocketClosedEvent {
  Snowflake guild_id;
  std::optional<int> code;
  std::optional<std::string> reason;
  bool by_remote = false;
};

/// A message this version does not know, or a known one whose shape is broken (then `error`
/// holds the BuildError that names the field). `raw` is the message as sent (an object, or the
/// text as a string when it was not JSON at all).
struct UnknownMessage {
  boost::json::value raw;
  std::exception_ptr error;
  /// The op ("event" for plugin events), empty when there was none.
  std::string op;
  /// The event type for op "event" ("SegmentSkipped", ...), else empty.
  std::string type;
};

/// Not from the server: the connection ended. `reconnect_in` is when the Node tries again;
/// std::nullopt when it will not (closed, out of attempts, or the server refused the
/// credentials).
struct DisconnectedEvent {
  std::exception_ptr error;
  std::optional<std::chrono::milliseconds> reconnect_in;
  /// Failed attempts in a row, counting this one (1 after a connection that was up dropped).
  unsigned attempt = 0;
};

using NodeEvent = std::variant<ReadyEvent, PlayerUpdateEvent, StatsEvent, TrackStartEvent,
                               TrackEndEvent, TrackExceptionEvent, TrackStuckEvent,
                               WebSocketClosedEvent, UnknownMessage, DisconnectedEvent>;

/// Parses one WebSocket text message. Never throws: unknown or broken messages become
/// UnknownMessage. ReadyEvent::previous_session_id is left empty (the Node fills it in).
/// Liberal where servers differ: ids and numbers as numbers or numeric strings, a missing or
/// null `code`/`reason` in WebSocketClosedEvent, a null `frameStats`.
[[nodiscard]] NodeEvent parse_node_message(std::string_view text);

}  // namespace cadence::lavalink
