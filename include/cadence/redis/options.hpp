// Where and how a redis::Client connects, read from a redis:// or rediss:// URL; the password
// comes from the environment or a file, never from the URL or a command line.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cadence/http/client_options.hpp"

namespace cadence::redis {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  /// SELECTed after connecting when not 0.
  int db = 0;
  /// TLS over TCP, verified as http::Client verifies (TlsOptions::verify_peer is on by default).
  bool tls = false;
  http::TlsOptions tls_options;
  /// ACL user for AUTH; the default user when unset.
  std::optional<std::string> username;
  /// AUTH password; never printed (not in errors, not in logs).
  std::optional<std::string> password;
  /// TCP connect, TLS handshake, AUTH and SELECT together.
  std::chrono::milliseconds connect_timeout{2000};
  /// From issuing a command to its reply. A timeout closes the connection (every command pending
  /// on it fails) so that later replies cannot be matched to the wrong command.
  std::chrono::milliseconds command_timeout{2000};
  /// Reconnection backoff: doubles from reconnect_min up to reconnect_max, with jitter (each
  /// wait is drawn between half the step and the step).
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
};

/// Parses "redis://host[:port][/db]" or "rediss://host[:port][/db]" (TLS); IPv6 hosts in
/// brackets. The port defaults to 6379 and the db to 0.
///
/// Credentials in the URL (user, password or both before '@') are refused with
/// std::invalid_argument whose message says to use CADENCE_REDIS_PASSWORD or
/// CADENCE_REDIS_PASSWORD_FILE (and Options::username) instead; the message never repeats them.
/// A bad scheme, host, port, db, or a query or fragment is std::invalid_argument, one line.
[[nodiscard]] Options parse_url(std::string_view url);

/// The password from the environment variable CADENCE_REDIS_PASSWORD if it is set and not empty,
/// else from the file named by CADENCE_REDIS_PASSWORD_FILE (one trailing "\n" or "\r\n"
/// removed); std::nullopt when neither is set. Throws std::runtime_error, naming the file but
/// not its contents, when the file cannot be read.
[[nodiscard]] std::optional<std::string> password_from_environment();

}  // namespace cadence::redis
