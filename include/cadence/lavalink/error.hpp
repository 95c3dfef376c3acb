// The Lavalink layer's errors. They sit under lavalink::RestError so that one catch clause covers
// everything this layer reports; the names match what users of other Lavalink clients
// (Shoukaku, hikari-ongaku, Lavalink4NET) already know.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cadence/core/error.hpp"

namespace cadence::lavalink {

/// Base of every Lavalink-layer error.
class RestError : public cadence::Error {
 public:
  using cadence::Error::Error;
};

/// A 4xx/5xx answer that carried Lavalink's (Spring Boot's) error JSON.
class RestRequestError : public RestError {
 public:
  /// The fields of the error JSON, as the server sent them.
  struct Body {
    std::int64_t timestamp = 0;  ///< milliseconds since the Unix epoch
    int status = 0;
    std::string error;                 ///< the reason phrase, e.g. "Not Found"
    std::string message;               ///< what went wrong, e.g. "Session not found"
    std::string path;                  ///< the request path the server saw
    std::optional<std::string> trace;  ///< only when the request asked for `trace=true`
  };

  explicit RestRequestError(Body body);

  /// Parses `text` as Lavalink's error JSON; std::nullopt when it is not that shape (then the
  /// caller reports a RestStatusError instead).
  [[nodiscard]] static std::optional<RestRequestError> parse(std::string_view text);

  [[nodiscard]] const Body& body() const noexcept { return body_; }
  [[nodiscard]] std::int64_t timestamp() const noexcept { return body_.timestamp; }
  [[nodiscard]] int status() const noexcept { return body_.status; }
  [[nodiscard]] const std::string& error() const noexcept { return body_.error; }
  [[nodiscard]] const std::string& message() const noexcept { return body_.message; }
  [[nodiscard]] const std::string& path() const noexcept { return body_.path; }
  [[nodiscard]] const std::optional<std::string>& trace() const noexcept { return body_.trace; }

 private:
  Body body_;
};

/// A 4xx/5xx answer without the error JSON (401/403 come with empty bodies).
class RestStatusError : public RestError {
 public:
  /// Longest part of the body kept in the error (and its message).
  static constexpr std::size_t max_excerpt = 200;

  RestStatusError(int status, std::string_view body);
  [[nodiscard]] int status() const noexcept { return status_; }
  /// The start of the body, at most max_excerpt bytes, cut on a UTF-8 character boundary.
  [[nodiscard]] const std::string& body_excerpt() const noexcept { return excerpt_; }

 private:
  int status_;
  std::string excerpt_;
};

/// The endpoint documents a response body and none came (e.g. a 204 from /v4/info).
class RestEmptyError : public RestError {
 public:
  using RestError::RestError;
};

/// A body did not have the documented shape; path() names the JSON field that was wrong, as
/// in `data.tracks[3].info.length`.
class BuildError : public RestError {
 public:
  BuildError(std::string path, std::string_view problem);
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// What was wrong there, without the path ("expected a string, got a number"), for callers
  /// that report the problem in their own terms (the JSON was the user's, not a server's).
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

/// No node had a session to send the request to.
class NoSessionsError : public RestError {
 public:
  using RestError::RestError;
};

/// The node lacks what a request needs: a route it does not implement (it answered 404 where
/// Lavalink has the route: NodeLink 2.3 has no session PATCH and no route planner), a filter its
/// /v4/info does not list, or (for a pool) a source manager no connected node has.
class NotSupportedError : public RestError {
 public:
  /// `feature` names what is missing ("PATCH /v4/sessions/{sessionId}", "filter rotation",
  /// "source manager spotify").
  NotSupportedError(std::string feature, const std::string& what)
      : RestError(what), feature_(std::move(feature)) {}
  [[nodiscard]] const std::string& feature() const noexcept { return feature_; }

 private:
  std::string feature_;
};

/// An encoded track could not be decoded.
class TrackDecodeError : public RestError {
 public:
  /// Which representation offset() counts in.
  enum class Stage {
    base64,   ///< characters of the base64 text
    message,  ///< bytes of the decoded binary message (the 4-byte header is at 0)
  };

  TrackDecodeError(Stage stage, std::size_t offset, std::string_view problem);
  [[nodiscard]] Stage stage() const noexcept { return stage_; }
  [[nodiscard]] std::size_t offset() const noexcept { return offset_; }

 private:
  Stage stage_;
  std::size_t offset_;
};

/// Lavalink clients traditionally have their own TimeoutError; here it is the shared one.
using TimeoutError = cadence::TimeoutError;

}  // namespace cadence::lavalink
