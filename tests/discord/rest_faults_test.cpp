// discord::Rest against a misbehaving server (FaultServer): connections reset before, during
// and after the answer, bodies cut short, garbage rate-limit headers, malformed JSON, HTML error
// pages, 5xx and 429 storms, silence, a byte a second, an endless body. Each request completes
// exactly once, within its deadline, with a typed error or the right value.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/rest.hpp"
#include "discord/rest_test_fixture.hpp"
#include "support/expect_error.hpp"
#include "support/fault_server.hpp"

namespace cadence::discord::test {
namespace {

using cadence::test::expect_error;
using cadence::test::FaultScript;
using cadence::test::FaultServer;
using cadence::test::FaultStep;
using cadence::test::raw_response;
using Clock = std::chrono::steady_clock;

const std::string ok_json = R"({"id":"1","name":"general"})";

std::string ok_response(std::vector<std::string> extra = {}) {
  std::vector<std::string> lines{"Content-Type: application/json",
                                 "Content-Length: " + std::to_string(ok_json.size())};
  lines.insert(lines.end(), extra.begin(), extra.end());
  return raw_response(200, lines, ok_json);
}

std::string response(unsigned status, std::string content_type, std::string body,
                     std::vector<std::string> extra = {}) {
  std::vector<std::string> lines{"Content-Type: " + content_type,
                                 "Content-Length: " + std::to_string(body.size())};
  lines.insert(lines.end(), extra.begin(), extra.end());
  return raw_response(status, lines, body);
}

/// The same answer to every request on a connection (keep-alive), up to 10 of them.
FaultScript answer(const std::string& bytes) {
  FaultScript s;
  for (int i = 0; i < 10; ++i) {
    s.push_back(FaultStep::read_request());
    s.push_back(FaultStep::send(bytes));
  }
  return s;
}

class RestFaults : public ::testing::Test {
 protected:
  RestOptions options(const FaultServer& server) {
    auto o = rest_options(server.url("/api"));
    o.attempt_timeout = 2s;
    o.retry.base_delay = 5ms;
    o.retry.max_rate_limit_retries = 5;
    return o;
  }

  /// One request; it must complete exactly once within `limit`.
  JsonResult call(Rest& rest, Method method, std::string route,
                  std::chrono::milliseconds limit = 4000ms, RequestParams params = {}) {
    JsonResult r;
    const auto start = Clock::now();
    rest.request(method, std::move(route), std::move(params), record(r));
    EXPECT_EQ(r.calls, 0) << "completed inside the initiating call";
    EXPECT_TRUE(run_until(
        io, [&] { return r.done(); }, limit))
        << "no completion in time";
    for (int i = 0; i < 20; ++i) io.poll();  // a second completion would show up here
    io.restart();
    EXPECT_EQ(r.calls, 1);
    EXPECT_LE(Clock::now() - start, limit);
    return r;
  }

  /// One GET, without retries, against a server that streams forever after `script`; returns
  /// its result once checked that the client stopped reading near its limits (plus what the
  /// sockets buffer), not at memory's end.
  JsonResult call_endless(FaultScript script, std::optional<std::size_t> max_body = {}) {
    FaultServer server(std::move(script));
    auto o = options(server);
    if (max_body) o.http.max_body_size = *max_body;
    o.retry.max_attempts = 1;
    Rest rest(io.get_executor(), o);
    auto r = call(rest, Method::get, "/channels/1", 4000ms);
    EXPECT_LT(server.endless_bytes(), std::size_t{16} << 20);
    return r;
  }

  asio::io_context io;
};

NetworkError::Kind kind_of(const std::exception_ptr& e) {
  const auto* n = expect_error<NetworkError>(e);
  return n ? n->kind() : NetworkError::Kind::dns;
}

// --- connection resets ---

TEST_F(RestFaults, ResetBeforeTheAnswerIsResentForGetThenANetworkError) {
  FaultServer server({FaultStep::read_request(), FaultStep::reset()});
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1");
  EXPECT_EQ(kind_of(r.error), NetworkError::Kind::reset);
  EXPECT_EQ(server.requests_read(), 3u);  // RetryPolicy::max_attempts
}

TEST_F(RestFaults, ResetBeforeTheAnswerIsNotResentForAPlainPost) {
  FaultServer server({FaultStep::read_request(), FaultStep::reset()});
  Rest rest(io.get_executor(), options(server));
  RequestParams p;
  p.json = json::object{{"name", "r"}};
  auto r = call(rest, Method::post, "/guilds/1/roles", 4000ms, std::move(p));
  EXPECT_EQ(kind_of(r.error), NetworkError::Kind::reset);
  EXPECT_EQ(server.requests_read(), 1u);
}

TEST_F(RestFaults, ResetInsideTheStatusLineOrHeadersIsANetworkError) {
  for (const std::size_t cut : {5u, 17u, 40u}) {
    SCOPED_TRACE(cut);
    FaultServer server({FaultStep::read_request(), FaultStep::send(ok_response().substr(0, cut)),
                        FaultStep::pause(20ms), FaultStep::reset()});
    Rest rest(io.get_executor(), options(server));
    auto r = call(rest, Method::get, "/channels/1");
    expect_error<NetworkError>(r.error);
  }
}

TEST_F(RestFaults, ResetInsideTheBodyIsANetworkError) {
  const auto whole = ok_response();
  FaultServer server({FaultStep::read_request(), FaultStep::send(whole.substr(0, whole.size() - 5)),
                      FaultStep::pause(20ms), FaultStep::reset()});
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1");
  expect_error<NetworkError>(r.error);
}

TEST_F(RestFaults, ResetAfterTheAnswerKeepsTheAnswerAndTheNextRequestWorks) {
  FaultServer server({FaultStep::read_request(), FaultStep::send(ok_response()),
                      FaultStep::pause(20ms), FaultStep::reset()});
  Rest rest(io.get_executor(), options(server));
  for (int i = 0; i < 3; ++i) {
    auto r = call(rest, Method::get, "/channels/1");
    ASSERT_TRUE(r.ok()) << message_of(r.error);
    EXPECT_EQ(r.value.at("name"), "general");
  }
}

// --- bodies cut short ---

TEST_F(RestFaults, BodyShorterThanItsContentLengthIsEof) {
  FaultServer server(
      {FaultStep::read_request(),
       FaultStep::send(raw_response(200, {"Content-Type: application/json", "Content-Length: 100"},
                                    R"({"id":"1")")),
       FaultStep::close()});
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1");
  EXPECT_EQ(kind_of(r.error), NetworkError::Kind::eof);
}

TEST_F(RestFaults, ChunkedBodyWithoutItsLastChunkIsEof) {
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send(raw_response(
                          200, {"Content-Type: application/json", "Transfer-Encoding: chunked"},
                          "5\r\n{\"id\"\r\n")),
                      FaultStep::close()});
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1");
  EXPECT_EQ(kind_of(r.error), NetworkError::Kind::eof);
}

// --- garbage rate-limit headers: the answer is used, the limiter stays live ---

TEST_F(RestFaults, GarbageRateLimitHeadersNeitherFailNorStallRequests) {
  const std::string long_bucket(8 * 1024, 'b');
  const std::vector<std::vector<std::string>> variants{
      {"X-RateLimit-Limit: -5", "X-RateLimit-Remaining: -1", "X-RateLimit-Reset-After: -3"},
      {"X-RateLimit-Limit: NaN", "X-RateLimit-Remaining: nan", "X-RateLimit-Reset-After: NaN"},
      {"X-RateLimit-Limit: 1e308", "X-RateLimit-Remaining: 0", "X-RateLimit-Reset-After: 1e308",
       "X-RateLimit-Reset: 1e308"},
      {"X-RateLimit-Bucket: " + long_bucket, "X-RateLimit-Limit: 5", "X-RateLimit-Remaining: 4",
       "X-RateLimit-Reset-After: 0.1"},
      {"X-RateLimit-Scope: galactic", "X-RateLimit-Global: maybe", "X-RateLimit-Limit: 5",
       "X-RateLimit-Remaining: 4", "X-RateLimit-Reset-After: inf"},
  };
  for (const auto& headers : variants) {
    SCOPED_TRACE(headers.front());
    FaultServer server({FaultStep::read_request(), FaultStep::send(ok_response(headers)),
                        FaultStep::read_request(), FaultStep::send(ok_response(headers)),
                        FaultStep::read_request(), FaultStep::send(ok_response(headers)),
                        FaultStep::drain()});
    Rest rest(io.get_executor(), options(server));
    for (int i = 0; i < 3; ++i) {
      auto r = call(rest, Method::get, "/channels/1", 3000ms);
      ASSERT_TRUE(r.ok()) << message_of(r.error);
    }
  }
}

// A 429 without a usable JSON retry_after is what Cloudflare's ban looks like: Rest stops every
// request at once (scope ban) instead of guessing a wait. A usable retry_after with garbage
// beside it is waited out like any 429, a bounded number of times.
TEST_F(RestFaults, TooManyRequestsWithGarbageRetryAfterIsABanNotAWait) {
  for (const auto& [header, body] : std::vector<std::pair<std::string, std::string>>{
           {"Retry-After: NaN", R"({"message":"x","retry_after":"NaN","global":false})"},
           {"Retry-After: -1", R"({"message":"x","retry_after":-1,"global":false})"},
           {"Retry-After: 1e308", R"({"message":"x","retry_after":1e308,"global":false})"},
           {"Retry-After: 5", R"({"message":"x","retry_after":null})"}}) {
    SCOPED_TRACE(header);
    FaultServer server(answer(response(429, "application/json", body, {header})));
    Rest rest(io.get_executor(), options(server));
    auto r = call(rest, Method::get, "/channels/1", 2000ms);
    const auto* e = expect_error<RateLimitedError>(r.error);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->scope(), RateLimitScope::ban);
    EXPECT_EQ(server.requests_read(), 1u);
  }
}

TEST_F(RestFaults, TooManyRequestsWithAnUnknownScopeIsWaitedOutABoundedNumberOfTimes) {
  FaultServer server(answer(response(429, "application/json",
                                     R"({"message":"x","retry_after":0.01,"global":"yes"})",
                                     {"X-RateLimit-Scope: nowhere", "Retry-After: 1"})));
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1", 3000ms);
  expect_error<RateLimitedError>(r.error, "after 5 retries");
  EXPECT_EQ(server.requests_read(), 6u);  // the first + max_rate_limit_retries (5)
}

// --- bodies that are not what they say ---

TEST_F(RestFaults, MalformedJsonUnderAJsonContentTypeIsAResponseFormatError) {
  for (const std::string body : {R"({"id":)", "<html>", "\xff\xfe", R"({"a":1}garbage)"}) {
    FaultServer server(answer(response(200, "application/json; charset=utf-8", body)));
    Rest rest(io.get_executor(), options(server));
    auto r = call(rest, Method::get, "/channels/1");
    expect_error<ResponseFormatError>(r.error);
  }
}

TEST_F(RestFaults, HtmlErrorPagesAreApiErrorsWithTheirStatus) {
  const std::string html = "<html><body><h1>Bad Gateway</h1></body></html>";
  for (const unsigned status : {502u, 503u}) {
    FaultServer server(answer(response(status, "text/html", html)));
    Rest rest(io.get_executor(), options(server));
    auto r = call(rest, Method::get, "/channels/1");
    const auto* e = expect_error<ApiError>(r.error);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status(), static_cast<int>(status));
    EXPECT_EQ(server.requests_read(), 3u);  // resent as a 5xx
  }
}

TEST_F(RestFaults, HtmlTooManyRequestsPageIsTakenForABanAndStopsAtOnce) {
  // Cloudflare's 429 page: HTML, no Retry-After, no rate-limit headers.
  FaultServer server(answer(response(429, "text/html", "<html>rate limited</html>")));
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1", 2000ms);
  const auto* e = expect_error<RateLimitedError>(r.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->scope(), RateLimitScope::ban);
  EXPECT_EQ(server.requests_read(), 1u);
}

// --- storms ---

TEST_F(RestFaults, ServerErrorStormFailsEachOfManyRequestsOnceAfterItsAttempts) {
  FaultServer server([](std::size_t) {
    FaultScript s;
    for (int i = 0; i < 10; ++i) {
      s.push_back(FaultStep::read_request());
      s.push_back(FaultStep::send(response(500, "application/json", R"({"message":"boom"})")));
    }
    return s;
  });
  Rest rest(io.get_executor(), options(server));
  std::vector<JsonResult> results(40);
  for (auto& r : results) rest.get("/channels/1", record(r));
  ASSERT_TRUE(run_until(
      io, [&] { return all_done(results); }, 10000ms));
  for (int i = 0; i < 20; ++i) io.poll();
  for (const auto& r : results) {
    EXPECT_EQ(r.calls, 1);
    const auto* e = expect_error<ApiError>(r.error);
    if (e) {
      EXPECT_EQ(e->status(), 500);
    }
  }
  EXPECT_EQ(server.requests_read(), 40u * 3u);
}

TEST_F(RestFaults, TooManyRequestsStormWithRetryAfterGivesUpAfterTheRetryLimit) {
  FaultServer server([](std::size_t) {
    FaultScript s;
    for (int i = 0; i < 10; ++i) {
      s.push_back(FaultStep::read_request());
      s.push_back(FaultStep::send(response(
          429, "application/json", R"({"message":"slow","retry_after":0.01,"global":false})",
          {"Retry-After: 1", "X-RateLimit-Scope: user", "X-RateLimit-Limit: 1",
           "X-RateLimit-Remaining: 0", "X-RateLimit-Reset-After: 0.01"})));
    }
    return s;
  });
  Rest rest(io.get_executor(), options(server));
  auto r = call(rest, Method::get, "/channels/1", 4000ms);
  expect_error<RateLimitedError>(r.error);
  EXPECT_EQ(server.requests_read(), 6u);  // the first + max_rate_limit_retries (5)
}

// --- slow and endless servers ---

TEST_F(RestFaults, ServerThatNeverAnswersTimesOutAtTheAttemptTimeout) {
  FaultServer server({FaultStep::read_request(), FaultStep::hang()});
  auto o = options(server);
  o.attempt_timeout = 300ms;
  o.retry.max_attempts = 1;
  Rest rest(io.get_executor(), o);
  auto r = call(rest, Method::get, "/channels/1", 2000ms);
  expect_error<TimeoutError>(r.error);
}

TEST_F(RestFaults, AcceptedButNeverReadTimesOut) {
  FaultServer server({FaultStep::hang()});
  auto o = options(server);
  o.attempt_timeout = 300ms;
  o.retry.max_attempts = 1;
  Rest rest(io.get_executor(), o);
  auto r = call(rest, Method::get, "/channels/1", 2000ms);
  expect_error<TimeoutError>(r.error);
}

TEST_F(RestFaults, AByteASecondHitsTheDeadlineNotOneTimeoutPerByte) {
  FaultServer server({FaultStep::read_request(), FaultStep::trickle(ok_response(), 1000ms)});
  Rest rest(io.get_executor(), options(server));
  RequestParams p;
  p.deadline = Clock::now() + 1000ms;
  const auto start = Clock::now();
  auto r = call(rest, Method::get, "/channels/1", 3000ms, std::move(p));
  expect_error<TimeoutError>(r.error);
  EXPECT_LT(Clock::now() - start, 2000ms);
}

TEST_F(RestFaults, EndlessChunkedBodyHitsTheBodyLimit) {
  std::string chunk = "4000\r\n" + std::string(0x4000, 'x') + "\r\n";
  auto r = call_endless({FaultStep::read_request(),
                         FaultStep::send(raw_response(200, {"Content-Type: application/json",
                                                            "Transfer-Encoding: chunked"})),
                         FaultStep::endless(chunk)},
                        1 << 20);
  expect_error<ResponseTooLargeError>(r.error);
}

TEST_F(RestFaults, EndlessBodyUntilCloseHitsTheBodyLimit) {
  auto r = call_endless(
      {FaultStep::read_request(),
       FaultStep::send(raw_response(200, {"Content-Type: application/json", "Connection: close"})),
       FaultStep::endless(std::string(0x4000, 'y'))},
      1 << 20);
  expect_error<ResponseTooLargeError>(r.error);
}

TEST_F(RestFaults, HeaderThatNeverEndsHitsTheHeaderLimit) {
  auto r = call_endless({FaultStep::read_request(), FaultStep::send("HTTP/1.1 200 OK\r\nX-A: "),
                         FaultStep::endless(std::string(0x4000, 'h'))});
  ASSERT_TRUE(r.error);
}

}  // namespace
}  // namespace cadence::discord::test
