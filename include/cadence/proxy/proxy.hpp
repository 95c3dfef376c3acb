// A Discord rate-limit proxy for bots in any language: they point their API base URL at it, and
// every request goes through one discord::Rest per token, so that several processes (or several
// languages) on one token share one exact set of buckets and one global lane.
// Threading: create, shut down and destroy the proxy from one thread; the tests and `cadence proxy`
// run its io_context on one thread (several are not tested).
//
//   GET|POST|... /api/v{N}/<route>   forwarded (also /api/<route>, unversioned)
//   GET /metrics                     Prometheus text format
//   GET /healthz                     200 {"status":"ok"}; 503 {"status":"draining"} when stopping
//
// Per request: the route is validated (a bad path is a 400, never sent); the Authorization
// header picks the token's Rest ("Bot x" or "Bearer x"; none, or another scheme, shares the
// per-IP lane); the body, query, Content-Type, User-Agent and X-Audit-Log-Reason go upstream as
// they came; the upstream's status, headers and body come back as they came. A wait longer than
// ProxyOptions::max_wait is answered 429 (Discord's body, X-RateLimit-* headers), a full queue
// 503. Tokens never appear in logs, metrics or answers (metrics carry a short hash).
//
// Example:
//   boost::asio::io_context io;
//   cadence::proxy::Proxy proxy(io.get_executor(), {.address = "127.0.0.1", .port = 8080});
//   ... on SIGTERM: proxy.shutdown([&] { io.stop(); });
//   io.run();
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cadence/proxy/proxy_options.hpp"

namespace cadence::proxy {

namespace detail {
class ProxyState;
}

class Proxy {
 public:
  /// Binds and listens at once (throws boost::system::system_error if it cannot, and
  /// std::invalid_argument for an upstream that is not an absolute http(s) URL).
  Proxy(boost::asio::any_io_executor executor, ProxyOptions options);
  /// Calls stop().
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Graceful stop: accepts no new connection, answers every request already read (waiting in a
  /// limiter or in flight upstream), then runs `on_drained` on the executor. Idempotent.
  void shutdown(std::function<void()> on_drained = {});
  /// Closes every connection now; requests not yet answered are abandoned (those in flight
  /// upstream may still reach Discord). Idempotent.
  void stop();

  /// The /metrics text as it would be served now, delivered on the executor.
  void metrics(std::function<void(std::string)> done) const;

 private:
  std::shared_ptr<detail::ProxyState> state_;
};

}  // namespace cadence::proxy
