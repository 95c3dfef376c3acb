// PATCH /v4/sessions/{id}: resuming settings. The timeout is in seconds on the wire, a unit
// that other clients get wrong; here the type says so.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <optional>

namespace cadence::lavalink {

/// The request body; unset fields are left as they are.
struct SessionUpdate {
  std::optional<bool> resuming;
  std::optional<std::chrono::seconds> timeout;
  friend bool operator==(const SessionUpdate&, const SessionUpdate&) = default;
};

/// The response: the session's settings after the update.
struct SessionState {
  bool resuming = false;
  std::chrono::seconds timeout{60};
  friend bool operator==(const SessionState&, const SessionState&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const SessionUpdate& update);
SessionUpdate tag_invoke(const boost::json::value_to_tag<SessionUpdate>&,
                         const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const SessionState& state);
SessionState tag_invoke(const boost::json::value_to_tag<SessionState>&,
                        const boost::json::value& jv);

}  // namespace cadence::lavalink
