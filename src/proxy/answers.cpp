#include "proxy/answers.hpp"

#include <fmt/format.h>

#include <boost/asio/error.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "cadence/core/error.hpp"

namespace cadence::proxy::detail {
namespace {

namespace json = boost::json;

void mark(http::Response& response, std::string_view reason) {
  response.headers.set("Content-Type", "application/json");
  response.headers.set("Via", "1.1 cadence-proxy");
  response.headers.set("X-Cadence-Proxy", std::string(reason));
}

std::string seconds(double s) { return fmt::format("{:.3f}", s); }

}  // namespace

http::Response json_error(unsigned status, std::string_view message, std::string_view reason) {
  http::Response response;
  response.status = status;
  response.body = json::serialize(json::object{{"message", message}, {"code", 0}});
  mark(response, reason);
  return response;
}

http::Response rate_limited(const discord::RateLimitedError& error,
                            const discord::BucketSnapshot& bucket) {
  using discord::RateLimitScope;
  const bool global = error.scope() == RateLimitScope::global ||
                      error.scope() == RateLimitScope::ban ||
                      error.scope() == RateLimitScope::breaker;
  // Discord's three scopes; a sublimit is a user limit to a client.
  const std::string_view scope = global                                    ? "global"
                                 : error.scope() == RateLimitScope::shared ? "shared"
                                                                           : "user";
  double retry_after = std::chrono::duration<double>(error.retry_after()).count();
  if (retry_after <= 0 && bucket.reset_after) {
    retry_after = std::chrono::duration<double>(*bucket.reset_after).count();
  }
  // A wait that depends on answers still outstanding has no known end; a second keeps a client
  // that honours retry_after from asking again at once.
  if (retry_after <= 0) retry_after = 1.0;

  http::Response response;
  response.status = 429;
  json::object body{{"message", "You are being rate limited."},
                    {"retry_after", std::round(retry_after * 1000) / 1000},
                    {"global", global}};
  response.body = json::serialize(body);
  mark(response, "rate-limited");
  response.headers.set("Retry-After", std::to_string(static_cast<long>(std::ceil(retry_after))));
  response.headers.set("X-RateLimit-Scope", std::string(scope));
  if (global) response.headers.set("X-RateLimit-Global", "true");
  if (bucket.known && bucket.limit) {
    response.headers.set("X-RateLimit-Limit", std::to_string(*bucket.limit));
    response.headers.set("X-RateLimit-Remaining", std::to_string(bucket.remaining.value_or(0)));
    const double reset_after =
        bucket.reset_after ? std::chrono::duration<double>(*bucket.reset_after).count() : 0.0;
    const double reset =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() +
        reset_after;
    response.headers.set("X-RateLimit-Reset", seconds(reset));
    response.headers.set("X-RateLimit-Reset-After", seconds(reset_after));
  }
  if (bucket.hash) response.headers.set("X-RateLimit-Bucket", *bucket.hash);
  return response;
}

http::Response failure(const std::exception_ptr& error, std::string_view& reason) {
  try {
    std::rethrow_exception(error);
  } catch (const discord::ApiError& e) {
    // The limiter's own refusals: a token stopped by a 401, a webhook known to be gone.
    reason = "limiter";
    http::Response response;
    response.status = e.status();
    response.body = json::serialize(json::object{{"message", e.message()}, {"code", e.code()}});
    mark(response, reason);
    return response;
  } catch (const std::invalid_argument& e) {
    reason = "bad_request";
    return json_error(400, e.what(), reason);
  } catch (const TimeoutError&) {
    reason = "upstream_timeout";
    return json_error(504, "the upstream did not answer in time", reason);
  } catch (const ResponseTooLargeError&) {
    reason = "upstream_error";
    return json_error(502, "the upstream's answer was larger than the proxy accepts", reason);
  } catch (const NetworkError& e) {
    reason = "upstream_error";
    return json_error(502, fmt::format("the upstream could not be reached: {}", e.what()), reason);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) {
      reason = "shutting_down";
      return json_error(503, "the proxy stopped before this request could be sent", reason);
    }
    reason = "upstream_error";
    return json_error(502, e.what(), reason);
  } catch (const std::exception& e) {
    reason = "upstream_error";
    return json_error(502, e.what(), reason);
  }
}

}  // namespace cadence::proxy::detail
