// What one Discord request carries besides its method and route.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cadence/core/clock.hpp"
#include "cadence/http/headers.hpp"

namespace cadence::discord {

/// A file to upload, from memory or from disk. Sent as a multipart part named files[n] (n its
/// index among the request's files) unless `field` names the part.
struct FileUpload {
  /// The file name Discord shows; for a file from disk, its name when empty.
  std::string name;
  /// The bytes, when the file is in memory.
  std::optional<std::string> data;
  /// The file to read when `data` is unset. Read once when the request starts; a resend reuses
  /// the bytes read.
  std::filesystem::path path;
  /// Empty: guessed from the name's extension.
  std::string content_type;
  /// The part's name; empty means files[n].
  std::string field;

  [[nodiscard]] static FileUpload from_memory(std::string name, std::string data,
                                              std::string content_type = {}) {
    FileUpload f;
    f.name = std::move(name);
    f.data = std::move(data);
    f.content_type = std::move(content_type);
    return f;
  }
  [[nodiscard]] static FileUpload from_path(std::filesystem::path path, std::string name = {}) {
    FileUpload f;
    f.path = std::move(path);
    f.name = std::move(name);
    return f;
  }
};

/// OAuth2 client credentials, sent as "Authorization: Basic base64(id:secret)".
struct BasicAuth {
  std::string client_id;
  std::string client_secret;
};

/// Parameters of one request. Every field is optional; a default RequestParams sends a bare
/// request with the Rest's token.
///
/// Bodies: at most one of `json` and `form`. With `files` the body is multipart/form-data, the
/// JSON going in the payload_json part; `form` cannot be combined with files.
///
/// Authorization. With auth = true (the default) the Rest's token is sent and the request counts
/// against the bot's global limit. auth = false sends no token (webhook execution by token) and
/// counts against the per-IP lane. `basic_auth` replaces the token with client credentials (the
/// OAuth2 token exchange), also on the per-IP lane. An Authorization field in `headers` is
/// accepted only with auth = false and no basic_auth, so a caller can never replace the token
/// by accident: otherwise the request fails with std::invalid_argument.
struct RequestParams {
  std::optional<boost::json::value> json;
  /// application/x-www-form-urlencoded fields, in order.
  std::vector<std::pair<std::string, std::string>> form;
  /// Query parameters, percent-encoded by Rest, in order.
  std::vector<std::pair<std::string, std::string>> query;
  /// X-Audit-Log-Reason: 1-512 characters, URL-encoded by Rest.
  std::optional<std::string> reason;
  std::vector<FileUpload> files;
  /// Extra header fields; they replace fields of the same name that Rest would send (except
  /// Authorization, see above). Names must be HTTP tokens; CR, LF and NUL in values are refused.
  /// Host, Content-Length and Transfer-Encoding cannot be set.
  http::Headers headers;
  std::optional<BasicAuth> basic_auth;
  bool auth = true;
  /// The request must complete by then: queueing, every attempt and the waits between them.
  /// A known rate-limit wait beyond it fails at once with RateLimitedError; running out later
  /// fails with cadence::TimeoutError.
  std::optional<Clock::time_point> deadline;
  /// Overrides RestOptions::attempt_timeout for this request.
  std::optional<std::chrono::milliseconds> attempt_timeout;
};

}  // namespace cadence::discord
