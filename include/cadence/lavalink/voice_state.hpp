// The voice connection details a player uses (sent in PATCH, echoed in GET).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>
#include <string>

namespace cadence::lavalink {

/// Empty `token`, `endpoint` and `session_id` mean "no voice connection". Lavalink sends "" for
/// them then; NodeLink sends null or leaves them out, and both read as "" here. Writing always
/// sends all four keys (the server requires them in PATCH).
struct VoiceState {
  std::string token;
  std::string endpoint;
  std::string session_id;
  /// Required by Lavalink 4.2+ in PATCH (Discord's DAVE); older servers omit it.
  std::optional<std::string> channel_id;

  /// True when the server reports a voice connection (token, endpoint and session id all set).
  [[nodiscard]] bool connected() const noexcept {
    return !token.empty() && !endpoint.empty() && !session_id.empty();
  }
  friend bool operator==(const VoiceState&, const VoiceState&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const VoiceState& v);
VoiceState tag_invoke(const boost::json::value_to_tag<VoiceState>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
