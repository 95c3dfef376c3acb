// Turns a route and RequestParams into the http::Request that Rest sends (the same bytes for
// every attempt), with no I/O apart from reading files to upload.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cadence/discord/request_params.hpp"
#include "cadence/discord/rest_options.hpp"
#include "cadence/discord/route.hpp"
#include "cadence/http/message.hpp"

namespace cadence::discord::detail {

struct PreparedRequest {
  /// Its url holds only the target: version, path and query ("/v10/channels/1?limit=5"), since a
  /// queued request need not hold the base URL every request shares; send_url() adds it.
  http::Request request;
  /// Where Route::path() starts in the target (after the version segment).
  std::size_t path_begin = 0;
  /// The Rest's token goes in Authorization: the request counts against the bot's global lane
  /// and a 401 stops the token.
  bool sends_token = false;
  /// May be sent again after a 5xx or a network error without acting twice.
  bool resend_safe = false;
};

/// The top-level field names of the JSON body (or payload_json), for Route::set_body_fields.
[[nodiscard]] std::vector<std::string> body_fields(const RequestParams& params);

/// Builds the request, without the headers add_send_headers() adds. `nonce` is called for a message
/// creation without a nonce. Throws std::invalid_argument for conflicting or malformed parameters;
/// messages never hold the token, header values or file contents.
[[nodiscard]] PreparedRequest prepare_request(const RestOptions& options, const Route& route,
                                              RequestParams& params,
                                              const std::function<std::string()>& nonce);

/// The absolute URL of a target prepare_request() built.
[[nodiscard]] std::string send_url(const RestOptions& options, std::string_view target);

/// Adds what every send carries and a queued request need not hold: User-Agent and, when
/// `sends_token`, the token's Authorization (prepare_request validated the token already).
void add_send_headers(const RestOptions& options, bool sends_token, http::Request& request);

/// Percent-encodes every byte outside RFC 3986's unreserved set (for query and form fields).
[[nodiscard]] std::string url_encode(std::string_view text);

/// Standard base64 with padding (for Basic credentials).
[[nodiscard]] std::string base64(std::string_view bytes);

}  // namespace cadence::discord::detail
