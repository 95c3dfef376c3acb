#include "cadence/discord/invalid_request_breaker.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0 = Clock::time_point{} + 1h;

TEST(InvalidRequestBreaker, DefaultThresholdIs8000In10Minutes) {
  const InvalidRequestBreaker breaker;
  EXPECT_EQ(breaker.options().threshold, 8000u);
  EXPECT_EQ(breaker.options().window, 600s);
}

TEST(InvalidRequestBreaker, OpensAtThreshold) {
  InvalidRequestBreaker breaker({3, 600s});
  breaker.record(t0, 2);
  EXPECT_FALSE(breaker.is_open(t0));
  breaker.record(t0 + 1s);
  EXPECT_TRUE(breaker.is_open(t0 + 1s));
  EXPECT_EQ(breaker.count(t0 + 1s), 3u);
}

TEST(InvalidRequestBreaker, ForgetsAfterTheWindow) {
  InvalidRequestBreaker breaker({3, 600s});
  breaker.record(t0, 2);
  breaker.record(t0 + 300s);
  EXPECT_TRUE(breaker.is_open(t0 + 300s));
  EXPECT_TRUE(breaker.is_open(t0 + 600s));  // kept at least the whole window
  EXPECT_FALSE(breaker.is_open(t0 + 602s));
  EXPECT_EQ(breaker.count(t0 + 602s), 1u);
  EXPECT_EQ(breaker.count(t0 + 902s), 0u);
}

TEST(InvalidRequestBreaker, TimeUntilClosed) {
  InvalidRequestBreaker breaker({2, 600s});
  breaker.record(t0);
  breaker.record(t0 + 100s);
  const auto wait = breaker.time_until_closed(t0 + 100s);
  EXPECT_GE(wait, 500s);
  EXPECT_LE(wait, 502s);
  EXPECT_FALSE(breaker.is_open(t0 + 100s + wait));
  EXPECT_EQ(breaker.time_until_closed(t0 + 100s + wait), Clock::duration::zero());
}

TEST(InvalidRequestBreaker, LongIdleGapsExpireEverything) {
  InvalidRequestBreaker breaker({2, 600s});
  breaker.record(t0, 5);
  EXPECT_EQ(breaker.count(t0 + 100h), 0u);
  breaker.record(t0 + 100h);
  EXPECT_EQ(breaker.count(t0 + 100h), 1u);
}

TEST(InvalidRequestBreaker, BanState) {
  InvalidRequestBreaker breaker;
  EXPECT_FALSE(breaker.banned_until(t0));
  breaker.ban(t0 + 1h);
  EXPECT_EQ(breaker.banned_until(t0), t0 + 1h);
  EXPECT_FALSE(breaker.banned_until(t0 + 1h));
  breaker.clear_ban();
  EXPECT_FALSE(breaker.banned_until(t0));
}

TEST(InvalidRequestBreaker, RejectsBadOptions) {
  EXPECT_THROW(InvalidRequestBreaker({0, 600s}), std::invalid_argument);
  EXPECT_THROW(InvalidRequestBreaker({10, 0s}), std::invalid_argument);
  EXPECT_THROW(InvalidRequestBreaker({10, 7200s}), std::invalid_argument);
}

}  // namespace
}  // namespace cadence::discord
