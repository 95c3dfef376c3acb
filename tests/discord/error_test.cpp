#include "cadence/discord/error.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace cadence::discord {
namespace {

TEST(ApiError, FlattensNestedErrors) {
  const auto e = ApiError::from_response(400, R"({
    "code": 50035, "message": "Invalid Form Body",
    "errors": {
      "embeds": {"0": {"description": {"_errors": [
        {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}},
      "content": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}
    }})");
  EXPECT_EQ(e.status(), 400u);
  EXPECT_EQ(e.code(), 50035);
  EXPECT_EQ(e.message(), "Invalid Form Body");
  ASSERT_EQ(e.error_lines().size(), 2u);
  EXPECT_EQ(e.error_lines()[0],
            "embeds.0.description: Must be 4096 or fewer in length. (BASE_TYPE_MAX_LENGTH)");
  EXPECT_EQ(e.error_lines()[1], "content: This field is required (BASE_TYPE_REQUIRED)");
  const std::string what = e.what();
  EXPECT_NE(what.find("50035"), std::string::npos);
  EXPECT_NE(what.find("embeds.0.description"), std::string::npos);
}

TEST(ApiError, RequestLevelErrorsHaveNoPath) {
  const auto lines = flatten_errors(boost::json::parse(
      R"({"_errors": [{"code": "APPLICATION_COMMAND_TOO_LARGE", "message": "Command too large"}]})"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "Command too large (APPLICATION_COMMAND_TOO_LARGE)");
}

TEST(ApiError, NonJsonBodyKeepsStatus) {
  const auto e = ApiError::from_response(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(e.status(), 502u);
  EXPECT_EQ(e.code(), 0);
  EXPECT_EQ(e.message(), "<html>Bad Gateway</html>");
}

TEST(ApiError, IsACadenceError) {
  const ApiError e(404, 10003, "Unknown Channel");
  const Error& base = e;
  EXPECT_NE(std::string(base.what()).find("Unknown Channel"), std::string::npos);
}

TEST(RateLimitedError, CarriesRouteScopeAndRetryAfter) {
  const RateLimitedError e("GET /channels/{channel_id} channel:1", RateLimitScope::shared,
                           std::chrono::milliseconds(1500), "because");
  EXPECT_EQ(e.route(), "GET /channels/{channel_id} channel:1");
  EXPECT_EQ(e.scope(), RateLimitScope::shared);
  EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(1500));
  EXPECT_NE(std::string(e.what()).find("shared"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("1.500"), std::string::npos);
}

}  // namespace
}  // namespace cadence::discord
