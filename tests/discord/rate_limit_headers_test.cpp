#include "cadence/discord/rate_limit_headers.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cadence::discord {
namespace {

using std::chrono::milliseconds;
using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(RateLimitHeaders, ParsesAllFields) {
  const Fields fields{{"x-ratelimit-bucket", "abcd1234"},   {"X-RateLimit-Limit", "5"},
                      {"X-RateLimit-Remaining", "4"},       {"X-RateLimit-Reset", "1470173023.123"},
                      {"X-RateLimit-Reset-After", "1.234"}, {"X-RateLimit-Global", "true"},
                      {"X-RateLimit-Scope", "shared"},      {"Retry-After", "65"},
                      {"Content-Type", "application/json"}};
  const auto h = parse_rate_limit_headers(fields);
  EXPECT_EQ(h.bucket, "abcd1234");
  EXPECT_EQ(h.limit, 5u);
  EXPECT_EQ(h.remaining, 4u);
  EXPECT_EQ(h.reset_after, milliseconds(1234));
  EXPECT_EQ(h.reset_epoch, milliseconds(1470173023123));
  EXPECT_TRUE(h.global);
  EXPECT_EQ(h.scope, RateLimitScope::shared);
  EXPECT_EQ(h.retry_after, milliseconds(65000));
  EXPECT_EQ(h.malformed, 0u);
  EXPECT_TRUE(h.has_bucket_info());
}

TEST(RateLimitHeaders, AcceptsAnyPairRange) {
  const std::map<std::string, std::string> fields{{"X-RateLimit-Limit", "10"}};
  EXPECT_EQ(parse_rate_limit_headers(fields).limit, 10u);
}

TEST(RateLimitHeaders, ResetAfterRoundsUpToMilliseconds) {
  EXPECT_EQ(parse_seconds("0.2501"), milliseconds(251));
  EXPECT_EQ(parse_seconds("0.25"), milliseconds(250));
  EXPECT_EQ(parse_seconds("0.2500000"), milliseconds(250));
  EXPECT_EQ(parse_seconds("2"), milliseconds(2000));
  EXPECT_EQ(parse_seconds(" 64.57 "), milliseconds(64570));
}

TEST(RateLimitHeaders, SecondsRejectsGarbage) {
  for (const auto* bad :
       {"", "-1", "+1", "1e3", "1.", ".5", "abc", "1.2.3", "nan", "inf", "99999999999", "0x10"}) {
    EXPECT_FALSE(parse_seconds(bad)) << bad;
  }
}

TEST(RateLimitHeaders, MalformedValuesAreIgnoredAndFlagged) {
  const Fields fields{{"X-RateLimit-Limit", "five"},
                      {"X-RateLimit-Remaining", "-1"},
                      {"X-RateLimit-Reset-After", "soon"},
                      {"X-RateLimit-Scope", "planet"},
                      {"X-RateLimit-Bucket", "has space"},
                      {"X-RateLimit-Global", "maybe"},
                      {"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  const auto h = parse_rate_limit_headers(fields);
  EXPECT_FALSE(h.limit);
  EXPECT_FALSE(h.remaining);
  EXPECT_FALSE(h.reset_after);
  EXPECT_FALSE(h.scope);
  EXPECT_FALSE(h.bucket);
  EXPECT_FALSE(h.global);
  EXPECT_FALSE(h.retry_after);
  using F = RateLimitHeaders;
  EXPECT_EQ(h.malformed, F::f_limit | F::f_remaining | F::f_reset_after | F::f_scope | F::f_bucket |
                             F::f_global | F::f_retry_after);
  EXPECT_FALSE(h.has_bucket_info());
}

TEST(RateLimitHeaders, WaitsLongerThanABillionSecondsAreMalformed) {
  // Found by fuzz/rate_limit_headers: 9999999999 s overflowed steady_clock's nanoseconds.
  const Fields fields{{"Retry-After", "9999999999"},
                      {"X-RateLimit-Reset-After", "1000000000.001"},
                      {"X-RateLimit-Reset", "9999999999"}};
  const auto h = parse_rate_limit_headers(fields);
  EXPECT_FALSE(h.retry_after);
  EXPECT_FALSE(h.reset_after);
  EXPECT_EQ(h.reset_epoch, milliseconds(9'999'999'999'000));  // an epoch, not a wait
  using F = RateLimitHeaders;
  EXPECT_EQ(h.malformed, F::f_retry_after | F::f_reset_after);
  const auto longest = parse_rate_limit_headers(Fields{{"Retry-After", "1000000000"}});
  EXPECT_EQ(longest.retry_after, milliseconds(1'000'000'000'000));
}

TEST(RateLimitHeaders, ZeroLimitIsMalformed) {
  const Fields fields{{"X-RateLimit-Limit", "0"}};
  const auto h = parse_rate_limit_headers(fields);
  EXPECT_FALSE(h.limit);
  EXPECT_TRUE(h.malformed & RateLimitHeaders::f_limit);
}

TEST(RateLimitHeaders, FirstOccurrenceWins) {
  const Fields fields{{"X-RateLimit-Remaining", "3"}, {"X-RateLimit-Remaining", "9"}};
  EXPECT_EQ(parse_rate_limit_headers(fields).remaining, 3u);
}

TEST(RateLimitHeaders, CountOverflowIsMalformed) {
  const Fields fields{{"X-RateLimit-Limit", "4294967296"}};
  EXPECT_FALSE(parse_rate_limit_headers(fields).limit);
}

TEST(RateLimitBody, ParsesDiscordsBody) {
  const auto b = parse_rate_limit_body(
      R"({"message": "You are being rate limited.", "retry_after": 64.57, "global": false, "code": 0})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->retry_after, milliseconds(64570));
  EXPECT_FALSE(b->global);
  EXPECT_EQ(b->code, 0);
  EXPECT_EQ(b->message, "You are being rate limited.");
}

TEST(RateLimitBody, GlobalFlag) {
  const auto b = parse_rate_limit_body(R"({"retry_after": 1, "global": true})");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->global);
  EXPECT_EQ(b->retry_after, milliseconds(1000));
}

TEST(RateLimitBody, NonJsonIsNullopt) {
  EXPECT_FALSE(parse_rate_limit_body("<html>error 1015</html>"));
  EXPECT_FALSE(parse_rate_limit_body(""));
  EXPECT_FALSE(parse_rate_limit_body("[1,2]"));
}

TEST(RateLimitBody, WrongTypesAreIgnored) {
  const auto b = parse_rate_limit_body(R"({"retry_after": "soon", "global": 1, "code": "x"})");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->retry_after);
  EXPECT_FALSE(b->global);
  EXPECT_FALSE(b->code);
}

TEST(RateLimitBody, NegativeRetryAfterIsIgnored) {
  const auto b = parse_rate_limit_body(R"({"retry_after": -3})");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->retry_after);
}

}  // namespace
}  // namespace cadence::discord
