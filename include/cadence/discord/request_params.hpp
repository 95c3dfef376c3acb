// What one Discord request carries besides its method and route.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
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

/// A body the caller has already encoded (a proxy passing a client's body on), sent byte for
/// byte.
struct RawBody {
  /// Sent as Content-Type unless empty; CR, LF and NUL are refused.
  std::string content_type;
  std::string data;
};

/// Parameters of one request. Every field is optional; a default RequestParams sends a bare
/// request with the Rest's token.
///
/// Bodies: at most one of `json` and `form`. With `files` the body is multipart/form-data, the
/// JSON going in the payload_json part; `form` cannot be combined with files. `raw_body`
/// excludes all three.
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

  // For callers that pass on requests they did not build (cadence proxy).

  /// Sent as given instead of json/form/files. A JSON object body (a Content-Type containing
  /// "json") still tells the route its top-level fields (sublimits), and a message creation
  /// whose body carries a nonce with "enforce_nonce": true is resent like one Rest built; Rest
  /// adds no nonce to it.
  std::optional<RawBody> raw_body;
  /// A query string already percent-encoded, without the '?', appended after `query`'s
  /// parameters. Characters outside RFC 3986's query set, and a '%' not followed by two hex
  /// digits, are refused with std::invalid_argument.
  std::string raw_query;
  /// Overrides RestOptions::api_version for this request (0: no version segment).
  std::optional<unsigned> api_version;
  /// Like `deadline`, but bounds only the waits for a permit (the first and any after a 429),
  /// not the HTTP attempts: a known wait beyond it, or a request still queued then, fails with
  /// RateLimitedError.
  std::optional<Clock::time_point> queue_deadline;
  /// Called each time the whole request has been written to a connection, on the HTTP client's
  /// strand (see http::Request::on_written). Must not throw or block.
  std::function<void()> on_written;
};

}  // namespace cadence::discord
