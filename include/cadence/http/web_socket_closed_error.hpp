// A WebSocket ended with a closing handshake: the peer's close code and reason.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "cadence/core/error.hpp"

namespace cadence::http {

/// The connection was closed with a close frame, by the peer or after WebSocket::async_close.
/// Lavalink, for example, closes with 4004 when the password is wrong on resume.
class WebSocketClosedError : public Error {
 public:
  WebSocketClosedError(const std::string& what, std::uint16_t code, std::string reason)
      : Error(what), code_(code), reason_(std::move(reason)) {}

  /// The close code from the peer's close frame (1005 when its frame carried none).
  [[nodiscard]] std::uint16_t code() const noexcept { return code_; }
  /// The peer's reason text (may be empty).
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::uint16_t code_;
  std::string reason_;
};

}  // namespace cadence::http
