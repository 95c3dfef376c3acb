#include "cadence/discord/rest.hpp"

#include <fmt/format.h>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>
#include <cmath>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "cadence/core/error.hpp"
#include "cadence/discord/async_rate_limiter.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/permit.hpp"
#include "cadence/http/client.hpp"
#include "discord/rest_request.hpp"

namespace cadence::discord {
namespace detail {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

std::exception_ptr aborted() {
  return std::make_exception_ptr(
      boost::system::system_error(asio::error::operation_aborted, "discord request"));
}

bool is_retried_status(unsigned status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

/// What a failed attempt means for the limiter and for a resend.
struct FailureKind {
  bool sent = true;        ///< the request may have reached Discord
  bool retriable = false;  ///< a network error or a timeout
};

FailureKind classify(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::invalid_argument&) {
    return {false, false};
  } catch (const NetworkError& e) {
    const bool not_sent =
        e.kind() == NetworkError::Kind::refused || e.kind() == NetworkError::Kind::dns;
    return {!not_sent, true};
  } catch (const TimeoutError&) {
    return {true, true};  // a connect timeout is not told apart: assume it may have been sent
  } catch (const TlsError&) {
    return {false, false};
  } catch (...) {
    return {true, false};
  }
}

/// The body as JSON: null for none, parsed for a JSON content type (a body that does not parse
/// is an error, never a string), the text otherwise.
json::value to_json(const http::Response& response, std::exception_ptr& error) {
  if (response.status == 204 || response.body.empty()) return nullptr;
  const auto type = response.headers.get("Content-Type");
  if (type && type->find("json") != std::string_view::npos) {
    boost::system::error_code ec;
    auto value = json::parse(response.body, ec);
    if (!ec) return value;
    error = std::make_exception_ptr(ResponseFormatError(response.status, *type, response.body));
    return nullptr;
  }
  return json::string(response.body);
}

milliseconds ceil_ms(std::chrono::steady_clock::duration d) {
  return d <= d.zero() ? milliseconds(0) : std::chrono::ceil<milliseconds>(d);
}

/// Completes a handler on its own executor, never inside the caller's frame.
template <class Handler, class... Args>
void deliver(const asio::any_io_executor& fallback, Handler handler, Args... args) {
  asio::get_associated_cancellation_slot(handler).clear();
  // Posted through the I/O executor, then run on the handler's own executor.
  auto ex = asio::get_associated_executor(handler, fallback);
  asio::post(fallback,
             asio::bind_executor(ex, [h = std::move(handler), ... a = std::move(args)]() mutable {
               std::move(h)(std::move(a)...);
             }));
}

}  // namespace

class RestOp;

class RestState {
 public:
  RestState(asio::any_io_executor ex, RestOptions opts)
      : executor(ex),
        strand(asio::make_strand(ex)),
        options(std::move(opts)),
        client(ex, options.http),
        limiter(ex, options.limiter),
        rng(std::random_device{}()) {}

  /// Completes every operation with operation_aborted; new ones are refused the same way.
  void close();

  asio::any_io_executor executor;
  asio::any_io_executor strand;
  RestOptions options;
  http::Client client;
  AsyncRateLimiter limiter;
  std::unordered_map<std::uint64_t, std::weak_ptr<RestOp>> ops;
  std::uint64_t next_op = 1;
  bool closed = false;
  std::mt19937_64 rng;
};

using JsonHandler = asio::any_completion_handler<Rest::JsonSignature>;
using RawHandler = asio::any_completion_handler<Rest::RawSignature>;
using LatencyHandler = asio::any_completion_handler<Rest::LatencySignature>;

/// One request from start to completion: parse and prepare once, then acquire -> send ->
/// report, repeated for 429s and safe resends. Lives on the Rest's strand; each step keeps it
/// alive through the callback of the one asynchronous operation in progress, whose cancellation
/// slot is inner_'s, so that cancel() reaches whatever the request is waiting for.
class RestOp : public std::enable_shared_from_this<RestOp> {
 public:
  using AnyHandler = std::variant<JsonHandler, RawHandler, LatencyHandler>;

  RestOp(std::shared_ptr<RestState> state, Method method, std::string path, RequestParams params,
         AnyHandler handler)
      : state_(std::move(state)),
        method_(method),
        input_(std::make_unique<Input>(Input{std::move(path), std::move(params)})),
        deadline_(input_->params.deadline),
        queue_deadline_(input_->params.queue_deadline),
        attempt_timeout_(input_->params.attempt_timeout),
        on_written_(std::move(input_->params.on_written)),
        handler_(std::move(handler)) {}

  /// Connects the caller's cancellation slot (called in the initiating function).
  void connect_cancellation() {
    std::visit(
        [&](auto& handler) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          if (!slot.is_connected()) return;
          slot.assign([weak = weak_from_this(), strand = state_->strand](asio::cancellation_type) {
            asio::post(strand, [weak] {
              if (auto self = weak.lock()) self->cancel();
            });
          });
        },
        handler_);
  }

  void begin() {
    started_ = std::chrono::steady_clock::now();
    if (state_->closed || cancelled_) {
      finish(aborted());
      return;
    }
    try {
      RouteOptions route_options;
      route_options.application_id = state_->options.application_id;
      // The path and parameters are needed only to build the route and the request; a queued
      // operation then holds neither (100k queued requests make that count).
      const auto input = std::move(input_);
      route_.emplace(Route::parse(method_, input->path, route_options));
      const auto fields = body_fields(input->params);
      if (!fields.empty()) {
        const std::vector<std::string_view> views(fields.begin(), fields.end());
        route_->set_body_fields(views);
      }
      auto prepared = prepare_request(state_->options, *route_, input->params,
                                      [this] { return std::to_string(state_->rng() >> 1); });
      request_ = std::move(prepared.request);
      sends_token_ = prepared.sends_token;
      resend_safe_ = prepared.resend_safe;
    } catch (...) {
      finish(std::current_exception());
      return;
    }
    id_ = state_->next_op++;
    state_->ops.emplace(id_, weak_from_this());
    acquire();
  }

  void cancel() {
    if (done_) return;
    cancelled_ = true;
    inner_.emit(asio::cancellation_type::terminal);
  }

 private:
  void acquire() {
    AcquireOptions options;
    options.auth = sends_token_;
    options.deadline = deadline_;
    if (queue_deadline_ && (!deadline_ || *queue_deadline_ < *deadline_)) {
      options.deadline = queue_deadline_;
    }
    options.retry = resent_;
    state_->limiter.async_acquire(
        *route_, options,
        asio::bind_cancellation_slot(
            inner_.slot(), asio::bind_executor(
                               state_->strand, [self = shared_from_this()](std::exception_ptr error,
                                                                           Permit permit) mutable {
                                 self->on_permit(std::move(error), std::move(permit));
                               })));
  }

  void on_permit(std::exception_ptr error, Permit permit) {
    if (done_ || cancelled_) {
      permit.cancel();
      finish(aborted());
      return;
    }
    if (error) {
      finish(queue_timeout_as_rate_limit(std::move(error)));
      return;
    }
    permit_ = std::move(permit);
    auto timeout = attempt_timeout_.value_or(state_->options.attempt_timeout);
    const auto now = std::chrono::steady_clock::now();
    if (deadline_) {
      if (*deadline_ <= now) {
        permit_.cancel();
        finish(std::make_exception_ptr(TimeoutError(
            fmt::format("the request's deadline passed before it was sent ({})", route_->key()),
            ceil_ms(*deadline_ - started_))));
        return;
      }
      timeout = std::min(timeout, ceil_ms(*deadline_ - now));
    }
    http::Request request = request_;
    add_send_headers(state_->options, sends_token_, request);
    request.timeout = timeout;
    // The report reaches the strand after the write; `attempt` keeps a late one from a previous
    // send off the permit of the next.
    request.on_written = [weak = weak_from_this(), strand = state_->strand,
                          attempt = ++sends_started_, user = on_written_] {
      if (user) user();
      asio::post(strand, [weak, attempt] {
        auto self = weak.lock();
        if (self && self->sends_started_ == attempt) self->permit_.sent();
      });
    };
    sent_at_ = now;
    state_->client.async_send(
        std::move(request),
        asio::bind_cancellation_slot(
            inner_.slot(),
            asio::bind_executor(state_->strand, [self = shared_from_this()](
                                                    std::exception_ptr e, http::Response response) {
              self->on_response(std::move(e), std::move(response));
            })));
  }

  void on_response(std::exception_ptr error, http::Response response) {
    round_trip_ = std::chrono::steady_clock::now() - sent_at_;
    resent_ = true;
    if (error) {
      const auto kind = classify(error);
      if (kind.sent) {
        (void)permit_.complete(Outcome{});  // no answer: the slot stays used until the reset
      } else {
        permit_.cancel();
      }
      if (cancelled_) {
        finish(aborted());
      } else if (kind.retriable && (resend_safe_ || !kind.sent) && can_resend()) {
        backoff(std::move(error), {});
      } else {
        finish(std::move(error));
      }
      return;
    }
    const auto outcome = Outcome::from_response(response.status, response.headers, response.body);
    const auto verdict = permit_.complete(outcome);
    if (verdict.error) {
      finish(verdict.error);
      return;
    }
    if (verdict.retry) {
      // The limiter parked whatever the 429 was about; the next permit comes after retry_after.
      if (++rate_limit_retries_ > state_->options.retry.max_rate_limit_retries) {
        finish(std::make_exception_ptr(RateLimitedError(
            route_->key(), verdict.scope.value_or(RateLimitScope::user), verdict.retry_after,
            fmt::format("still answered 429 after {} retries", rate_limit_retries_ - 1))));
      } else if (cancelled_) {
        finish(aborted());
      } else {
        acquire();
      }
      return;
    }
    if (is_retried_status(response.status) && resend_safe_ && can_resend() && !cancelled_) {
      backoff(nullptr, std::move(response));
      return;
    }
    finish(nullptr, std::move(response));
  }

  /// The limiter fails a ticket still queued at its deadline with TimeoutError; when that
  /// deadline was the queue deadline, the request was refused for a rate limit it could not
  /// wait out, which is what the caller asked to hear (RateLimitedError).
  std::exception_ptr queue_timeout_as_rate_limit(std::exception_ptr error) const {
    if (!queue_deadline_ || (deadline_ && *deadline_ <= *queue_deadline_)) return error;
    try {
      std::rethrow_exception(error);
    } catch (const TimeoutError&) {
      return std::make_exception_ptr(
          RateLimitedError(route_->key(), RateLimitScope::user, milliseconds(0),
                           "still queued behind the rate limit at the queue deadline"));
    } catch (...) {
      return error;
    }
  }

  [[nodiscard]] bool can_resend() const {
    return attempts_ + 1 < state_->options.retry.max_attempts;
  }

  void backoff(std::exception_ptr last_error, http::Response last_response) {
    const auto& policy = state_->options.retry;
    const double spread = std::uniform_real_distribution<double>(-0.5, 0.5)(state_->rng);
    const double factor =
        std::ldexp(1.0, static_cast<int>(attempts_)) * (1.0 + policy.jitter * spread);
    const auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double, std::milli>(static_cast<double>(policy.base_delay.count()) *
                                                  std::max(0.0, factor)));
    ++attempts_;
    if (deadline_ && std::chrono::steady_clock::now() + delay >= *deadline_) {
      finish(std::move(last_error), std::move(last_response));  // no time left for a resend
      return;
    }
    // Most requests never wait for a resend, and a queued one should not carry a timer (120 B).
    if (!timer_) timer_ = std::make_unique<asio::steady_timer>(state_->strand);
    timer_->expires_after(delay);
    timer_->async_wait(asio::bind_cancellation_slot(
        inner_.slot(), [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec || self->cancelled_) {
            self->finish(aborted());
          } else {
            self->acquire();
          }
        }));
  }

  void finish(std::exception_ptr error, http::Response response = {}) {
    if (done_) return;
    done_ = true;
    if (id_ != 0) state_->ops.erase(id_);
    permit_.cancel();
    const auto& fallback = state_->executor;
    std::visit(
        [&](auto& handler) {
          using H = std::decay_t<decltype(handler)>;
          if constexpr (std::is_same_v<H, RawHandler>) {
            deliver(fallback, std::move(handler), std::move(error), std::move(response));
          } else {
            std::exception_ptr e = std::move(error);
            json::value value;
            if (!e && (response.status < 200 || response.status >= 300)) {
              e = std::make_exception_ptr(ApiError::from_response(response.status, response.body));
            }
            if constexpr (std::is_same_v<H, JsonHandler>) {
              if (!e) value = to_json(response, e);
              deliver(fallback, std::move(handler), std::move(e), std::move(value));
            } else {
              const auto rtt =
                  e ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(round_trip_);
              deliver(fallback, std::move(handler), std::move(e), rtt);
            }
          }
        },
        handler_);
  }

  std::shared_ptr<RestState> state_;
  Method method_;
  struct Input {
    std::string path;
    RequestParams params;
  };
  std::unique_ptr<Input> input_;
  decltype(RequestParams::deadline) deadline_;
  decltype(RequestParams::queue_deadline) queue_deadline_;
  std::optional<std::chrono::milliseconds> attempt_timeout_;
  std::function<void()> on_written_;
  AnyHandler handler_;
  std::unique_ptr<asio::steady_timer> timer_;
  asio::cancellation_signal inner_;
  std::optional<Route> route_;
  http::Request request_;
  Permit permit_;
  SteadyTime started_{};
  SteadyTime sent_at_{};
  std::chrono::steady_clock::duration round_trip_{};
  std::uint64_t id_ = 0;
  unsigned attempts_ = 0;
  unsigned rate_limit_retries_ = 0;
  bool sends_token_ = false;
  std::uint64_t sends_started_ = 0;
  bool resend_safe_ = false;
  bool resent_ = false;
  bool cancelled_ = false;
  bool done_ = false;
};

void RestState::close() {
  closed = true;
  auto current = ops;  // cancel() may finish an op, which erases it from `ops`
  for (auto& [id, weak] : current) {
    if (auto op = weak.lock()) op->cancel();
  }
}

void start_op(const std::shared_ptr<RestState>& state, Method method, std::string route,
              RequestParams params, RestOp::AnyHandler handler) {
  auto op = std::make_shared<RestOp>(state, method, std::move(route), std::move(params),
                                     std::move(handler));
  op->connect_cancellation();
  asio::post(state->strand, [op] { op->begin(); });
}

}  // namespace detail

namespace asio = boost::asio;

namespace {

void check_base_url(const std::string& url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw std::invalid_argument(
        "RestOptions::base_url must be an absolute http:// or https:// URL, such as "
        "https://discord.com/api");
  }
}

}  // namespace

Rest::Rest(executor_type executor, RestOptions options) {
  check_base_url(options.base_url);
  state_ = std::make_shared<detail::RestState>(std::move(executor), std::move(options));
}

Rest::~Rest() {
  asio::post(state_->strand, [state = state_] { state->close(); });
}

Rest::executor_type Rest::get_executor() const noexcept { return state_->executor; }

void Rest::start_json(Method method, std::string route, RequestParams params,
                      asio::any_completion_handler<JsonSignature> handler) {
  detail::start_op(state_, method, std::move(route), std::move(params), std::move(handler));
}

void Rest::start_raw(Method method, std::string route, RequestParams params,
                     asio::any_completion_handler<RawSignature> handler) {
  detail::start_op(state_, method, std::move(route), std::move(params), std::move(handler));
}

void Rest::start_latency(std::string route,
                         asio::any_completion_handler<LatencySignature> handler) {
  detail::start_op(state_, Method::get, std::move(route), RequestParams{}, std::move(handler));
}

void Rest::start_bucket(Method method, std::string route,
                        asio::any_completion_handler<BucketSignature> handler) {
  asio::post(state_->strand, [state = state_, method, route = std::move(route),
                              handler = std::move(handler)]() mutable {
    std::optional<Route> parsed;
    try {
      RouteOptions options;
      options.application_id = state->options.application_id;
      parsed.emplace(Route::parse(method, route, options));
    } catch (...) {
      detail::deliver(state->executor, std::move(handler), std::current_exception(),
                      BucketSnapshot{});
      return;
    }
    state->limiter.async_bucket(std::move(*parsed), std::move(handler));
  });
}

void Rest::start_stats(asio::any_completion_handler<StatsSignature> handler) {
  state_->limiter.async_stats(std::move(handler));
}

void Rest::reset_token(std::optional<std::string> new_token) {
  asio::post(state_->strand, [state = state_, token = std::move(new_token)]() mutable {
    if (token) state->options.token = std::move(*token);
    state->limiter.reset_token();
  });
}

void Rest::clear_ban() {
  asio::post(state_->strand, [state = state_] { state->limiter.clear_ban(); });
}

}  // namespace cadence::discord
