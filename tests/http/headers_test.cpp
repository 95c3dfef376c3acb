#include "cadence/http/headers.hpp"

#include <gtest/gtest.h>

#include "cadence/http/message.hpp"

namespace {

using cadence::http::Headers;

TEST(Headers, LookupIgnoresCase) {
  Headers h{{"X-RateLimit-Bucket", "abc"}};
  EXPECT_EQ(h.get("x-ratelimit-bucket"), "abc");
  EXPECT_FALSE(h.get("x-ratelimit-limit"));
}

TEST(Headers, SetReplacesEveryFieldOfThatName) {
  Headers h;
  h.add("A", "1");
  h.add("a", "2");
  h.add("B", "3");
  h.set("A", "4");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("a"), "4");
  h.erase("A");
  EXPECT_FALSE(h.contains("a"));
}

TEST(Headers, ValidatesNamesAndValues) {
  EXPECT_TRUE(cadence::http::is_valid_field_name("X-Audit-Log-Reason"));
  EXPECT_FALSE(cadence::http::is_valid_field_name("Bad Name"));
  EXPECT_FALSE(cadence::http::is_valid_field_name(""));
  EXPECT_TRUE(cadence::http::is_valid_field_value("a%20b"));
  EXPECT_FALSE(cadence::http::is_valid_field_value("a\r\nb"));
  EXPECT_FALSE(cadence::http::is_valid_field_value(std::string("a\0b", 3)));
}

TEST(Method, NamesParseAndResendSafety) {
  using cadence::http::Method;
  for (auto m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                 Method::options}) {
    EXPECT_EQ(cadence::http::parse_method(cadence::http::to_string(m)), m);
  }
  EXPECT_EQ(cadence::http::to_string(Method::del), "DELETE");
  EXPECT_FALSE(cadence::http::parse_method("get"));
  EXPECT_TRUE(cadence::http::is_resend_safe(Method::put));
  EXPECT_FALSE(cadence::http::is_resend_safe(Method::post));
  EXPECT_FALSE(cadence::http::is_resend_safe(Method::patch));
}

}  // namespace
