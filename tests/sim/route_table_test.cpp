#include "cadence/sim/route_table.hpp"

#include <gtest/gtest.h>

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;

// Checks the exception type and that its message names what is wrong.
template <class Fn>
void expect_invalid(Fn fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning " << fragment;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(RouteTable, BuiltinCoversTheBenchmarkRoutes) {
  const auto table = RouteTable::builtin();
  RouteMatch m;
  for (auto [method, path] : std::initializer_list<std::pair<const char*, const char*>>{
           {"GET", "/channels/1"},
           {"GET", "/channels/1/messages"},
           {"POST", "/channels/1/messages"},
           {"PATCH", "/channels/1/messages/2"},
           {"DELETE", "/channels/1/messages/2"},
           {"PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me"},
           {"GET", "/guilds/1/members/2"},
           {"GET", "/users/@me"},
           {"PATCH", "/channels/1"},
           {"POST", "/interactions/1/tok/callback"},
           {"POST", "/webhooks/1/tok"}}) {
    EXPECT_EQ(table.match(method, path, m), RouteTable::Lookup::found) << method << ' ' << path;
  }
}

TEST(RouteTable, MessageCreateAndEditShareAHash) {
  const auto table = RouteTable::builtin();
  RouteMatch create, edit;
  ASSERT_EQ(table.match("POST", "/channels/1/messages", create), RouteTable::Lookup::found);
  ASSERT_EQ(table.match("PATCH", "/channels/1/messages/2", edit), RouteTable::Lookup::found);
  EXPECT_EQ(create.route->bucket, edit.route->bucket);
  EXPECT_EQ(create.major, "1");
  EXPECT_EQ(create.resource, "channels/1");
}

TEST(RouteTable, LiteralSegmentsBeatParameters) {
  const auto table = RouteTable::builtin();
  RouteMatch m;
  ASSERT_EQ(table.match("GET", "/users/@me", m), RouteTable::Lookup::found);
  EXPECT_EQ(m.route->path, "/users/@me");
  ASSERT_EQ(table.match("GET", "/users/42", m), RouteTable::Lookup::found);
  EXPECT_EQ(m.route->path, "/users/{user_id}");
  EXPECT_EQ(m.param("user_id"), "42");
}

TEST(RouteTable, WebhookMajorIsIdAndToken) {
  const auto table = RouteTable::builtin();
  RouteMatch m;
  ASSERT_EQ(table.match("POST", "/webhooks/7/abc", m), RouteTable::Lookup::found);
  EXPECT_EQ(m.major, "7/abc");
  EXPECT_EQ(m.resource, "webhooks/7/abc");
  EXPECT_FALSE(m.route->auth);
}

TEST(RouteTable, TellsWrongMethodFromUnknownPath) {
  const auto table = RouteTable::builtin();
  RouteMatch m;
  EXPECT_EQ(table.match("POST", "/users/@me", m), RouteTable::Lookup::wrong_method);
  EXPECT_EQ(table.match("GET", "/nothing/here", m), RouteTable::Lookup::unknown);
  EXPECT_EQ(table.match("GET", "/channels/1/", m), RouteTable::Lookup::unknown);
  EXPECT_EQ(table.match("GET", "/channels//messages", m), RouteTable::Lookup::unknown);
}

TEST(RouteTable, ParsesEveryField) {
  const auto table = RouteTable::parse(R"({"routes": [
    {"method": "PATCH", "path": "/things/{thing_id}/{token}", "bucket": "h", "limit": 2,
     "window": 0.5, "major": ["thing_id", "token"], "auth": false, "global": false,
     "interaction_token": "token", "status": 201, "body": {"ok": true},
     "sublimits": [{"limit": 1, "window": 60, "body_has": ["name"]},
                   {"limit": 1, "window": 1, "param": "thing_id", "younger_than": 10}]}]})");
  ASSERT_EQ(table.routes().size(), 1u);
  const auto& r = table.routes().front();
  EXPECT_EQ(r.window, 500ms);
  EXPECT_EQ(r.major.size(), 2u);
  EXPECT_FALSE(r.auth);
  EXPECT_FALSE(r.global);
  EXPECT_EQ(r.status, 201u);
  EXPECT_TRUE(r.body_is_literal);
  ASSERT_EQ(r.sublimits.size(), 2u);
  EXPECT_EQ(r.sublimits[0].body_has, std::vector<std::string>{"name"});
  EXPECT_EQ(r.sublimits[1].younger_than, std::chrono::nanoseconds(10s));
}

TEST(RouteTable, ToJsonRoundTrips) {
  const auto table = RouteTable::builtin();
  const auto again = RouteTable::parse(table.to_json());
  ASSERT_EQ(again.routes().size(), table.routes().size());
  for (std::size_t i = 0; i < table.routes().size(); ++i) {
    const auto& a = table.routes()[i];
    const auto& b = again.routes()[i];
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.bucket, b.bucket);
    EXPECT_EQ(a.limit, b.limit);
    EXPECT_EQ(a.window, b.window);
    EXPECT_EQ(a.major, b.major);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.sublimits.size(), b.sublimits.size());
  }
}

TEST(RouteTable, ErrorsSayWhereAndWhat) {
  expect_invalid([] { (void)RouteTable::parse("{"); }, "JSON");
  expect_invalid([] { (void)RouteTable::parse(R"({"routes": {}})"); }, "\"routes\" array");
  expect_invalid(
      [] {
        (void)RouteTable::parse(
            R"({"routes": [{"method": "GET", "path": "/a", "limit": 1, "window": 1}]})");
      },
      "routes[0].bucket");
  expect_invalid(
      [] {
        (void)RouteTable::parse(
            R"({"routes": [{"method": "GET", "path": "/a", "bucket": "h", "limit": 0, "window": 1}]})");
      },
      "routes[0].limit");
  expect_invalid(
      [] {
        (void)RouteTable::parse(R"({"routes": [{"method": "GET", "path": "/a/{x}", "bucket": "h",
          "limit": 1, "window": 1, "major": "y"}]})");
      },
      "routes[0].major");
  expect_invalid(
      [] {
        (void)RouteTable::parse(R"({"routes": [{"method": "GET", "path": "/a", "bucket": "h",
          "limit": 1, "window": 1, "body": "pizza"}]})");
      },
      "routes[0].body");
  expect_invalid(
      [] {
        (void)RouteTable::parse(R"({"routes": [
          {"method": "GET", "path": "/a", "bucket": "h", "limit": 1, "window": 1},
          {"method": "GET", "path": "/b", "bucket": "h", "limit": 2, "window": 1}]})");
      },
      "routes[1]");
  expect_invalid([] { (void)RouteTable::load("/nonexistent/routes.json"); }, "cannot read");
}

}  // namespace
}  // namespace cadence::sim
