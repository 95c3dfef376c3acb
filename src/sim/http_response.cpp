#include "cadence/sim/http_response.hpp"

#include <algorithm>

namespace cadence::sim {

HttpResponse HttpResponse::json(unsigned status, std::string body) {
  return text(status, std::move(body), "application/json");
}

HttpResponse HttpResponse::text(unsigned status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

HttpResponse HttpResponse::empty(unsigned status) {
  HttpResponse r;
  r.status = status;
  return r;
}

HttpResponse HttpResponse::drop(std::chrono::milliseconds delay, bool reset) {
  HttpResponse r;
  r.delay = delay;
  r.action = reset ? HttpAction::reset : HttpAction::close;
  return r;
}

HttpResponse& HttpResponse::set_header(std::string name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace cadence::sim
