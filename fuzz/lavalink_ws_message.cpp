// A Lavalink node's WebSocket messages: parse_node_message on arbitrary text. It is documented
// never to throw: a message it cannot read becomes an UnknownMessage whose error, when there is
// one, is a BuildError, and whose raw JSON is the message as sent (nothing the server sends is
// dropped or altered). A message that parses is written back (the models serialise themselves;
// the envelope is the wire format the simulator and Lavalink send) and must parse to the same
// value, so the Node and the NodePool read their own re-sent events exactly.
//
// Input: the message text.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/events.hpp"
#include "fuzz_check.hpp"

namespace json = boost::json;
namespace lavalink = cadence::lavalink;
using cadence::fuzz::check;

namespace {

// Not a variant alternative parse_node_message may return: DisconnectedEvent is the Node's own.
lavalink::NodeEvent parse_or_abort(std::string_view text) {
  try {
    auto event = lavalink::parse_node_message(text);
    check(!std::holds_alternative<lavalink::DisconnectedEvent>(event));
    return event;
  } catch (...) {
    check(false);  // documented as never throwing
  }
  std::abort();
}

json::value guild(cadence::Snowflake id) { return json::value(std::to_string(id.value())); }

// An empty Track is how an event without a track reads (`track: {}`); it is written back so.
json::value track_json(const lavalink::Track& track) {
  if (track == lavalink::Track{}) return json::object{};
  return json::value_from(track);
}

json::object event_envelope(std::string_view type, cadence::Snowflake id,
                            const lavalink::Track& track) {
  return json::object{
      {"op", "event"}, {"type", type}, {"guildId", guild(id)}, {"track", track_json(track)}};
}

// What Lavalink would send for `event`; null for UnknownMessage (nothing to re-send).
json::value wire_form(const lavalink::NodeEvent& event) {
  return std::visit(
      [](const auto& e) -> json::value {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, lavalink::ReadyEvent>) {
          return json::object{{"op", "ready"}, {"resumed", e.resumed}, {"sessionId", e.session_id}};
        } else if constexpr (std::is_same_v<E, lavalink::PlayerUpdateEvent>) {
          return json::object{{"op", "playerUpdate"},
                              {"guildId", guild(e.guild_id)},
                              {"state", json::value_from(e.state)}};
        } else if constexpr (std::is_same_v<E, lavalink::StatsEvent>) {
          json::value v = json::value_from(e.stats);
          v.as_object()["op"] = "stats";
          return v;
        } else if constexpr (std::is_same_v<E, lavalink::TrackStartEvent>) {
          return event_envelope("TrackStartEvent", e.guild_id, e.track);
        } else if constexpr (std::is_same_v<E, lavalink::TrackEndEvent>) {
          auto o = event_envelope("TrackEndEvent", e.guild_id, e.track);
          o["reason"] = e.raw_reason;
          return o;
        } else if constexpr (std::is_same_v<E, lavalink::TrackExceptionEvent>) {
          auto o = event_envelope("TrackExceptionEvent", e.guild_id, e.track);
          o["exception"] = json::value_from(e.exception);
          return o;
        } else if constexpr (std::is_same_v<E, lavalink::TrackStuckEvent>) {
          auto o = event_envelope("TrackStuckEvent", e.guild_id, e.track);
          o["thresholdMs"] = e.threshold.count();
          return o;
        } else if constexpr (std::is_same_v<E, lavalink::WebSocketClosedEvent>) {
          json::object o{{"op", "event"},
                         {"type", "WebSocketClosedEvent"},
                         {"guildId", guild(e.guild_id)},
                         {"byRemote", e.by_remote}};
          if (e.code) o["code"] = *e.code;
          if (e.reason) o["reason"] = *e.reason;
          return o;
        } else {
          return nullptr;
        }
      },
      event);
}

// Boost.JSON 1.81 does not always read back the double it wrote: "3.3333333333333335E100"
// reads as 3.3333333333333339E100, one unit in the last place off (its parser is not correctly
// rounded). Loads therefore compare to within a few units in the last place.
bool near(double a, double b) {
  return a == b || std::abs(a - b) <= 4 * std::numeric_limits<double>::epsilon() *
                                          std::max(std::abs(a), std::abs(b));
}

bool same_stats(lavalink::Stats a, const lavalink::Stats& b) {
  if (!near(a.cpu.system_load, b.cpu.system_load) ||
      !near(a.cpu.lavalink_load, b.cpu.lavalink_load)) {
    return false;
  }
  a.cpu.system_load = b.cpu.system_load;
  a.cpu.lavalink_load = b.cpu.lavalink_load;
  return a == b;
}

bool same(const lavalink::NodeEvent& a, const lavalink::NodeEvent& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) -> bool {
        using E = std::decay_t<decltype(x)>;
        const auto& y = std::get<E>(b);
        if constexpr (std::is_same_v<E, lavalink::ReadyEvent>) {
          return x.session_id == y.session_id && x.resumed == y.resumed &&
                 x.previous_session_id == y.previous_session_id;
        } else if constexpr (std::is_same_v<E, lavalink::PlayerUpdateEvent>) {
          return x.guild_id == y.guild_id && x.state == y.state;
        } else if constexpr (std::is_same_v<E, lavalink::StatsEvent>) {
          return same_stats(x.stats, y.stats);
        } else if constexpr (std::is_same_v<E, lavalink::TrackStartEvent>) {
          return x.guild_id == y.guild_id && x.track == y.track;
        } else if constexpr (std::is_same_v<E, lavalink::TrackEndEvent>) {
          return x.guild_id == y.guild_id && x.track == y.track && x.reason == y.reason &&
                 x.raw_reason == y.raw_reason;
        } else if constexpr (std::is_same_v<E, lavalink::TrackExceptionEvent>) {
          return x.guild_id == y.guild_id && x.track == y.track && x.exception == y.exception;
        } else if constexpr (std::is_same_v<E, lavalink::TrackStuckEvent>) {
          return x.guild_id == y.guild_id && x.track == y.track && x.threshold == y.threshold;
        } else if constexpr (std::is_same_v<E, lavalink::WebSocketClosedEvent>) {
          return x.guild_id == y.guild_id && x.code == y.code && x.reason == y.reason &&
                 x.by_remote == y.by_remote;
        } else {
          return false;  // not compared: UnknownMessage is never re-sent
        }
      },
      a);
}

void check_unknown(const lavalink::UnknownMessage& unknown, std::string_view text) {
  if (unknown.error) {
    try {
      std::rethrow_exception(unknown.error);
    } catch (const lavalink::BuildError&) {
      // the one documented error type
    } catch (...) {
      check(false);
    }
  }
  json::error_code ec;
  const json::value sent = json::parse(text, ec);
  if (ec) {
    // Not JSON: kept as text, and that is an error.
    check(unknown.error != nullptr);
    check(unknown.raw.is_string() && unknown.raw.get_string() == text);
    return;
  }
  check(unknown.raw == sent);
  // An op that is there and a string is reported as sent.
  if (const auto* object = sent.if_object()) {
    if (const auto* op = object->if_contains("op"); op && op->is_string())
      check(unknown.op == op->get_string());
  }
  // Without an error, the message is well-formed (an object with a string op) but not one this
  // version reads.
  if (!unknown.error) {
    const auto* object = sent.if_object();
    check(object != nullptr && object->contains("op") && object->at("op").is_string());
  }
}

/// Boost.JSON reads a number whose exponent overflows ("0e999999") as NaN or infinity, which no
/// JSON writer produces and which equals nothing, itself included: such inputs are only checked
/// for not crashing.
bool has_non_finite(const json::value& v) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (has_non_finite(e)) return true;
  }
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o)
      if (has_non_finite(kv.value())) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const lavalink::NodeEvent event = parse_or_abort(text);
  {
    json::error_code ec;
    if (const auto v = json::parse(text, ec); !ec && has_non_finite(v)) return 0;
  }
  if (const auto* unknown = std::get_if<lavalink::UnknownMessage>(&event)) {
    check_unknown(*unknown, text);
    return 0;
  }
  // From here on the message was read: what Cadence writes back, Cadence must read back.
  const json::value wire = wire_form(event);
  check(!wire.is_null());
  const std::string resent = json::serialize(wire);
  const lavalink::NodeEvent again = parse_or_abort(resent);
  check(same(event, again));
  if (std::holds_alternative<lavalink::StatsEvent>(event)) {
    // Its loads may have moved by a unit in the last place (above): written again, they read
    // back as the same event.
    check(same(again, parse_or_abort(json::serialize(wire_form(again)))));
  } else {
    check(json::serialize(wire_form(again)) == resent);
  }
  return 0;
}
