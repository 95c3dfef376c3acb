#include "cadence/proxy/proxy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <stdexcept>

#include "cadence/discord/error.hpp"
#include "cadence/discord/rest.hpp"
#include "cadence/discord/route.hpp"
#include "cadence/http/server.hpp"
#include "proxy/answers.hpp"
#include "proxy/api_target.hpp"
#include "proxy/credential.hpp"
#include "proxy/metrics_observer.hpp"
#include "proxy/proxy_metrics.hpp"
#include "proxy/token_pool.hpp"

namespace cadence::proxy {
namespace detail {

namespace asio = boost::asio;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

/// The label a route gets in metrics: its template when Discord's table knows it. A path that
/// matched no template is "other": its generic template could hold a token-like segment, and
/// clients must not be able to grow the label set without bound.
std::string route_label(const discord::Route& route) {
  return route.is_known() ? route.route_template() : "other";
}

/// Why the limiter refused, for metrics.
std::string_view refusal_reason(discord::RateLimitScope scope) {
  switch (scope) {
    case discord::RateLimitScope::ban:
      return "ban";
    case discord::RateLimitScope::breaker:
      return "breaker";
    default:
      return "max_wait";
  }
}

}  // namespace

/// One forwarded request between its arrival and its answer.
struct Pending {
  http::Responder responder;
  TokenPool::Lease lease;
  discord::Method method;
  std::string route;  // the path as Rest takes it; may hold a webhook token, never logged
  std::string label;
  std::shared_ptr<std::atomic<bool>> written;
};

class ProxyState : public std::enable_shared_from_this<ProxyState> {
 public:
  ProxyState(asio::any_io_executor executor, ProxyOptions options)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        metrics_(std::make_shared<ProxyMetrics>()),
        breaker_(std::make_shared<discord::InvalidRequestBreaker>(options_.breaker)),
        timer_(asio::make_strand(executor_)) {
    discord::RestOptions base;
    base.base_url = options_.upstream;
    base.http = options_.http;
    base.attempt_timeout = options_.attempt_timeout;
    base.limiter.global_limit = options_.global_limit;
    base.limiter.breaker = breaker_;
    base.limiter.observer = std::make_shared<MetricsObserver>(metrics_);
    // Fails now, not at the first request, for an upstream that is not an http(s) URL.
    if (!base.base_url.starts_with("http://") && !base.base_url.starts_with("https://")) {
      throw std::invalid_argument(
          "the upstream must be an absolute http:// or https:// URL such as "
          "https://discord.com/api");
    }
    pool_ = std::make_unique<TokenPool>(executor_, std::move(base), options_.max_queue,
                                        options_.token_idle, options_.shared_limits);
  }

  void start() {
    http::ServerOptions server_options;
    server_options.address = options_.address;
    server_options.port = options_.port;
    server_options.body_limit = options_.max_body;
    server_options.idle_timeout = options_.client_idle_timeout;
    server_options.error_response = [metrics = metrics_](unsigned status, std::string_view why) {
      const std::string_view reason = status == 413 ? "too_large" : "bad_request";
      metrics->count_refusal(reason);
      metrics->count_answer("-", "invalid", status);
      return json_error(status, why, reason);
    };
    server_.emplace(
        executor_, std::move(server_options),
        [weak = weak_from_this()](http::ServerRequest request, http::Responder responder) {
          if (auto self = weak.lock()) self->handle(std::move(request), std::move(responder));
        });
    schedule_sweep();
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return server_->port(); }

  void shutdown(std::function<void()> on_drained) {
    draining_ = true;
    server_->shutdown([self = shared_from_this(), done = std::move(on_drained)] {
      self->release();
      if (done) done();
    });
  }

  void stop() {
    draining_ = true;
    if (server_) server_->stop();
    release();
  }

  void metrics(std::function<void(std::string)> done) {
    struct Gather {
      std::mutex mutex;
      MetricsSnapshot snapshot;
      std::size_t left = 0;
      std::function<void(std::string)> done;
    };
    auto gather = std::make_shared<Gather>();
    gather->done = std::move(done);
    const auto entries = pool_->entries();
    gather->left = entries.size() + 1;  // +1: released below, once every call is started
    auto finish = [self = shared_from_this(), gather] {
      auto& s = gather->snapshot;
      const auto now = Clock::time_point(std::chrono::steady_clock::now());
      s.tokens = self->pool_->tokens();
      s.invalid_requests = self->breaker_->count(now);
      s.invalid_request_threshold = self->breaker_->options().threshold;
      s.draining = self->draining_.load();
      std::sort(s.per_token.begin(), s.per_token.end());
      gather->done(self->metrics_->render(s));
    };
    for (const auto& entry : entries) {
      if (entry->label != "none") {
        std::lock_guard lock(gather->mutex);
        gather->snapshot.per_token.emplace_back(entry->label, entry->held.load());
      }
      entry->rest->stats([gather, finish](std::exception_ptr, discord::RateLimiterStats stats) {
        bool last = false;
        {
          std::lock_guard lock(gather->mutex);
          gather->snapshot.buckets += stats.buckets;
          gather->snapshot.limiter_queued += stats.queued;
          last = --gather->left == 0;
        }
        if (last) finish();
      });
    }
    bool last = false;
    {
      std::lock_guard lock(gather->mutex);
      last = --gather->left == 0;
    }
    if (last) asio::post(executor_, finish);
  }

 private:
  void handle(http::ServerRequest request, http::Responder responder) {
    const auto path = request.path();
    if (path == "/healthz" || path == "/metrics") {
      serve_own(std::move(request), std::move(responder));
      return;
    }
    auto target = split_api_target(request.target);
    if (!target) {
      answer_own(responder, request.method, "invalid", "not_found",
                 json_error(404,
                            "the proxy serves /api/v{version}/..., /api/..., /metrics and "
                            "/healthz; point the bot's API base URL at http://HOST:PORT/api",
                            "not_found"));
      return;
    }
    const auto method = http::parse_method(request.method);
    if (!method) {
      answer_own(responder, request.method, "invalid", "bad_method",
                 json_error(405, "the method is not one Discord's API uses", "bad_method"));
      return;
    }
    forward(std::move(request), std::move(responder), std::move(*target), *method);
  }

  void serve_own(http::ServerRequest request, http::Responder responder) {
    const auto path = std::string(request.path());
    if (request.method != "GET" && request.method != "HEAD") {
      answer_own(responder, request.method, path, "bad_method",
                 json_error(405, "use GET", "bad_method"));
      return;
    }
    if (path == "/healthz") {
      http::Response response;
      const bool draining = draining_.load();
      response.status = draining ? 503 : 200;
      response.headers.set("Content-Type", "application/json");
      response.body = draining ? R"({"status":"draining"})" : R"({"status":"ok"})";
      responder.send(std::move(response));
      return;
    }
    auto shared = std::make_shared<http::Responder>(std::move(responder));
    metrics([shared](std::string text) {
      http::Response response;
      response.status = 200;
      response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      response.body = std::move(text);
      shared->send(std::move(response));
    });
  }

  void answer_own(http::Responder& responder, std::string_view method, std::string_view route,
                  std::string_view reason, http::Response response) {
    metrics_->count_refusal(reason);
    metrics_->count_answer(method, route, response.status);
    responder.send(std::move(response));
  }

  void forward(http::ServerRequest request, http::Responder responder, ApiTarget target,
               discord::Method method) {
    const auto arrival = std::chrono::steady_clock::now();
    const auto method_name = std::string(http::to_string(method));
    std::string label;
    try {
      // Rest validates again; parsing here refuses a bad path before it takes a queue place,
      // and names the route for metrics.
      label = route_label(discord::Route::parse(method, target.route));
    } catch (const std::invalid_argument& e) {
      answer_own(responder, method_name, "invalid", "bad_request",
                 json_error(400, e.what(), "bad_request"));
      return;
    }
    const auto credential = parse_credential(request.headers.get("Authorization"));
    auto lease = pool_->lease(credential);
    if (!lease) {
      auto response = json_error(
          503,
          fmt::format("too many requests are waiting for this token (--max-queue {}); retry later",
                      options_.max_queue),
          "queue-full");
      response.headers.set("Retry-After", "1");
      answer_own(responder, method_name, label, "max_queue", std::move(response));
      return;
    }

    discord::RequestParams params;
    params.auth = credential.type.has_value();
    if (!credential.other_authorization.empty()) {
      params.headers.set("Authorization", credential.other_authorization);
    }
    for (const std::string_view name : {"User-Agent", "X-Audit-Log-Reason"}) {
      if (const auto value = request.headers.get(name))
        params.headers.set(name, std::string(*value));
    }
    const auto content_type = request.headers.get("Content-Type");
    if (!request.body.empty() || content_type) {
      params.raw_body =
          discord::RawBody{std::string(content_type.value_or("")), std::move(request.body)};
    }
    params.raw_query = std::move(target.query);
    params.api_version = target.api_version;
    params.queue_deadline = arrival + options_.max_wait;
    auto written = std::make_shared<std::atomic<bool>>(false);
    params.on_written = [metrics = metrics_, written, arrival] {
      if (written->exchange(true)) return;  // a resend is not a second wait
      metrics->observe_wait(std::chrono::steady_clock::now() - arrival);
      metrics->add_in_flight(1);
    };

    auto pending =
        std::make_shared<Pending>(Pending{std::move(responder), std::move(lease), method,
                                          target.route, std::move(label), std::move(written)});
    metrics_->add_held(1);
    pending->lease.rest().request_raw(
        method, std::move(target.route), std::move(params),
        [self = shared_from_this(), pending](std::exception_ptr error, http::Response response) {
          self->finish(pending, std::move(error), std::move(response));
        });
  }

  void finish(const std::shared_ptr<Pending>& pending, std::exception_ptr error,
              http::Response response) {
    if (pending->written->load()) metrics_->add_in_flight(-1);
    if (!error) {
      complete(pending, std::move(response));
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const discord::RateLimitedError& e) {
      metrics_->count_refusal(refusal_reason(e.scope()));
      // The bucket's state fills in the X-RateLimit-* headers a client expects on a 429.
      auto copy = e;
      pending->lease.rest().bucket(pending->method, pending->route,
                                   [self = shared_from_this(), pending, copy](
                                       std::exception_ptr, discord::BucketSnapshot bucket) {
                                     self->complete(pending, rate_limited(copy, bucket));
                                   });
      return;
    } catch (...) {
    }
    std::string_view reason;
    auto answer = failure(error, reason);
    metrics_->count_refusal(reason);
    complete(pending, std::move(answer));
  }

  void complete(const std::shared_ptr<Pending>& pending, http::Response response) {
    metrics_->count_answer(http::to_string(pending->method), pending->label, response.status);
    metrics_->add_held(-1);
    pending->responder.send(std::move(response));
    pending->lease = TokenPool::Lease();  // the queue place is free once answered
  }

  void schedule_sweep() {
    const auto every = std::clamp<std::chrono::milliseconds>(
        options_.token_idle / 2, std::chrono::seconds(1), std::chrono::minutes(1));
    timer_.expires_after(every);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->released_) return;
      self->pool_->sweep();
      self->schedule_sweep();
    });
  }

  /// Ends the proxy's own work so that the executor can run out: the sweep timer and every
  /// token's Rest (pooled upstream connections).
  void release() {
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->released_ = true;
      self->timer_.cancel();
    });
    pool_->clear();
  }

  asio::any_io_executor executor_;
  ProxyOptions options_;
  std::shared_ptr<ProxyMetrics> metrics_;
  std::shared_ptr<discord::InvalidRequestBreaker> breaker_;
  std::unique_ptr<TokenPool> pool_;
  std::optional<http::Server> server_;
  asio::steady_timer timer_;
  std::atomic<bool> draining_{false};
  bool released_ = false;  // on the timer's strand
};

}  // namespace detail

Proxy::Proxy(boost::asio::any_io_executor executor, ProxyOptions options)
    : state_(std::make_shared<detail::ProxyState>(std::move(executor), std::move(options))) {
  state_->start();
}

Proxy::~Proxy() { state_->stop(); }

std::uint16_t Proxy::port() const noexcept { return state_->port(); }

void Proxy::shutdown(std::function<void()> on_drained) { state_->shutdown(std::move(on_drained)); }

void Proxy::stop() { state_->stop(); }

void Proxy::metrics(std::function<void(std::string)> done) const {
  state_->metrics(std::move(done));
}

}  // namespace cadence::proxy
