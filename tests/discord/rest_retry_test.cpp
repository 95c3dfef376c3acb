// discord::Rest resends: 5xx and network errors only when a resend cannot act twice (safe
// methods, message creation with the nonce Rest adds), per-attempt timeouts and deadlines.
#include <gtest/gtest.h>

#include "cadence/core/error.hpp"
#include "cadence/discord/rest.hpp"
#include "discord/rest_test_fixture.hpp"
#include "support/expect_error.hpp"
#include "support/test_server.hpp"

namespace cadence::discord::test {
namespace {

using cadence::test::expect_error;
using cadence::test::ReceivedRequest;
using cadence::test::Reply;
using cadence::test::TestServer;
using Clock = std::chrono::steady_clock;
using Kind = sim::DiscordFault::Kind;

sim::DiscordFault fault(Kind kind, std::string path, std::uint64_t count = 1,
                        unsigned status = 500) {
  sim::DiscordFault f;
  f.kind = kind;
  f.path = std::move(path);
  f.count = count;
  f.status = status;
  return f;
}

class RestRetries : public ::testing::Test {
 protected:
  JsonResult call(Rest& rest, Method method, std::string route, RequestParams params = {}) {
    JsonResult r;
    rest.request(method, std::move(route), std::move(params), record(r));
    EXPECT_TRUE(run_until(io, [&] { return r.done(); }));
    EXPECT_EQ(r.calls, 1);
    return r;
  }

  static RequestParams message(json::object body) {
    RequestParams p;
    p.json = std::move(body);
    return p;
  }

  asio::io_context io;
};

TEST_F(RestRetries, ServerErrorsAreResentForGet) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::status, "/channels/5", 2, 502));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::get, "/channels/5");
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_EQ(r.value.at("id"), "5");
  const auto stats = discord->stats();
  EXPECT_EQ(stats.faults, 2u);
  EXPECT_EQ(stats.requests, 3u);
}

TEST_F(RestRetries, ResendsStopAfterMaxAttempts) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::status, "/channels/5", 10, 503));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::get, "/channels/5");
  const auto* e = expect_error<ApiError>(r.error);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->status(), 503u);
  EXPECT_EQ(discord->stats().requests, 3u);

  Result<http::Response> raw;
  rest.request_raw(Method::get, "/channels/5", {}, record(raw));
  ASSERT_TRUE(run_until(io, [&] { return raw.done(); }));
  ASSERT_TRUE(raw.ok()) << message_of(raw.error);
  EXPECT_EQ(raw.value.status, 503u);
  EXPECT_EQ(discord->stats().requests, 6u);
}

TEST_F(RestRetries, ServerErrorIsNotResentForAPlainPost) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::status, "/typing", 1, 502));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::post, "/channels/5/typing");
  const auto* e = expect_error<ApiError>(r.error);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->status(), 502u);
  EXPECT_EQ(discord->stats().requests, 1u);
}

TEST_F(RestRetries, MessageCreateIsResentWithItsNonceAndPostedOnce) {
  SimDiscord discord;
  // The first attempt creates the message, then the connection drops before the answer.
  discord->inject_fault(fault(Kind::drop, "/channels/8/messages"));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::post, "/channels/8/messages", message({{"content", "once"}}));
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_EQ(r.value.at("content"), "once");
  EXPECT_TRUE(r.value.at("nonce").is_string());
  const auto stats = discord->stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.messages_created, 1u);
}

TEST_F(RestRetries, ServerErrorOnMessageCreateIsResent) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::status, "/channels/8/messages", 1, 500));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::post, "/channels/8/messages", message({{"content", "x"}}));
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_EQ(discord->stats().messages_created, 1u);
  EXPECT_EQ(discord->stats().requests, 2u);
}

TEST_F(RestRetries, CallersNonceIsKept) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::drop, "/channels/8/messages"));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::post, "/channels/8/messages",
                message({{"content", "mine"}, {"nonce", "my-nonce-1"}}));
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_EQ(r.value.at("nonce"), "my-nonce-1");
  EXPECT_EQ(discord->stats().messages_created, 1u);
}

TEST_F(RestRetries, MessageCreateWithoutEnforcedNonceIsNotResent) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::drop, "/channels/8/messages"));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto r = call(rest, Method::post, "/channels/8/messages",
                message({{"content", "x"}, {"nonce", "n"}, {"enforce_nonce", false}}));
  expect_error<NetworkError>(r.error);
  EXPECT_EQ(discord->stats().requests, 1u);
  EXPECT_EQ(discord->stats().messages_created, 1u);
}

TEST_F(RestRetries, NetworkErrorIsResentForGetOnly) {
  SimDiscord discord;
  discord->inject_fault(fault(Kind::reset, "/channels/6"));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  auto get = call(rest, Method::get, "/channels/6");
  ASSERT_TRUE(get.ok()) << message_of(get.error);
  EXPECT_EQ(discord->stats().faults, 1u);
  EXPECT_EQ(discord->stats().requests, 2u);

  discord->reset(true);
  discord->inject_fault(fault(Kind::drop, "/channels/6/typing"));
  auto post = call(rest, Method::post, "/channels/6/typing");
  expect_error<NetworkError>(post.error);
  EXPECT_EQ(discord->stats().requests, 1u);
}

TEST_F(RestRetries, AttemptTimeoutAgainstAHangingServer) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  auto options = rest_options(server.url("/api"));
  options.attempt_timeout = 150ms;
  Rest rest(io.get_executor(), options);
  const auto start = Clock::now();
  auto get = call(rest, Method::get, "/users/@me");
  expect_error<TimeoutError>(get.error);
  EXPECT_GE(get.at - start, 450ms);  // three attempts of 150 ms
  EXPECT_EQ(server.requests_received(), 3u);

  auto post = call(rest, Method::post, "/channels/1/typing");
  expect_error<TimeoutError>(post.error);
  EXPECT_EQ(server.requests_received(), 4u);
}

TEST_F(RestRetries, DeadlineCoversEveryAttempt) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  Rest rest(io.get_executor(), rest_options(server.url("/api")));
  RequestParams params;
  params.deadline = Clock::now() + 250ms;
  const auto start = Clock::now();
  auto r = call(rest, Method::get, "/users/@me", std::move(params));
  expect_error<TimeoutError>(r.error);
  EXPECT_GE(r.at - start, 240ms);
  EXPECT_LT(r.at - start, 1000ms);
  EXPECT_EQ(server.requests_received(), 1u);  // no time was left for a resend
}

}  // namespace
}  // namespace cadence::discord::test
