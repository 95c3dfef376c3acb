// The server answered a WebSocket upgrade with something other than 101.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <utility>

#include "cadence/core/error.hpp"
#include "cadence/http/message.hpp"

namespace cadence::http {

/// The upgrade was refused with an HTTP answer, for example 401 for a wrong password. The
/// message names the origin and the status only; the request's headers never appear in it.
class WebSocketHandshakeError : public Error {
 public:
  WebSocketHandshakeError(const std::string& what, Response response)
      : Error(what), response_(std::move(response)) {}

  /// The HTTP status the server answered with.
  [[nodiscard]] unsigned status() const noexcept { return response_.status; }
  /// The whole answer (status, headers, body), for servers that explain the refusal.
  [[nodiscard]] const Response& response() const noexcept { return response_; }

 private:
  Response response_;
};

}  // namespace cadence::http
