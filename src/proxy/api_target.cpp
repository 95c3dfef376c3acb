#include "proxy/api_target.hpp"

namespace cadence::proxy::detail {

std::optional<ApiTarget> split_api_target(std::string_view target) {
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  ApiTarget out;
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  constexpr std::string_view kPrefix = "/api/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size() - 1);  // keeps the '/' that starts the rest
  // "/v10/..." is a version segment: 'v' and one to three digits, then '/' or the end.
  if (path.size() >= 3 && path[1] == 'v') {
    std::size_t i = 2;
    unsigned version = 0;
    while (i < path.size() && i < 5 && path[i] >= '0' && path[i] <= '9') {
      version = version * 10 + static_cast<unsigned>(path[i] - '0');
      ++i;
    }
    if (i > 2 && version > 0 && (i == path.size() || path[i] == '/')) {
      out.api_version = version;
      path.remove_prefix(i);
    }
  }
  out.route = std::string(path);
  return out;
}

}  // namespace cadence::proxy::detail
