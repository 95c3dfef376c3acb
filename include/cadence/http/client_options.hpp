// Settings of http::Client. Defaults follow the design's Decisions section.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "cadence/core/log.hpp"
#include "cadence/version.hpp"

namespace cadence::http {

struct TlsOptions {
  /// Verify the server's certificate chain and that it names the host. Turning this off is an
  /// explicit choice for tests against self-signed servers; it is never the default.
  bool verify_peer = true;
  /// Trust the system's CA store (/etc/ssl/certs).
  bool use_system_ca_store = true;
  /// An extra PEM file of CA certificates to trust (for example a private CA).
  std::string ca_file;
};

struct ClientOptions {
  /// TCP connect plus TLS handshake.
  std::chrono::milliseconds connect_timeout{5000};
  /// One attempt: writing the request and reading the whole response, not only idle gaps.
  std::chrono::milliseconds request_timeout{15000};
  /// Connections per origin (scheme, host, port); more concurrent requests wait for one.
  std::size_t max_connections_per_origin = 32;
  /// Idle pooled connections are closed after this long.
  std::chrono::milliseconds idle_timeout{60000};
  /// Responses with a larger body end in ResponseTooLargeError and a closed connection.
  std::size_t max_body_size = 32 * 1024 * 1024;
  /// Same for the status line plus header fields, and for a chunked body's size lines and
  /// trailer. Beast counts the fields it has not parsed yet, so a head that arrives in pieces may
  /// carry up to about twice this.
  std::size_t max_header_size = 64 * 1024;
  /// Sent unless the request sets its own User-Agent.
  std::string user_agent = std::string("cadence/") + version_string;
  TlsOptions tls;
  Logger logger;
};

}  // namespace cadence::http
