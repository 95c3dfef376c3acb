// Answers in the real server's shapes: Spring Boot's error JSON (with `trace` only when the
// request says ?trace=true) and the plain JSON answers.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "cadence/sim/http_request.hpp"
#include "cadence/sim/http_response.hpp"

namespace cadence::sim::detail {

[[nodiscard]] std::string_view lavalink_reason(unsigned status) noexcept;

/// {timestamp, status, error, message, path} plus `trace` on ?trace=true.
[[nodiscard]] HttpResponse lavalink_error(const HttpRequest& request, unsigned status,
                                          std::string message);

[[nodiscard]] HttpResponse json_response(unsigned status, const boost::json::value& body);

/// Milliseconds since the Unix epoch (the real server's `timestamp` and `time` fields).
[[nodiscard]] std::int64_t epoch_ms();

}  // namespace cadence::sim::detail
