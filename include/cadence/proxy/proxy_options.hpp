// Settings of proxy::Proxy (and of `cadence proxy`, whose flags set them).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cadence/discord/invalid_request_breaker.hpp"
#include "cadence/discord/limit_store.hpp"
#include "cadence/http/client_options.hpp"

namespace cadence::proxy {

struct ProxyOptions {
  /// Where bots connect: an IPv4 or IPv6 literal and a port (0 picks a free one).
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  /// Discord's API base, without the version; a simulator's "http://127.0.0.1:P/api" in tests.
  std::string upstream = "https://discord.com/api";
  /// A request that would wait longer than this for a rate limit is answered 429 at once (with
  /// Discord's body and headers) instead of being held.
  std::chrono::milliseconds max_wait{30000};
  /// Requests one token (or the group without a token) may have in the proxy at once, waiting
  /// or being sent; beyond it the answer is 503.
  std::size_t max_queue = 1000;
  /// Larger request bodies are answered 413 (Discord's own cap is 25 MiB).
  std::size_t max_body = 25 * 1024 * 1024;
  /// A token's limiter (its buckets and global lane) is dropped after this long without a
  /// request and with nothing in flight.
  std::chrono::milliseconds token_idle{std::chrono::minutes(10)};
  /// The bots' global limit per second (Discord's default 50; some bots have more).
  std::uint32_t global_limit = 50;
  /// The invalid-request breaker every token shares (Discord counts 401/403/429 per IP).
  discord::InvalidRequestBreaker::Options breaker;
  /// Connections to the upstream (timeouts, pool size, TLS trust).
  http::ClientOptions http;
  /// One upstream attempt: writing the request and reading the whole answer.
  std::chrono::milliseconds attempt_timeout{15000};
  /// A bot's kept-alive connection waiting this long for its next request is closed.
  std::chrono::milliseconds client_idle_timeout{std::chrono::seconds(75)};
  /// Limits shared with other proxies or processes on the same tokens (a RedisLimitStore, see
  /// cadence/shared_limits/redis_limit_store.hpp): called once for each token the proxy starts
  /// serving, with the token, for that token's store. Null: this proxy is alone.
  std::function<std::shared_ptr<discord::LimitStore>(const std::string& token)> shared_limits;
};

}  // namespace cadence::proxy
