// Who a request speaks for, read from its Authorization header: a bot or bearer token (one
// Rest each), or nothing the proxy limits per token (no header, or another scheme such as
// Basic, which goes through the per-IP lane like the library's auth = false).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cadence/discord/rest_options.hpp"

namespace cadence::proxy::detail {

struct Credential {
  /// Set for "Bot <token>" and "Bearer <token>".
  std::optional<discord::TokenType> type;
  /// The token (a secret: never logged, never in metrics).
  std::string token;
  /// For another scheme: the whole header value, forwarded as it came.
  std::string other_authorization;

  /// The key of its Rest in the pool: empty for requests without a token.
  [[nodiscard]] std::string pool_key() const;
};

/// Reads an Authorization value (or its absence). The scheme is case-insensitive; a "Bot" or
/// "Bearer" value without a token is taken as another scheme and forwarded as is.
[[nodiscard]] Credential parse_credential(std::optional<std::string_view> authorization);

/// The first 8 hex digits of the token's SHA-256: enough to tell tokens apart in metrics, far
/// too little to learn anything about the token.
[[nodiscard]] std::string short_hash(std::string_view token);

}  // namespace cadence::proxy::detail
