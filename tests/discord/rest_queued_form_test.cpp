// discord::Rest keeps a compact form of a queued request and builds its route and HTTP request
// again from it: a request resent after a 429 must go out byte for byte as the first time, and
// what an error names must be the route the request was queued under.
#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <string>

#include "cadence/discord/error.hpp"
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

/// Answers the first `limited` requests with a user 429 of 20 ms, then 200, and keeps them all.
class Throttling {
 public:
  explicit Throttling(int limited)
      : limited_(limited), server_([this](const ReceivedRequest& r) { return answer(r); }) {}
  [[nodiscard]] std::string base_url() const { return server_.url("/api"); }
  std::vector<ReceivedRequest> received() {
    const std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  Reply answer(const ReceivedRequest& r) {
    const std::lock_guard lock(mutex_);
    received_.push_back(r);
    if (static_cast<int>(received_.size()) > limited_) return Reply::json(R"({"id": "2"})");
    auto reply =
        Reply::json(R"({"message": "slow down", "retry_after": 0.02, "global": false})", 429);
    reply.headers = {{"X-RateLimit-Limit", "1"},          {"X-RateLimit-Remaining", "0"},
                     {"X-RateLimit-Reset-After", "0.02"}, {"X-RateLimit-Bucket", "b1"},
                     {"X-RateLimit-Scope", "user"},       {"Retry-After", "1"}};
    return reply;
  }

  int limited_;
  std::mutex mutex_;
  std::vector<ReceivedRequest> received_;
  TestServer server_;  // last: stopped before what its handler uses
};

RequestParams edit() {
  RequestParams p;
  p.json = json::object{{"content", "x"}, {"name", "y"}};
  p.query = {{"with components", "true"}};
  p.reason = "tidy up";
  p.headers.set("X-Extra", "1");
  return p;
}

TEST(RestQueuedForm, AResendAfterA429GoesOutAsTheFirstSend) {
  asio::io_context io;
  Throttling server(2);
  Rest rest(io.get_executor(), rest_options(server.base_url()));
  JsonResult r;
  rest.patch("/channels/1/messages/2", edit(), record(r));
  ASSERT_TRUE(run_until(io, [&] { return r.done(); }));
  ASSERT_TRUE(r.ok()) << message_of(r.error);
  const auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].target, "/api/v10/channels/1/messages/2?with%20components=true");
  for (const auto& again : received) {
    EXPECT_EQ(again.method, "PATCH");
    EXPECT_EQ(again.target, received[0].target);
    EXPECT_EQ(again.body, R"({"content":"x","name":"y"})");
    EXPECT_EQ(again.header("X-Audit-Log-Reason"), "tidy%20up");
    EXPECT_EQ(again.header("X-Extra"), "1");
    EXPECT_EQ(again.header("Content-Type"), "application/json");
    EXPECT_EQ(again.header("Authorization"), "Bot sim-token");
  }
}

TEST(RestQueuedForm, AnErrorAfterA429NamesTheRouteTheRequestWasQueuedUnder) {
  asio::io_context io;
  Throttling server(1);
  auto options = rest_options(server.base_url());
  options.retry.max_rate_limit_retries = 0;
  Rest rest(io.get_executor(), options);
  JsonResult r;
  rest.patch("/channels/1/messages/2", edit(), record(r));
  ASSERT_TRUE(run_until(io, [&] { return r.done(); }));
  expect_error<RateLimitedError>(r.error);
  try {
    std::rethrow_exception(r.error);
  } catch (const RateLimitedError& e) {
    EXPECT_EQ(e.route(), Route::parse(Method::patch, "/channels/1/messages/2").key());
  }
}

TEST(RestQueuedForm, AMalformedRequestFailsAtOnceBehindAQueueOfItsBucket) {
  asio::io_context io;
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  JsonResult first, queued, bad_header, bad_reason;
  {
    Rest rest(io.get_executor(), rest_options(server.url("/api")));
    // The first request of an unknown bucket goes alone; the second waits for its answer,
    // which never comes.
    rest.get("/channels/1", record(first));
    rest.get("/channels/1", record(queued));
    ASSERT_TRUE(run_until(io, [&] { return server.requests_received() == 1; }));
    RequestParams crlf;
    crlf.headers.add("X-Evil", "a\r\nInjected: yes");
    rest.get("/channels/1", std::move(crlf), record(bad_header));
    RequestParams long_reason;
    long_reason.reason = std::string(513, 'x');
    rest.get("/channels/1", std::move(long_reason), record(bad_reason));
    ASSERT_TRUE(run_until(io, [&] { return bad_header.done() && bad_reason.done(); }));
    expect_error<std::invalid_argument>(bad_header.error);
    expect_error<std::invalid_argument>(bad_reason.error);
    EXPECT_FALSE(first.done());
    EXPECT_FALSE(queued.done());
    EXPECT_EQ(server.requests_received(), 1u);
  }
  ASSERT_TRUE(run_until(io, [&] { return first.done() && queued.done(); }));
  EXPECT_TRUE(is_aborted(first.error));
  EXPECT_TRUE(is_aborted(queued.error));
}

}  // namespace
}  // namespace cadence::discord::test
