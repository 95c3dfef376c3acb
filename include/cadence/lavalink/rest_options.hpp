// Settings of lavalink::Rest (one Lavalink node).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cadence/http/client_options.hpp"

namespace cadence::lavalink {

struct RestOptions {
  /// The node: scheme, host and port, plus a path prefix when a proxy puts the node under one
  /// ("https://proxy.example/lavalink"). A trailing '/' is ignored.
  std::string base_url = "http://127.0.0.1:2333";
  /// Sent as the Authorization header on every request; never part of an error or a log.
  std::string password;
  /// User-Agent for this node's requests; empty keeps http.user_agent ("cadence/<version>").
  std::string user_agent;
  /// Ask the server for stack traces in its error JSON (adds `trace=true` to every request);
  /// they arrive in RestRequestError::trace().
  bool trace = false;
  /// Limit for one request (writing it and reading the whole answer); std::nullopt keeps
  /// http.request_timeout. Expiry is a cadence::TimeoutError.
  std::optional<std::chrono::milliseconds> timeout;
  /// Connection pool, connect timeout, TLS and size caps of the underlying http::Client.
  http::ClientOptions http;
};

}  // namespace cadence::lavalink
