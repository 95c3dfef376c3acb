// discord::Rest errors and lifetime: the ban, a breaker shared by several Rests, a stopped
// token, cancellation, destruction with requests queued and in flight, and no token in any
// error text.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

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

constexpr std::string_view slow_table = R"({"routes": [
  {"method": "GET", "path": "/channels/{channel_id}", "bucket": "chan", "limit": 5,
   "window": 5, "major": "channel_id", "body": "channel"},
  {"method": "GET", "path": "/users/@me", "bucket": "me", "limit": 50, "window": 5,
   "body": "user"},
  {"method": "GET", "path": "/users/{user_id}", "bucket": "user", "limit": 1, "window": 5,
   "body": "user"}
]})";

sim::DiscordFault fault(Kind kind, std::string path, std::uint64_t count = 1,
                        unsigned status = 500) {
  sim::DiscordFault f;
  f.kind = kind;
  f.path = std::move(path);
  f.count = count;
  f.status = status;
  return f;
}

sim::DiscordServerOptions ban_after_one_invalid() {
  auto o = sim_options(slow_table);
  o.limits.invalid_request_limit = 1;
  return o;
}

class RestLifecycle : public ::testing::Test {
 protected:
  JsonResult call(Rest& rest, Method method, std::string route, RequestParams params = {}) {
    JsonResult r;
    rest.request(method, std::move(route), std::move(params), record(r));
    EXPECT_TRUE(run_until(io, [&] { return r.done(); }));
    EXPECT_EQ(r.calls, 1);
    return r;
  }

  BucketSnapshot bucket(Rest& rest, Method method, std::string route) {
    Result<BucketSnapshot> r;
    rest.bucket(method, std::move(route), record(r));
    EXPECT_TRUE(run_until(io, [&] { return r.done(); }));
    return r.value;
  }

  /// Two 403s through `rest`: the simulator (invalid_request_limit 1) bans the address.
  void get_banned(Rest& rest, SimDiscord& discord) {
    discord->inject_fault(fault(Kind::status, "/guilds/1", 2, 403));
    for (int i = 0; i < 2; ++i) {
      auto r = call(rest, Method::get, "/guilds/1");
      const auto* e = expect_error<ApiError>(r.error);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->status(), 403u);
    }
  }

  static void expect_ban(const JsonResult& r) {
    EXPECT_EQ(r.calls, 1);
    const auto* e = expect_error<RateLimitedError>(r.error);
    if (e) {
      EXPECT_EQ(e->scope(), RateLimitScope::ban);
    }
  }

  asio::io_context io;
};

TEST_F(RestLifecycle, BanFailsEveryQueuedRequestAndNothingIsResent) {
  SimDiscord discord(ban_after_one_invalid());
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  get_banned(rest, discord);

  // An unknown bucket: one request goes, four wait for its headers.
  std::vector<JsonResult> results(5);
  for (auto& r : results) rest.get("/channels/9", record(r));
  ASSERT_TRUE(run_until(io, [&] { return all_done(results); }));
  for (const auto& r : results) expect_ban(r);
  auto later = call(rest, Method::get, "/users/@me");
  expect_ban(later);

  const auto stats = discord->stats();
  EXPECT_EQ(stats.banned_responses, 1u);
  EXPECT_EQ(stats.requests, 3u);  // two 403s and the one answered with the ban
}

TEST_F(RestLifecycle, SharedBreakerFailsTheQueuesOfEveryRestUsingIt) {
  SimDiscord discord(ban_after_one_invalid());
  auto breaker = std::make_shared<InvalidRequestBreaker>();
  auto options = rest_options(discord->base_url());
  options.limiter.breaker = breaker;
  Rest first(io.get_executor(), options);
  Rest second(io.get_executor(), options);

  // `second` has one request in flight (answered late) and four queued behind it.
  sim::DiscordFault slow = fault(Kind::delay, "/channels/9");
  slow.delay = 400ms;
  discord->inject_fault(slow);
  std::vector<JsonResult> queued(5);
  for (auto& r : queued) second.get("/channels/9", record(r));
  ASSERT_TRUE(run_until(io, [&] { return discord->stats().in_flight == 1; }));

  // `first` gets the address banned.
  get_banned(first, discord);
  auto banned = call(first, Method::get, "/users/@me");
  expect_ban(banned);

  ASSERT_TRUE(run_until(io, [&] { return all_done(queued); }));
  EXPECT_TRUE(queued[0].ok()) << message_of(queued[0].error);  // it was in flight before the ban
  for (std::size_t i = 1; i < queued.size(); ++i) {
    expect_ban(queued[i]);
    EXPECT_LT(queued[i].at, queued[0].at);  // failed at once, not after the request ahead
  }
  EXPECT_EQ(discord->stats().routes.at("GET /channels/{channel_id}"), 1u);
  EXPECT_EQ(discord->stats().banned_responses, 1u);
}

TEST_F(RestLifecycle, BreakerOpeningFailsQueuedRequests) {
  SimDiscord discord(sim_options(slow_table));
  auto options = rest_options(discord->base_url());
  options.limiter.breaker = std::make_shared<InvalidRequestBreaker>(
      InvalidRequestBreaker::Options{2, std::chrono::seconds(600)});
  Rest rest(io.get_executor(), options);
  discord->inject_fault(fault(Kind::status, "/guilds/1", 2, 403));
  auto first = call(rest, Method::get, "/guilds/1");
  expect_error<ApiError>(first.error);
  // The second 403 opens the breaker while two more wait for the unknown bucket's headers.
  std::vector<JsonResult> results(3);
  for (auto& r : results) rest.get("/guilds/1", record(r));
  ASSERT_TRUE(run_until(io, [&] { return all_done(results); }));
  expect_error<ApiError>(results[0].error);
  for (std::size_t i = 1; i < results.size(); ++i) {
    const auto* e = expect_error<RateLimitedError>(results[i].error);
    if (e) {
      EXPECT_EQ(e->scope(), RateLimitScope::breaker);
    }
  }
  EXPECT_EQ(discord->stats().requests, 2u);
}

TEST_F(RestLifecycle, UnauthorizedStopsTheTokenUntilReset) {
  SimDiscord discord(sim_options(slow_table));
  Rest rest(io.get_executor(), rest_options(discord->base_url(), "wrong-token"));
  std::vector<JsonResult> results(3);
  for (auto& r : results) rest.get("/channels/1", record(r));  // one sent, two queued
  ASSERT_TRUE(run_until(io, [&] { return all_done(results); }));
  for (const auto& r : results) {
    const auto* e = expect_error<ApiError>(r.error);
    if (e) {
      EXPECT_EQ(e->status(), 401u);
    }
  }
  auto later = call(rest, Method::get, "/users/@me");
  expect_error<ApiError>(later.error, "reset_token");
  EXPECT_EQ(discord->stats().requests, 1u);
  EXPECT_EQ(discord->stats().unauthorized, 1u);

  rest.reset_token("sim-token");
  auto after = call(rest, Method::get, "/users/@me");
  ASSERT_TRUE(after.ok()) << message_of(after.error);
  EXPECT_EQ(discord->stats().requests, 2u);
}

TEST_F(RestLifecycle, CancellingAQueuedRequest) {
  SimDiscord discord(sim_options(slow_table));
  Rest rest(io.get_executor(), rest_options(discord->base_url()));
  ASSERT_TRUE(call(rest, Method::get, "/users/1").ok());
  asio::cancellation_signal signal;
  JsonResult queued;
  rest.get("/users/2", asio::bind_cancellation_slot(signal.slot(), record(queued)));
  ASSERT_EQ(bucket(rest, Method::get, "/users/3").queued, 1u);  // waits about 5 s
  const auto start = Clock::now();
  signal.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until(io, [&] { return queued.done(); }));
  EXPECT_TRUE(is_aborted(queued.error)) << message_of(queued.error);
  EXPECT_LT(queued.at - start, 500ms);
  EXPECT_EQ(bucket(rest, Method::get, "/users/3").queued, 0u);
  EXPECT_EQ(discord->stats().requests, 1u);
  ASSERT_TRUE(call(rest, Method::get, "/channels/1").ok());  // the Rest carries on
  EXPECT_EQ(queued.calls, 1);
}

TEST_F(RestLifecycle, AWebhookThatAnswered404IsRefusedLocallyAfterwards) {
  TestServer server([](const ReceivedRequest&) {
    return Reply::json(R"({"message":"Unknown Webhook","code":10015})", 404);
  });
  Rest rest(io.get_executor(), rest_options(server.url("/api")));
  RequestParams params;
  params.auth = false;
  params.json = json::parse(R"({"content":"hi"})");
  auto first = call(rest, Method::post, "/webhooks/7/dead-token", params);
  const auto* e = expect_error<ApiError>(first.error);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code(), 10015);
  EXPECT_EQ(server.requests_received(), 1u);

  auto again = call(rest, Method::post, "/webhooks/7/dead-token", params);
  e = expect_error<ApiError>(again.error, "not sent again");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->status(), 404u);
  EXPECT_EQ(server.requests_received(), 1u);  // refused without a request
  (void)call(rest, Method::get, "/webhooks/8/live-token");
  EXPECT_EQ(server.requests_received(), 2u);  // another webhook still goes out
}

TEST_F(RestLifecycle, CancellingARequestInFlight) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  Rest rest(io.get_executor(), rest_options(server.url("/api")));
  asio::cancellation_signal signal;
  JsonResult r;
  rest.get("/users/@me", asio::bind_cancellation_slot(signal.slot(), record(r)));
  ASSERT_TRUE(run_until(io, [&] { return server.requests_received() == 1; }));
  signal.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until(io, [&] { return r.done(); }));
  EXPECT_TRUE(is_aborted(r.error)) << message_of(r.error);
  EXPECT_EQ(server.requests_received(), 1u);  // not resent
}

// A program that sends a few requests and then calls run() must end: once the last request is
// done, only the pooled connection (until idle_timeout) may hold the io_context, not the
// limiter's housekeeping.
TEST_F(RestLifecycle, RunReturnsOnceTheLastRequestIsDoneAndConnectionsIdleOut) {
  SimDiscord discord;
  auto options = rest_options(discord->base_url());
  options.http.idle_timeout = 200ms;
  Rest rest(io.get_executor(), options);
  JsonResult r;
  rest.get("/channels/1", record(r));
  const auto start = Clock::now();
  io.run_for(10s);
  EXPECT_TRUE(r.ok()) << message_of(r.error);
  EXPECT_TRUE(io.stopped());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(bucket(rest, Method::get, "/channels/1").key.empty(), false);  // still known
}

TEST_F(RestLifecycle, DestroyingCompletesEverythingWithOperationAborted) {
  SimDiscord discord(sim_options(slow_table));
  sim::DiscordFault slow = fault(Kind::delay, "/channels/3");
  slow.delay = 3s;
  discord->inject_fault(slow);
  auto rest = std::make_unique<Rest>(io.get_executor(), rest_options(discord->base_url()));
  ASSERT_TRUE(call(*rest, Method::get, "/users/1").ok());
  std::vector<JsonResult> results(5);
  rest->get("/channels/3", record(results[0]));  // in flight, answered in 3 s
  for (int i = 1; i < 4; ++i) rest->get("/users/1", record(results[i]));  // queued for 5 s
  ASSERT_TRUE(run_until(io, [&] { return discord->stats().in_flight == 1; }));
  ASSERT_EQ(bucket(*rest, Method::get, "/users/1").queued, 3u);
  rest->get("/users/@me", record(results[4]));  // not even started
  const auto start = Clock::now();
  rest.reset();
  ASSERT_TRUE(run_until(io, [&] { return all_done(results); }));
  EXPECT_LT(Clock::now() - start, 1s);
  for (const auto& r : results) {
    EXPECT_EQ(r.calls, 1);
    EXPECT_TRUE(is_aborted(r.error)) << message_of(r.error);
  }
  io.run_for(50ms);  // nothing completes twice
  for (const auto& r : results) EXPECT_EQ(r.calls, 1);
}

TEST_F(RestLifecycle, NoTokenInAnyErrorText) {
  const std::string token = "MTAxNjg0NTk3NjQ.Gx9Qz7.ultra-secret-token-value";
  auto sim = sim_options(slow_table);
  sim.limits.token = token;
  SimDiscord discord(std::move(sim));
  std::vector<std::exception_ptr> errors;
  auto keep = [&](const JsonResult& r) {
    EXPECT_TRUE(r.error) << "expected a failure";
    errors.push_back(r.error);
  };
  {
    Rest rest(io.get_executor(), rest_options(discord->base_url(), token));
    keep(call(rest, Method::get, "/nope"));  // 404
    ASSERT_TRUE(call(rest, Method::get, "/users/1").ok());
    RequestParams deadline;
    deadline.deadline = Clock::now() + 50ms;
    keep(call(rest, Method::get, "/users/2", std::move(deadline)));  // RateLimitedError
    RequestParams bad_header;
    bad_header.headers.set("X-Bad", "a\nb");
    keep(call(rest, Method::get, "/users/@me", std::move(bad_header)));
    keep(call(rest, Method::get, "/webhooks/1/" + token + "/../x"));  // token in the path
    RequestParams no_auth;
    no_auth.auth = false;
    keep(call(rest, Method::post, "/webhooks/1/" + token, std::move(no_auth)));
  }
  {
    Rest wrong(io.get_executor(), rest_options(discord->base_url(), token + "x"));
    keep(call(wrong, Method::get, "/users/@me"));  // 401
    keep(call(wrong, Method::get, "/users/@me"));  // stopped token
  }
  {
    Rest crlf(io.get_executor(), rest_options(discord->base_url(), token + "\r\n"));
    keep(call(crlf, Method::get, "/users/@me"));
  }
  {
    TestServer closed([](const ReceivedRequest&) { return Reply::reset(); });
    auto options = rest_options(closed.url("/api"), token);
    options.retry.max_attempts = 1;
    Rest rest(io.get_executor(), options);
    keep(call(rest, Method::get, "/webhooks/1/" + token));  // NetworkError
  }
  ASSERT_EQ(errors.size(), 9u);
  for (const auto& e : errors) {
    const auto text = message_of(e);
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.find(token), std::string::npos) << text;
    EXPECT_EQ(text.find("ultra-secret"), std::string::npos) << text;
    try {
      std::rethrow_exception(e);
    } catch (const ApiError& api) {
      for (const auto& line : api.error_lines()) EXPECT_EQ(line.find(token), std::string::npos);
    } catch (...) {
    }
  }
}

}  // namespace
}  // namespace cadence::discord::test
