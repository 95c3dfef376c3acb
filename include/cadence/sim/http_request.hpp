// A request as a simulator's handler sees it: plain strings, no Beast types.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadence::sim {

/// Header or query pairs in the order they arrived; names keep the client's spelling.
using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  /// "GET", "POST", ...
  std::string method;
  /// The request target as sent ("/api/v10/channels/1?limit=2").
  std::string target;
  /// The target up to '?', not percent-decoded, so that an encoded '/' in a segment stays one
  /// segment ("/api/v10/channels/1").
  std::string path;
  /// The query's parameters, percent-decoded ('+' is a space).
  HttpFields query;
  HttpFields headers;
  std::string body;
  /// The client's IP address ("127.0.0.1").
  std::string remote_address;
  /// 11 for HTTP/1.1, 10 for HTTP/1.0.
  unsigned version = 11;

  /// The first header with this name (case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  /// The first query parameter with this name (case-sensitive, as in URLs).
  [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const;
};

/// Splits and percent-decodes a query string ("a=1&b=x%20y"); used by the server, public for tests.
[[nodiscard]] HttpFields parse_query(std::string_view query);

/// ASCII case-insensitive equality, for header names.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace cadence::sim
