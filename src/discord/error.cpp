#include "cadence/discord/error.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace cadence::discord {
namespace {

std::string rate_limited_message(const std::string& route, RateLimitScope scope,
                                 std::chrono::milliseconds retry_after, std::string_view reason) {
  std::string msg = fmt::format("rate limited ({}) on {}", to_string(scope), route);
  if (retry_after.count() > 0) {
    msg += fmt::format(": retry after {:.3f} s", static_cast<double>(retry_after.count()) / 1000.0);
  }
  if (!reason.empty()) {
    msg += "; ";
    msg += reason;
  }
  return msg;
}

std::string api_message(unsigned status, int code, const std::string& message,
                        const std::vector<std::string>& lines) {
  std::string msg = code != 0 ? fmt::format("Discord API error {} (HTTP {})", code, status)
                              : fmt::format("Discord API error (HTTP {})", status);
  if (!message.empty()) msg += ": " + message;
  for (const auto& line : lines) msg += "\n  " + line;
  return msg;
}

void flatten_into(const boost::json::value& node, std::string& path,
                  std::vector<std::string>& out) {
  const auto* obj = node.if_object();
  if (!obj) return;
  if (const auto* errs = obj->if_contains("_errors"); errs && errs->is_array()) {
    for (const auto& e : errs->get_array()) {
      std::string message;
      std::string code;
      if (const auto* eo = e.if_object()) {
        if (const auto* m = eo->if_contains("message"); m && m->is_string()) {
          message = std::string(m->get_string());
        }
        if (const auto* c = eo->if_contains("code"); c && c->is_string()) {
          code = std::string(c->get_string());
        }
      }
      std::string line = path.empty() ? message : path + ": " + message;
      if (!code.empty()) line += " (" + code + ")";
      out.push_back(std::move(line));
    }
  }
  for (const auto& [key, child] : *obj) {
    if (key == "_errors") continue;
    const auto saved = path.size();
    if (!path.empty()) path += '.';
    path.append(key.data(), key.size());
    flatten_into(child, path, out);
    path.resize(saved);
  }
}

}  // namespace

std::string_view to_string(RateLimitScope scope) noexcept {
  switch (scope) {
    case RateLimitScope::user:
      return "user";
    case RateLimitScope::global:
      return "global";
    case RateLimitScope::shared:
      return "shared";
    case RateLimitScope::sublimit:
      return "sublimit";
    case RateLimitScope::ban:
      return "ban";
    case RateLimitScope::breaker:
      return "breaker";
  }
  return "user";
}

RateLimitedError::RateLimitedError(std::string route, RateLimitScope scope,
                                   std::chrono::milliseconds retry_after, std::string_view reason)
    : Error(rate_limited_message(route, scope, retry_after, reason)),
      route_(std::move(route)),
      scope_(scope),
      retry_after_(retry_after) {}

std::vector<std::string> flatten_errors(const boost::json::value& errors) {
  std::vector<std::string> out;
  std::string path;
  flatten_into(errors, path, out);
  return out;
}

ApiError::ApiError(unsigned status, int code, std::string message, boost::json::value errors)
    : Error(api_message(status, code, message, flatten_errors(errors))),
      status_(status),
      code_(code),
      message_(std::move(message)),
      errors_(std::move(errors)),
      lines_(flatten_errors(errors_)) {}

ApiError ApiError::from_response(unsigned status, std::string_view body) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (!ec) {
    if (const auto* obj = parsed.if_object()) {
      int code = 0;
      std::string message;
      boost::json::value errors = nullptr;
      if (const auto* c = obj->if_contains("code")) {
        if (c->is_int64()) code = static_cast<int>(c->get_int64());
        if (c->is_uint64()) code = static_cast<int>(c->get_uint64());
      }
      if (const auto* m = obj->if_contains("message"); m && m->is_string()) {
        message = std::string(m->get_string());
      }
      if (const auto* e = obj->if_contains("errors"); e && e->is_object()) errors = *e;
      return ApiError(status, code, std::move(message), std::move(errors));
    }
  }
  std::string shown(body.substr(0, std::min<std::size_t>(body.size(), 200)));
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return ApiError(status, 0, std::move(shown));
}

namespace {

std::string excerpt_of(std::string_view body) {
  constexpr std::size_t kMax = 120;
  std::string out;
  for (const char c : body.substr(0, kMax)) {
    // One line in any log: control characters (CR/LF among them) become spaces.
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  if (body.size() > kMax) out += "...";
  return out;
}

}  // namespace

ResponseFormatError::ResponseFormatError(unsigned status, std::string_view content_type,
                                         std::string_view body)
    : Error(fmt::format("Discord answered {} with a body that is not valid {} ({} bytes): {}",
                        status, content_type, body.size(), excerpt_of(body))),
      status_(status),
      excerpt_(excerpt_of(body)) {}

}  // namespace cadence::discord
