// Settings of http::WebSocket.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "cadence/core/log.hpp"
#include "cadence/http/client_options.hpp"
#include "cadence/http/headers.hpp"
#include "cadence/version.hpp"

namespace cadence::http {

struct WebSocketOptions {
  /// TCP connect plus TLS handshake.
  std::chrono::milliseconds connect_timeout{5000};
  /// The HTTP upgrade (request written, 101 read), and later the closing handshake.
  std::chrono::milliseconds handshake_timeout{5000};
  /// Once open, the connection fails with TimeoutError when nothing (no message, no pong) has
  /// arrived for this long while a read is pending. Halfway through a silent period a ping is
  /// sent (with `keep_alive_pings`), so a live peer always answers in time. Zero disables it.
  std::chrono::milliseconds idle_timeout{60000};
  bool keep_alive_pings = true;
  /// A larger incoming message fails the connection (close code 1009) with
  /// ResponseTooLargeError.
  std::size_t max_message_size = 16 * 1024 * 1024;
  /// Added to every handshake; headers given to async_connect replace fields of the same name.
  Headers headers;
  /// Sent unless the handshake headers set their own User-Agent.
  std::string user_agent = std::string("cadence/") + version_string;
  /// The same trust settings as http::Client: verification on, system CAs, optional CA file.
  TlsOptions tls;
  Logger logger;
};

}  // namespace cadence::http
