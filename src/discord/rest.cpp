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
#include "discord/limiter_waiter.hpp"
#include "discord/rest_request.hpp"
#include "discord/route_again.hpp"

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
  void link(RestOp* op) noexcept;
  void unlink(RestOp* op) noexcept;

  asio::any_io_executor executor;
  asio::any_io_executor strand;
  RestOptions options;
  http::Client client;
  AsyncRateLimiter limiter;
  /// The operations started and not finished, for close(): an intrusive list through the
  /// operations themselves, since a map entry per queued request cost 50 B.
  RestOp* ops = nullptr;
  bool closed = false;
  std::mt19937_64 rng;
};

using JsonHandler = asio::any_completion_handler<Rest::JsonSignature>;
using RawHandler = asio::any_completion_handler<Rest::RawSignature>;
using LatencyHandler = asio::any_completion_handler<Rest::LatencySignature>;

/// One request from start to completion: parse, validate and prepare once, then acquire -> send
/// -> report, repeated for 429s and safe resends. Lives on the Rest's strand; each step keeps it
/// alive through the callback of the one asynchronous operation in progress. cancel() reaches a
/// send or a backoff through inner_'s slot and a queued acquire through the limiter.
///
/// The queued form is compact (100k queued requests make every byte count): no Route (the
/// limiter's ticket knows the bucket; a resend or an error message parses the validated path
/// again, with the same clock reading and body fields, which gives the same route), no base
/// URL (only the target), and what few requests carry (deadlines, headers, a body) behind one
/// pointer.
class RestOp final : public std::enable_shared_from_this<RestOp>, public LimiterWaiter {
 public:
  using AnyHandler = std::variant<JsonHandler, RawHandler, LatencyHandler>;

  RestOp(std::shared_ptr<RestState> state, Method method, std::string path, RequestParams params,
         AnyHandler handler)
      : state_(std::move(state)),
        input_(std::make_unique<Input>(Input{std::move(path), std::move(params)})),
        handler_(std::move(handler)),
        method_(method) {}
  ~RestOp() {
    // Only when the io_context dropped the op's handlers unrun (it is then single-threaded).
    if (linked_) state_->unlink(this);
  }
  RestOp(const RestOp&) = delete;
  RestOp& operator=(const RestOp&) = delete;
  RestOp(RestOp&&) = delete;
  RestOp& operator=(RestOp&&) = delete;

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
    std::optional<Route> route;
    try {
      // Everything is validated here, so that a malformed request fails at once; the path and
      // parameters are then dropped.
      const auto input = std::move(input_);
      parsed_at_ = std::chrono::system_clock::now();
      route.emplace(Route::parse(method_, input->path, route_options()));
      const auto fields = body_fields(input->params);
      if (!fields.empty()) {
        const std::vector<std::string_view> views(fields.begin(), fields.end());
        route->set_body_fields(views);
      }
      auto prepared = prepare_request(state_->options, *route, input->params,
                                      [this] { return std::to_string(state_->rng() >> 1); });
      sends_token_ = prepared.sends_token;
      resend_safe_ = prepared.resend_safe;
      keep(std::move(prepared), *route, input->params);
    } catch (...) {
      finish(std::current_exception());
      return;
    }
    state_->link(this);
    acquire(std::move(*route));
  }

  void cancel() {
    if (done_) return;
    cancelled_ = true;
    if (waiting_permit_) WaiterAccess::cancel(state_->limiter, shared_from_this());
    inner_.emit(asio::cancellation_type::terminal);
  }

  void permit_ready(std::exception_ptr error, Permit permit) override {
    asio::post(state_->strand, [self = shared_from_this(), error = std::move(error),
                                permit = std::move(permit)]() mutable {
      self->on_permit(std::move(error), std::move(permit));
    });
  }

 private:
  friend class RestState;

  struct Input {
    std::string path;
    RequestParams params;
  };
  /// What few requests carry: most GETs have none of it.
  struct Extras {
    std::optional<Clock::time_point> deadline;
    std::optional<Clock::time_point> queue_deadline;
    std::optional<milliseconds> attempt_timeout;
    std::function<void()> on_written;
    std::string request_class;  ///< the route's, to give a parsed-again route the same class
    http::Headers headers;
    std::string body;
    std::optional<bool> idempotent;
  };

  /// The same options for the first parse and every later one, so that they agree.
  [[nodiscard]] RouteOptions route_options() const {
    RouteOptions options;
    options.application_id = state_->options.application_id;
    options.now = parsed_at_;
    return options;
  }

  /// The route again, from the validated path: for a wait after a 429 or a backoff, and for
  /// error messages, none of which a queued request needs.
  [[nodiscard]] Route route() const {
    const std::string_view target(target_);
    return parse_again(method_, target.substr(path_begin_, target.find('?') - path_begin_),
                       route_options(),
                       extras_ ? std::string_view(extras_->request_class) : std::string_view());
  }

  void keep(PreparedRequest prepared, const Route& route, RequestParams& params) {
    auto& request = prepared.request;
    target_ = std::move(request.url);
    path_begin_ = static_cast<std::uint32_t>(prepared.path_begin);
    if (params.deadline || params.queue_deadline || params.attempt_timeout || params.on_written ||
        !route.request_class().empty() || request.headers.size() != 0 || !request.body.empty() ||
        request.idempotent) {
      extras_ = std::make_unique<Extras>(
          Extras{params.deadline, params.queue_deadline, params.attempt_timeout,
                 std::move(params.on_written), route.request_class(), std::move(request.headers),
                 std::move(request.body), request.idempotent});
    }
  }

  [[nodiscard]] std::optional<Clock::time_point> deadline() const {
    return extras_ ? extras_->deadline : std::nullopt;
  }
  [[nodiscard]] std::optional<Clock::time_point> queue_deadline() const {
    return extras_ ? extras_->queue_deadline : std::nullopt;
  }

  /// A wait after a 429 or a backoff.
  void acquire() {
    std::optional<Route> again;
    try {
      again.emplace(route());
    } catch (...) {  // cannot happen (the path parsed once), but must not escape a handler
      finish(std::current_exception());
      return;
    }
    acquire(std::move(*again));
  }

  /// The route's key, for error messages.
  [[nodiscard]] std::string route_key() const {
    try {
      return route().key();
    } catch (...) {
      return "(route)";
    }
  }

  void acquire(Route route) {
    AcquireOptions options;
    options.auth = sends_token_;
    options.deadline = deadline();
    const auto queue_until = queue_deadline();
    if (queue_until && (!options.deadline || *queue_until < *options.deadline)) {
      options.deadline = queue_until;
    }
    options.retry = resent_;
    waiting_permit_ = true;
    WaiterAccess::acquire(state_->limiter, std::move(route), options, shared_from_this());
  }

  void on_permit(std::exception_ptr error, Permit permit) {
    waiting_permit_ = false;
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
    auto timeout = state_->options.attempt_timeout;
    if (extras_ && extras_->attempt_timeout) timeout = *extras_->attempt_timeout;
    const auto now = std::chrono::steady_clock::now();
    if (const auto until = deadline()) {
      if (*until <= now) {
        permit_.cancel();
        finish(std::make_exception_ptr(TimeoutError(
            fmt::format("the request's deadline passed before it was sent ({})", route_key()),
            ceil_ms(*until - started_))));
        return;
      }
      timeout = std::min(timeout, ceil_ms(*until - now));
    }
    http::Request request;
    request.method = method_;
    request.url = send_url(state_->options, target_);
    if (extras_) {
      request.headers = extras_->headers;
      request.body = extras_->body;
      request.idempotent = extras_->idempotent;
    }
    add_send_headers(state_->options, sends_token_, request);
    request.timeout = timeout;
    // The report reaches the strand after the write; `attempt` keeps a late one from a previous
    // send off the permit of the next.
    std::function<void()> user;
    if (extras_) user = extras_->on_written;
    request.on_written = [weak = weak_from_this(), strand = state_->strand,
                          attempt = ++sends_started_, user = std::move(user)] {
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
            route_key(), verdict.scope.value_or(RateLimitScope::user), verdict.retry_after,
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
    const auto queue_until = queue_deadline();
    const auto until = deadline();
    if (!queue_until || (until && *until <= *queue_until)) return error;
    try {
      std::rethrow_exception(error);
    } catch (const TimeoutError&) {
      return std::make_exception_ptr(
          RateLimitedError(route_key(), RateLimitScope::user, milliseconds(0),
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
    const auto until = deadline();
    if (until && std::chrono::steady_clock::now() + delay >= *until) {
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
    if (linked_) state_->unlink(this);
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
  std::unique_ptr<Input> input_;  ///< until begin()
  AnyHandler handler_;
  /// Version, path and query of the prepared request ("/v10/channels/1?limit=5").
  std::string target_;
  std::unique_ptr<Extras> extras_;
  std::unique_ptr<asio::steady_timer> timer_;  ///< created at the first backoff
  asio::cancellation_signal inner_;
  Permit permit_;
  std::chrono::system_clock::time_point parsed_at_{};  ///< the route's clock reading
  SteadyTime started_{};
  SteadyTime sent_at_{};
  std::chrono::steady_clock::duration round_trip_{};
  std::uint64_t sends_started_ = 0;
  RestOp* prev_ = nullptr;  ///< in RestState::ops
  RestOp* next_ = nullptr;
  std::uint32_t path_begin_ = 0;  ///< where the route's path starts in target_
  unsigned attempts_ = 0;
  unsigned rate_limit_retries_ = 0;
  Method method_;
  bool sends_token_ = false;
  bool resend_safe_ = false;
  bool resent_ = false;
  bool waiting_permit_ = false;
  bool cancelled_ = false;
  bool done_ = false;
  bool linked_ = false;
};

void RestState::link(RestOp* op) noexcept {
  op->next_ = ops;
  if (ops) ops->prev_ = op;
  ops = op;
  op->linked_ = true;
}

void RestState::unlink(RestOp* op) noexcept {
  if (op->prev_) {
    op->prev_->next_ = op->next_;
  } else {
    ops = op->next_;
  }
  if (op->next_) op->next_->prev_ = op->prev_;
  op->prev_ = op->next_ = nullptr;
  op->linked_ = false;
}

void RestState::close() {
  closed = true;
  // cancel() may finish an op, which unlinks it: take them all first.
  std::vector<std::shared_ptr<RestOp>> current;
  for (RestOp* op = ops; op; op = op->next_) {
    if (auto alive = op->weak_from_this().lock()) current.push_back(std::move(alive));
  }
  for (auto& op : current) op->cancel();
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
