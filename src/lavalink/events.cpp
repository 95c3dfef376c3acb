// Parsing the node's WebSocket messages. Numbers and tracks are read by the model readers
// (json_io), as liberally as REST answers (a numeric string counts, `track: {}` is no track), and
// every failure turns into an UnknownMessage carrying the BuildError,
// so that one odd message never costs the connection.
#include "cadence/lavalink/events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace json = boost::json;
using detail::ObjectReader;
using detail::Path;

namespace {

// Numbers go through the model readers (json_io), which take numeric strings as NodeLink writes
// them, so that events and REST answers read the same shapes the same way.
std::int64_t lenient_int64(const json::value& v, const Path& path) {
  return detail::as_int64(v, path);
}
double lenient_double(const json::value& v, const Path& path) { return detail::as_double(v, path); }
int lenient_int(const json::value& v, const Path& path) { return detail::as_int(v, path); }

bool lenient_bool(const json::value& v, const Path& path) {
  if (v.is_string()) {
    if (v.get_string() == "true") return true;
    if (v.get_string() == "false") return false;
  }
  return detail::as_bool(v, path);
}

const json::value& required(const ObjectReader& r, std::string_view key) { return r.require(key); }

std::int64_t int64_field(const ObjectReader& r, std::string_view key) {
  return lenient_int64(required(r, key), r.path().field(key));
}
int int_field(const ObjectReader& r, std::string_view key) {
  return lenient_int(required(r, key), r.path().field(key));
}
double double_field(const ObjectReader& r, std::string_view key) {
  return lenient_double(required(r, key), r.path().field(key));
}

Snowflake guild_field(const ObjectReader& r) {
  const auto& v = required(r, "guildId");
  const Path p = r.path().field("guildId");
  if (v.is_string()) {
    if (const auto id = Snowflake::parse(v.get_string())) return *id;
    p.fail("expected a snowflake (decimal digits)");
  }
  const auto i = detail::as_int64(v, p);
  if (i < 0) p.fail("expected a snowflake (decimal digits)");
  return Snowflake(static_cast<std::uint64_t>(i));
}

PlayerState read_state(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  PlayerState s;
  s.time = Timestamp(std::chrono::milliseconds(int64_field(r, "time")));
  s.position = std::chrono::milliseconds(int64_field(r, "position"));
  // Lavalink always sends them; tolerate their absence (they are informative only).
  if (const auto* c = r.optional("connected"))
    s.connected = lenient_bool(*c, path.field("connected"));
  if (const auto* p = r.optional("ping"))
    s.ping = std::chrono::milliseconds(lenient_int64(*p, path.field("ping")));
  return s;
}

Stats read_stats(const ObjectReader& r) {
  Stats s;
  s.players = int_field(r, "players");
  s.playing_players = int_field(r, "playingPlayers");
  s.uptime = std::chrono::milliseconds(int64_field(r, "uptime"));
  if (const auto* m = r.optional("memory")) {
    const Path p = r.path().field("memory");
    const ObjectReader mr(*m, p);
    s.memory = Stats::Memory{int64_field(mr, "free"), int64_field(mr, "used"),
                             int64_field(mr, "allocated"), int64_field(mr, "reservable")};
  }
  {
    const Path p = r.path().field("cpu");
    const ObjectReader c(required(r, "cpu"), p);
    s.cpu = Stats::Cpu{int_field(c, "cores"), double_field(c, "systemLoad"),
                       double_field(c, "lavalinkLoad")};
  }
  if (const auto* f = r.optional("frameStats")) {
    const Path p = r.path().field("frameStats");
    const ObjectReader fr(*f, p);
    s.frame_stats =
        Stats::FrameStats{int_field(fr, "sent"), int_field(fr, "nulled"), int_field(fr, "deficit")};
  }
  return s;
}

TrackEndReason parse_reason(std::string_view text) {
  if (text == "finished" || text == "FINISHED") return TrackEndReason::finished;
  if (text == "loadFailed" || text == "LOAD_FAILED") return TrackEndReason::load_failed;
  if (text == "stopped" || text == "STOPPED") return TrackEndReason::stopped;
  if (text == "replaced" || text == "REPLACED") return TrackEndReason::replaced;
  if (text == "cleanup" || text == "CLEANUP") return TrackEndReason::cleanup;
  return TrackEndReason::unknown;
}

// The same reader as a player's track: NodeLink's `track: {}` (no encoded, no info) is "no
// track", which an event carries as an empty Track (encoded == "").
Track track_field(const ObjectReader& r) {
  auto track = detail::read_track_or_none(required(r, "track"), r.path().field("track"));
  return track ? std::move(*track) : Track{};
}

std::optional<NodeEvent> read_event(const ObjectReader& r, std::string_view type) {
  if (type == "TrackStartEvent") return TrackStartEvent{guild_field(r), track_field(r)};
  if (type == "TrackEndEvent") {
    TrackEndEvent e{guild_field(r), track_field(r)};
    e.raw_reason = detail::as_string(required(r, "reason"), r.path().field("reason"));
    e.reason = parse_reason(e.raw_reason);
    return e;
  }
  if (type == "TrackExceptionEvent") {
    TrackExceptionEvent e{guild_field(r), track_field(r)};
    try {
      e.exception = json::value_to<Exception>(required(r, "exception"));
    } catch (const BuildError& error) {
      // value_to starts its path at the exception object; name it from the message's root.
      throw BuildError("exception" + (error.path().empty() ? "" : "." + error.path()),
                       "malformed exception object");
    }
    return e;
  }
  if (type == "TrackStuckEvent") {
    TrackStuckEvent e{guild_field(r), track_field(r)};
    if (const auto* t = r.optional("thresholdMs"))
      e.threshold = std::chrono::milliseconds(lenient_int64(*t, r.path().field("thresholdMs")));
    return e;
  }
  if (type == "WebSocketClosedEvent") {
    WebSocketClosedEvent e{guild_field(r)};
    if (const auto* c = r.optional("code")) e.code = lenient_int(*c, r.path().field("code"));
    if (const auto* t = r.optional("reason")) {
      e.reason = t->is_string() ? std::string(t->get_string()) : json::serialize(*t);
    }
    if (const auto* b = r.optional("byRemote"))
      e.by_remote = lenient_bool(*b, r.path().field("byRemote"));
    return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(TrackEndReason reason) noexcept {
  switch (reason) {
    case TrackEndReason::finished:
      return "finished";
    case TrackEndReason::load_failed:
      return "loadFailed";
    case TrackEndReason::stopped:
      return "stopped";
    case TrackEndReason::replaced:
      return "replaced";
    case TrackEndReason::cleanup:
      return "cleanup";
    case TrackEndReason::unknown:
      break;
  }
  return "unknown";
}

NodeEvent parse_node_message(std::string_view text) {
  UnknownMessage unknown;
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    unknown.raw = json::string(text);
    unknown.error = std::make_exception_ptr(BuildError("", "the message is not JSON"));
    return unknown;
  }
  try {
    const Path root;
    const ObjectReader r(v, root);
    const auto* op_value = r.optional("op");
    if (!op_value) root.field("op").fail("required field is missing");
    unknown.op = detail::as_string(*op_value, root.field("op"));
    const std::string_view op = unknown.op;
    if (op == "ready") {
      ReadyEvent e;
      e.session_id = detail::as_string(required(r, "sessionId"), root.field("sessionId"));
      if (e.session_id.empty()) root.field("sessionId").fail("the session id is empty");
      if (const auto* resumed = r.optional("resumed"))
        e.resumed = lenient_bool(*resumed, root.field("resumed"));
      return e;
    }
    if (op == "playerUpdate")
      return PlayerUpdateEvent{guild_field(r),
                               read_state(required(r, "state"), root.field("state"))};
    if (op == "stats") return StatsEvent{read_stats(r)};
    if (op == "event") {
      unknown.type = detail::as_string(required(r, "type"), root.field("type"));
      if (auto e = read_event(r, unknown.type)) return std::move(*e);
    }
  } catch (...) {
    unknown.error = std::current_exception();
  }
  unknown.raw = std::move(v);
  return unknown;
}

}  // namespace cadence::lavalink
