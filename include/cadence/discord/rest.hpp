// Discord's REST API: routes validated and rate limited by AsyncRateLimiter, sent by
// http::Client, answered as JSON or as a typed error.
// Threading: requests may be started from any thread, and the io_context may run on several: every
// call posts its work to the Rest's strand, and each completion runs on its handler's executor.
//
// Example (coroutine):
//   boost::asio::io_context io;
//   cadence::discord::Rest rest(io.get_executor(), {.token = token_from_env()});
//   boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
//     boost::json::value me = co_await rest.get("/users/@me", boost::asio::use_awaitable);
//     cadence::discord::RequestParams params;
//     params.json = boost::json::object{{"content", "hello"}};
//     co_await rest.post("/channels/123/messages", std::move(params), boost::asio::use_awaitable);
//   }, boost::asio::detached);
//   io.run();
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <concepts>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "cadence/discord/rate_limiter.hpp"
#include "cadence/discord/request_params.hpp"
#include "cadence/discord/rest_options.hpp"
#include "cadence/discord/route.hpp"
#include "cadence/http/message.hpp"

namespace cadence::discord {

namespace detail {
class RestState;
}

/// A client for one token. Many requests may run at once through one Rest: they share its rate
/// limits (the point of having one), and each completes on its own, in whatever order Discord
/// answers. For several tokens on one IP, make one Rest each and give them one
/// InvalidRequestBreaker (RestOptions::limiter.breaker).
///
/// Every operation:
///   - completes exactly once, never inside the initiating call, on the completion handler's
///     associated executor (the Rest's executor by default);
///   - reports every failure through the completion, including std::invalid_argument for a bad
///     route, header, audit-log reason or unreadable file;
///   - supports per-operation cancellation (terminal, partial and total act alike): a queued
///     request leaves the queue, a request being sent is abandoned (it may still reach Discord),
///     and the operation completes with boost::system::system_error(operation_aborted).
/// Destroying the Rest completes every operation still running with operation_aborted.
///
/// A request goes: route validated and percent-encoded; a permit from the rate limiter (which
/// may queue it, or refuse with RateLimitedError); one HTTP attempt; the answer reported to the
/// limiter. A 429 (other than a ban) is waited out and sent again. 500/502/503/504 and network
/// errors are sent again with backoff (RetryPolicy) only when resend-safe: GET, HEAD, PUT,
/// DELETE, OPTIONS, and POST /channels/{id}/messages, to whose JSON (or payload_json) Rest adds
/// a random "nonce" and "enforce_nonce": true unless the caller set them, so that Discord
/// creates the message only once.
///
/// Errors: discord::ApiError (a non-2xx answer), discord::RateLimitedError (refused by the
/// limiter: deadline, reject policy, ban, breaker), cadence::TimeoutError, NetworkError,
/// TlsError, ResponseTooLargeError, std::invalid_argument, system_error(operation_aborted).
/// No error text ever holds the token.
class Rest {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// 2xx JSON -> the value; 204 or an empty body -> null; other 2xx bodies -> a string value.
  using JsonSignature = void(std::exception_ptr, boost::json::value);
  using RawSignature = void(std::exception_ptr, http::Response);
  using LatencySignature = void(std::exception_ptr, std::chrono::milliseconds);
  using BucketSignature = void(std::exception_ptr, BucketSnapshot);
  using StatsSignature = void(std::exception_ptr, RateLimiterStats);

  /// Throws std::invalid_argument for a base URL that is not absolute http(s).
  explicit Rest(executor_type executor, RestOptions options = {});
  ~Rest();
  Rest(const Rest&) = delete;
  Rest& operator=(const Rest&) = delete;

  /// Sends `method` on `route` ("/channels/123/messages": no /api/v10 prefix, no query; query
  /// parameters go in params.query). Completes with the JSON answer, or ApiError for a non-2xx.
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto request(Method method, std::string route, RequestParams params = {}, Token&& token = {}) {
    return boost::asio::async_initiate<Token, JsonSignature>(
        [this](auto handler, Method m, std::string r, RequestParams p) {
          start_json(m, std::move(r), std::move(p),
                     boost::asio::any_completion_handler<JsonSignature>(std::move(handler)));
        },
        token, method, std::move(route), std::move(params));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto request(Method method,
                                                                                 std::string route,
                                                                                 Token&& token) {
    return request(method, std::move(route), RequestParams{}, std::forward<Token>(token));
  }

  /// Like request(), but completes with the whole response (status, headers, body) whatever its
  /// status; 429s and resend-safe 5xx are still handled first, and the limiter's refusals
  /// (RateLimitedError, a stopped token's ApiError 401) are still errors.
  template <boost::asio::completion_token_for<RawSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto request_raw(Method method, std::string route, RequestParams params = {},
                   Token&& token = {}) {
    return boost::asio::async_initiate<Token, RawSignature>(
        [this](auto handler, Method m, std::string r, RequestParams p) {
          start_raw(m, std::move(r), std::move(p),
                    boost::asio::any_completion_handler<RawSignature>(std::move(handler)));
        },
        token, method, std::move(route), std::move(params));
  }

  // The verbs: request() with the method filled in, with or without params.
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto get(std::string route, RequestParams params = {}, Token&& token = {}) {
    return request(Method::get, std::move(route), std::move(params), std::forward<Token>(token));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto get(std::string route,
                                                                             Token&& token) {
    return request(Method::get, std::move(route), RequestParams{}, std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto post(std::string route, RequestParams params = {}, Token&& token = {}) {
    return request(Method::post, std::move(route), std::move(params), std::forward<Token>(token));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto post(std::string route,
                                                                              Token&& token) {
    return request(Method::post, std::move(route), RequestParams{}, std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto put(std::string route, RequestParams params = {}, Token&& token = {}) {
    return request(Method::put, std::move(route), std::move(params), std::forward<Token>(token));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto put(std::string route,
                                                                             Token&& token) {
    return request(Method::put, std::move(route), RequestParams{}, std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto patch(std::string route, RequestParams params = {}, Token&& token = {}) {
    return request(Method::patch, std::move(route), std::move(params), std::forward<Token>(token));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto patch(std::string route,
                                                                               Token&& token) {
    return request(Method::patch, std::move(route), RequestParams{}, std::forward<Token>(token));
  }
  template <boost::asio::completion_token_for<JsonSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto del(std::string route, RequestParams params = {}, Token&& token = {}) {
    return request(Method::del, std::move(route), std::move(params), std::forward<Token>(token));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, RequestParams> &&
           boost::asio::completion_token_for<Token, JsonSignature>) auto del(std::string route,
                                                                             Token&& token) {
    return request(Method::del, std::move(route), RequestParams{}, std::forward<Token>(token));
  }

  /// Times one GET of `route` through the limiter: the round trip of the attempt that got the
  /// answer (queueing not included). A non-2xx answer is an ApiError.
  template <boost::asio::completion_token_for<LatencySignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto latency(std::string route = "/users/@me", Token&& token = {}) {
    return boost::asio::async_initiate<Token, LatencySignature>(
        [this](auto handler, std::string r) {
          start_latency(std::move(r),
                        boost::asio::any_completion_handler<LatencySignature>(std::move(handler)));
        },
        token, std::move(route));
  }
  template <class Token>
  requires(!std::is_convertible_v<Token, std::string> &&
           boost::asio::completion_token_for<Token, LatencySignature>) auto latency(Token&& token) {
    return latency(std::string("/users/@me"), std::forward<Token>(token));
  }

  /// What the limiter knows about the bucket `route` maps to (key, learned hash, limit,
  /// remaining, reset-after, queued, in flight). A bad route is std::invalid_argument.
  template <boost::asio::completion_token_for<BucketSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto bucket(Method method, std::string route, Token&& token = {}) {
    return boost::asio::async_initiate<Token, BucketSignature>(
        [this](auto handler, Method m, std::string r) {
          start_bucket(m, std::move(r),
                       boost::asio::any_completion_handler<BucketSignature>(std::move(handler)));
        },
        token, method, std::move(route));
  }

  /// The limiter's sizes (buckets, routes, learned hashes, queued requests, permits out), for
  /// monitoring.
  template <boost::asio::completion_token_for<StatsSignature> Token =
                boost::asio::default_completion_token_t<executor_type>>
  auto stats(Token&& token = {}) {
    return boost::asio::async_initiate<Token, StatsSignature>(
        [this](auto handler) {
          start_stats(boost::asio::any_completion_handler<StatsSignature>(std::move(handler)));
        },
        token);
  }

  /// After a 401 stopped the token (every request with auth failing with ApiError 401), resumes,
  /// with `new_token` when given. Requests started after this call use the new state.
  void reset_token(std::optional<std::string> new_token = std::nullopt);
  /// Lifts a ban (a 429 without JSON) before RateLimiterOptions::ban_pause ends.
  void clear_ban();

  [[nodiscard]] executor_type get_executor() const noexcept;

 private:
  void start_json(Method method, std::string route, RequestParams params,
                  boost::asio::any_completion_handler<JsonSignature> handler);
  void start_raw(Method method, std::string route, RequestParams params,
                 boost::asio::any_completion_handler<RawSignature> handler);
  void start_latency(std::string route,
                     boost::asio::any_completion_handler<LatencySignature> handler);
  void start_bucket(Method method, std::string route,
                    boost::asio::any_completion_handler<BucketSignature> handler);
  void start_stats(boost::asio::any_completion_handler<StatsSignature> handler);

  std::shared_ptr<detail::RestState> state_;
};

}  // namespace cadence::discord
