// Lavalink's Exception object: a failed load (loadType "error") or a TrackExceptionEvent.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cadence::lavalink {

enum class Severity {
  common,      ///< the cause is known and expected (e.g. the video is unavailable)
  suspicious,  ///< probably an outside factor, such as an unexpected response format
  fault,       ///< a bug or an unknown cause
  /// A severity this version does not know; Exception::raw_severity holds the server's text.
  unknown,
};

/// "common", "suspicious", "fault", and "unknown" for Severity::unknown.
[[nodiscard]] std::string_view to_string(Severity severity) noexcept;
/// Accepts the v4 spelling ("common") and v3's ("COMMON"); std::nullopt otherwise.
[[nodiscard]] std::optional<Severity> parse_severity(std::string_view text) noexcept;

struct Exception {
  std::optional<std::string> message;
  Severity severity = Severity::fault;
  /// The server's text when severity is Severity::unknown (kept, and sent back as is, so that
  /// a newer server's severity does not make the whole result unreadable); empty otherwise.
  std::string raw_severity;
  std::string cause;
  /// Since Lavalink 4.1.
  std::optional<std::string> cause_stack_trace;
  friend bool operator==(const Exception&, const Exception&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Exception& e);
Exception tag_invoke(const boost::json::value_to_tag<Exception>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
