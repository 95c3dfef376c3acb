// The Route of a queued Rest request, built again. A queued request keeps only its encoded
// path, the clock reading it was parsed with and its request class (a parsed Route costs about
// 500 B); the rare steps that need the route again (a wait after a 429 or a backoff, an error
// message) rebuild it here.
#pragma once

#include <string_view>

#include "cadence/discord/route.hpp"

namespace cadence::discord::detail {

/// Parses `encoded_path` (a Route::path(), already validated and percent-encoded) with the
/// options of the first parse, and gives it back the request class (Route::request_class())
/// the first route had. The result equals the first route in everything it reports.
[[nodiscard]] Route parse_again(Method method, std::string_view encoded_path,
                                const RouteOptions& options, std::string_view request_class);

}  // namespace cadence::discord::detail
