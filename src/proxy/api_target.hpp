// Splits what a bot asked for ("/api/v10/channels/1/messages?limit=2") into what Rest takes:
// the API version (0 for an unversioned /api/...), the route and the raw query.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cadence::proxy::detail {

struct ApiTarget {
  /// 0: the bot called /api/<route> without a version, and so does the proxy.
  unsigned api_version = 0;
  /// "/channels/1/messages": still percent-encoded, validated later by discord::Route.
  std::string route;
  /// Still encoded, without '?'.
  std::string query;
};

/// std::nullopt when the path is not under /api/.
[[nodiscard]] std::optional<ApiTarget> split_api_target(std::string_view target);

}  // namespace cadence::proxy::detail
