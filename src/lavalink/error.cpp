#include "cadence/lavalink/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace cadence::lavalink {
namespace {

std::string request_message(const RestRequestError::Body& body) {
  // The path stays out of the message (it is available from path()): messages follow the
  // core rule of naming no request path, which keeps logs uniform across layers.
  std::string text = "Lavalink answered " + std::to_string(body.status);
  if (!body.error.empty()) text += " " + body.error;
  if (!body.message.empty()) text += ": " + body.message;
  return text;
}

// Cuts at most `limit` bytes without splitting a UTF-8 sequence, so that the excerpt stays
// printable when the body was text.
std::string excerpt_of(std::string_view body, std::size_t limit) {
  if (body.size() <= limit) return std::string(body);
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return std::string(body.substr(0, end));
}

std::string status_message(int status, const std::string& excerpt) {
  std::string text = "Lavalink answered " + std::to_string(status);
  if (!excerpt.empty()) text += ": " + excerpt;
  return text;
}

const char* stage_name(TrackDecodeError::Stage stage) {
  return stage == TrackDecodeError::Stage::base64 ? "base64 character" : "byte";
}

}  // namespace

RestRequestError::RestRequestError(Body body)
    : RestError(request_message(body)), body_(std::move(body)) {}

std::optional<RestRequestError> RestRequestError::parse(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value jv = boost::json::parse(text, ec);
  if (ec || !jv.is_object()) return std::nullopt;
  const auto& obj = jv.get_object();
  // status and message are what makes the body Lavalink's error JSON; the other fields are
  // taken when present so that servers that trim them (NodeLink) still parse.
  const auto* status = obj.if_contains("status");
  const auto* message = obj.if_contains("message");
  if (!status || !status->is_int64() || !message || !message->is_string()) return std::nullopt;
  Body body;
  body.status = static_cast<int>(status->get_int64());
  body.message = std::string(message->get_string());
  if (const auto* v = obj.if_contains("timestamp"); v && v->is_int64()) {
    body.timestamp = v->get_int64();
  }
  if (const auto* v = obj.if_contains("error"); v && v->is_string()) {
    body.error = std::string(v->get_string());
  }
  if (const auto* v = obj.if_contains("path"); v && v->is_string()) {
    body.path = std::string(v->get_string());
  }
  if (const auto* v = obj.if_contains("trace"); v && v->is_string()) {
    body.trace = std::string(v->get_string());
  }
  return RestRequestError(std::move(body));
}

RestStatusError::RestStatusError(int status, std::string_view body)
    : RestError(status_message(status, excerpt_of(body, max_excerpt))),
      status_(status),
      excerpt_(excerpt_of(body, max_excerpt)) {}

BuildError::BuildError(std::string path, std::string_view problem)
    : RestError("unexpected Lavalink JSON at " + (path.empty() ? std::string("(root)") : path) +
                ": " + std::string(problem)),
      path_(std::move(path)),
      problem_(problem) {}

TrackDecodeError::TrackDecodeError(Stage stage, std::size_t offset, std::string_view problem)
    : RestError("cannot decode track at " + std::string(stage_name(stage)) + " " +
                std::to_string(offset) + ": " + std::string(problem)),
      stage_(stage),
      offset_(offset) {}

}  // namespace cadence::lavalink
