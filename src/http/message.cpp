#include "cadence/http/message.hpp"

namespace cadence::http {

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::options:
      return "OPTIONS";
  }
  return "GET";
}

std::optional<Method> parse_method(std::string_view name) noexcept {
  for (auto m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                 Method::options}) {
    if (to_string(m) == name) return m;
  }
  return std::nullopt;
}

bool is_resend_safe(Method method) noexcept {
  return method != Method::post && method != Method::patch;
}

}  // namespace cadence::http
