#include "cadence/lavalink/exception.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

std::string_view to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::common:
      return "common";
    case Severity::suspicious:
      return "suspicious";
    case Severity::fault:
      return "fault";
    case Severity::unknown:
      return "unknown";
  }
  return "fault";
}

std::optional<Severity> parse_severity(std::string_view text) noexcept {
  if (text == "common" || text == "COMMON") return Severity::common;
  if (text == "suspicious" || text == "SUSPICIOUS") return Severity::suspicious;
  if (text == "fault" || text == "FAULT") return Severity::fault;
  return std::nullopt;
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Exception& e) {
  boost::json::object o;
  o.emplace("message", detail::optional_string(e.message));
  // An unknown severity goes back exactly as the server wrote it, even empty: writing
  // "unknown" for "" changed the value on a read-write cycle (found by fuzz/lavalink_models).
  if (e.severity == Severity::unknown) {
    o.emplace("severity", e.raw_severity);
  } else {
    o.emplace("severity", to_string(e.severity));
  }
  o.emplace("cause", e.cause);
  if (e.cause_stack_trace) o.emplace("causeStackTrace", *e.cause_stack_trace);
  jv = std::move(o);
}

namespace detail {
Exception read_exception(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  Exception e;
  e.message = r.opt_string("message");
  const std::string severity = r.string("severity");
  if (const auto parsed = parse_severity(severity)) {
    e.severity = *parsed;
  } else {
    e.severity = Severity::unknown;
    e.raw_severity = severity;
  }
  e.cause = r.string("cause");
  e.cause_stack_trace = r.opt_string("causeStackTrace");
  return e;
}
}  // namespace detail

Exception tag_invoke(const boost::json::value_to_tag<Exception>&, const boost::json::value& jv) {
  return detail::read_exception(jv, detail::Path{});
}

}  // namespace cadence::lavalink
