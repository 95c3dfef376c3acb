// discord::Rest's pass-through parameters (what cadence proxy uses): a raw body, a raw query and
// a per-request API version go out exactly as given, and conflicting or malformed ones are
// refused before anything is sent.
#include <gtest/gtest.h>

#include <mutex>

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

class RestRaw : public ::testing::Test {
 protected:
  RestRaw()
      : server_([this](const ReceivedRequest& r) {
          std::lock_guard lock(mutex_);
          received_.push_back(r);
          return Reply::json(R"({"ok":true})");
        }),
        rest_(io_.get_executor(), rest_options(server_.url("/api"))) {}

  Result<http::Response> send(Method method, std::string route, RequestParams params) {
    Result<http::Response> r;
    rest_.request_raw(method, std::move(route), std::move(params), record(r));
    EXPECT_TRUE(run_until(io_, [&] { return r.done(); }));
    return r;
  }
  std::vector<ReceivedRequest> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  asio::io_context io_;
  std::mutex mutex_;
  std::vector<ReceivedRequest> received_;
  TestServer server_;
  Rest rest_;
};

TEST_F(RestRaw, BodyQueryAndVersionGoOutAsGiven) {
  RequestParams params;
  params.raw_body = RawBody{"application/json", "{ \"content\" :\"x\" }"};
  params.raw_query = "a=1%2C2&b=x+y&c";
  params.api_version = 9;

  const auto r = send(Method::post, "/channels/1/messages", std::move(params));

  ASSERT_TRUE(r.ok()) << message_of(r.error);
  const auto seen = received();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/api/v9/channels/1/messages?a=1%2C2&b=x+y&c");
  EXPECT_EQ(seen[0].body, "{ \"content\" :\"x\" }");  // no nonce added to a raw body
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
}

TEST_F(RestRaw, VersionZeroSendsNoVersionSegment) {
  RequestParams params;
  params.api_version = 0;

  ASSERT_TRUE(send(Method::get, "/users/@me", std::move(params)).ok());

  ASSERT_EQ(received().size(), 1u);
  EXPECT_EQ(received()[0].target, "/api/users/@me");
}

TEST_F(RestRaw, RawBodyWithAnotherBodyIsRefused) {
  RequestParams params;
  params.raw_body = RawBody{"application/json", "{}"};
  params.json = boost::json::object{{"content", "x"}};

  const auto r = send(Method::post, "/channels/1/messages", std::move(params));

  expect_error<std::invalid_argument>(r.error, "raw body");
  EXPECT_TRUE(received().empty());
}

TEST_F(RestRaw, MalformedRawQueryIsRefused) {
  for (const std::string query : {"a=%zz", "a=%4", "a b", "a=\xC3\xA9", "a#b"}) {
    RequestParams params;
    params.raw_query = query;

    const auto r = send(Method::get, "/users/@me", std::move(params));

    expect_error<std::invalid_argument>(r.error, "raw query");
  }
  EXPECT_TRUE(received().empty());
}

}  // namespace
}  // namespace cadence::discord::test
