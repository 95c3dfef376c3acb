// What a simulator's handler answers: a plain response, or misbehaviour for testing clients
// (a late answer, a connection closed or reset instead of an answer, a response cut short).
// Threading: a value, built in a handler and handed back to the server; no shared state.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cadence/sim/http_request.hpp"

namespace cadence::sim {

/// What the server does with a response once its delay has passed.
enum class HttpAction {
  respond,   ///< write it
  close,     ///< close the connection without writing anything (the client sees EOF)
  reset,     ///< reset the connection without writing anything (the client sees ECONNRESET)
  truncate,  ///< write only the first `truncate_after` bytes of it, then close
};

struct HttpResponse {
  unsigned status = 200;
  /// Sent as given; Content-Length is set by the server (any given here is replaced), and a
  /// Server header is added unless one is given.
  HttpFields headers;
  std::string body;

  /// Wait this long before acting (simulated latency or a hung server).
  std::chrono::milliseconds delay{0};
  HttpAction action = HttpAction::respond;
  std::size_t truncate_after = 0;
  /// False closes the connection after this response (with "Connection: close").
  bool keep_alive = true;
  /// Runs once when the response has been written, or when the connection ended before that
  /// (including misbehaviour and server stop). Runs on the server's executor; never after stop()
  /// has returned.
  std::function<void()> on_done;

  /// `body` with Content-Type: application/json.
  [[nodiscard]] static HttpResponse json(unsigned status, std::string body);
  /// `body` with the given Content-Type.
  [[nodiscard]] static HttpResponse text(unsigned status, std::string body,
                                         std::string content_type = "text/plain; charset=utf-8");
  /// No body (204 by default).
  [[nodiscard]] static HttpResponse empty(unsigned status = 204);
  /// Closes (or with `reset`, resets) the connection after `delay`, answering nothing.
  [[nodiscard]] static HttpResponse drop(std::chrono::milliseconds delay = {}, bool reset = false);

  /// Replaces every header with this name (case-insensitive) by one with this value.
  HttpResponse& set_header(std::string name, std::string value);
  /// The first header with this name (case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

}  // namespace cadence::sim
