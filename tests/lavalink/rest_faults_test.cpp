// lavalink::Rest against a misbehaving node (FaultServer): resets before, inside and after the
// answer, bodies cut short, malformed JSON under a JSON type, HTML error pages, a node that
// never answers or answers a byte a second, an endless body. Each call completes exactly once,
// within its bound, with a typed error (or the right value), and never quotes the password.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest.hpp"
#include "lavalink/rest_harness.hpp"
#include "support/expect_error.hpp"
#include "support/fault_server.hpp"

namespace {

namespace asio = boost::asio;
namespace lavalink = cadence::lavalink;
using cadence::test::expect_error;
using cadence::test::FaultScript;
using cadence::test::FaultServer;
using cadence::test::FaultStep;
using cadence::test::Outcome;
using cadence::test::raw_response;
using cadence::test::what;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string password = "fault-test-password";
const std::string version_body = "4.0.8";

std::string response(unsigned status, const std::string& type, const std::string& body) {
  return raw_response(
      status, {"Content-Type: " + type, "Content-Length: " + std::to_string(body.size())}, body);
}

class LavalinkRestFaults : public ::testing::Test {
 protected:
  /// One version() call (a plain-text route) against `script`, completed once within `limit`.
  Outcome<std::string> version(const FaultScript& script, std::chrono::milliseconds timeout = 2s,
                               std::chrono::milliseconds limit = 4s,
                               std::size_t max_body = 32 << 20) {
    FaultServer server(script);
    lavalink::RestOptions o;
    o.base_url = server.url("");
    o.password = password;
    o.timeout = timeout;
    o.http.max_body_size = max_body;
    lavalink::Rest rest(io.get_executor(), o);
    const auto start = Clock::now();
    auto out = cadence::test::call_once<std::string>(
        io, [&](auto handler) { rest.version(std::move(handler)); });
    EXPECT_LE(Clock::now() - start, limit);
    EXPECT_EQ(what(out.error).find(password), std::string::npos) << what(out.error);
    endless = server.endless_bytes();
    return out;
  }

  /// The same with stats(), a JSON route.
  Outcome<lavalink::Stats> stats(const FaultScript& script) {
    FaultServer server(script);
    lavalink::RestOptions o;
    o.base_url = server.url("");
    o.password = password;
    o.timeout = 2s;
    lavalink::Rest rest(io.get_executor(), o);
    auto out = cadence::test::call_once<lavalink::Stats>(
        io, [&](auto handler) { rest.stats(std::move(handler)); });
    EXPECT_EQ(what(out.error).find(password), std::string::npos) << what(out.error);
    return out;
  }

  asio::io_context io;
  std::size_t endless = 0;
};

TEST_F(LavalinkRestFaults, ResetBeforeTheAnswerIsANetworkErrorReset) {
  auto out = version({FaultStep::read_request(), FaultStep::reset()});
  const auto* e = expect_error<cadence::NetworkError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::reset);
}

TEST_F(LavalinkRestFaults, ResetInsideTheHeadOrBodyIsANetworkError) {
  const auto whole = response(200, "text/plain", version_body);
  for (const std::size_t cut : {std::size_t{7}, std::size_t{30}, whole.size() - 2}) {
    SCOPED_TRACE(cut);
    auto out = version({FaultStep::read_request(), FaultStep::send(whole.substr(0, cut)),
                        FaultStep::pause(20ms), FaultStep::reset()});
    expect_error<cadence::NetworkError>(out.error);
  }
}

TEST_F(LavalinkRestFaults, ResetAfterTheAnswerKeepsTheAnswer) {
  auto out = version({FaultStep::read_request(),
                      FaultStep::send(response(200, "text/plain", version_body)),
                      FaultStep::pause(20ms), FaultStep::reset()});
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value, version_body);
}

TEST_F(LavalinkRestFaults, BodyShorterThanItsContentLengthIsEof) {
  auto out = stats({FaultStep::read_request(),
                    FaultStep::send(raw_response(
                        200, {"Content-Type: application/json", "Content-Length: 500"}, "{\"pl")),
                    FaultStep::close()});
  const auto* e = expect_error<cadence::NetworkError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::eof);
}

TEST_F(LavalinkRestFaults, MalformedJsonUnderAJsonTypeIsABuildError) {
  for (const std::string body : {R"({"players":)", "<html></html>", "\xff\xfe\xfd", "[1,2"}) {
    auto out =
        stats({FaultStep::read_request(), FaultStep::send(response(200, "application/json", body)),
               FaultStep::drain()});
    expect_error<lavalink::BuildError>(out.error);
  }
}

TEST_F(LavalinkRestFaults, HtmlErrorPagesAreStatusErrorsWithAnExcerpt) {
  for (const unsigned status : {429u, 502u, 503u}) {
    SCOPED_TRACE(status);
    const std::string page = "<html><body>" + std::string(1000, 'e') + "</body></html>";
    auto out = stats({FaultStep::read_request(),
                      FaultStep::send(response(status, "text/html", page)), FaultStep::drain()});
    const auto* e = expect_error<lavalink::RestStatusError>(out.error);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status(), static_cast<int>(status));
    EXPECT_LE(e->body_excerpt().size(), lavalink::RestStatusError::max_excerpt);
  }
}

TEST_F(LavalinkRestFaults, NodeThatNeverAnswersTimesOut) {
  auto out = version({FaultStep::read_request(), FaultStep::hang()}, 300ms, 2s);
  expect_error<cadence::TimeoutError>(out.error);
}

TEST_F(LavalinkRestFaults, AByteASecondTimesOutOnceForTheWholeAnswer) {
  auto out = version({FaultStep::read_request(),
                      FaultStep::trickle(response(200, "text/plain", version_body), 1000ms)},
                     800ms, 2s);
  expect_error<cadence::TimeoutError>(out.error);
}

TEST_F(LavalinkRestFaults, EndlessBodyHitsTheBodyLimit) {
  auto out = version({FaultStep::read_request(),
                      FaultStep::send(raw_response(
                          200, {"Content-Type: text/plain", "Transfer-Encoding: chunked"})),
                      FaultStep::endless("4000\r\n" + std::string(0x4000, 'v') + "\r\n")},
                     2s, 4s, 1 << 20);
  expect_error<cadence::ResponseTooLargeError>(out.error);
  EXPECT_LT(endless, std::size_t{16} << 20);
}

}  // namespace
