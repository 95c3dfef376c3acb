// Splits an absolute URL into the origin a connection is for and the request target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cadence::http::detail {

struct Origin {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 0;

  /// "https://host:port", the pool key and the name used in error messages. Never includes a
  /// path or query, which may carry secrets (Discord webhook tokens).
  [[nodiscard]] std::string key() const;
  /// The Host header value: the port only when it is not the scheme's default.
  [[nodiscard]] std::string host_header() const;
};

struct Target {
  Origin origin;
  std::string target;  // "/path?query", percent-encoded as given
};

/// Throws std::invalid_argument for anything but an absolute http(s) URL with a host.
Target parse_url(std::string_view url);

}  // namespace cadence::http::detail
