#include "cadence/sim/window.hpp"

#include <gtest/gtest.h>

#include "cadence/sim/rolling_counter.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;
using time_point = Window::time_point;

const time_point t0 = time_point{} + 1h;

TEST(FixedWindow, AdmitsLimitThenRefusesUntilItCloses) {
  Window w(WindowMode::fixed, 3, 1s);
  EXPECT_EQ(w.try_acquire(t0).remaining, 2u);
  EXPECT_EQ(w.try_acquire(t0 + 100ms).remaining, 1u);
  const auto last = w.try_acquire(t0 + 200ms);
  EXPECT_TRUE(last.allowed);
  EXPECT_EQ(last.remaining, 0u);
  EXPECT_EQ(last.reset_after, 800ms);

  const auto refused = w.try_acquire(t0 + 300ms);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0u);
  EXPECT_EQ(refused.retry_after, 700ms);
  EXPECT_EQ(refused.reset_after, 700ms);
}

TEST(FixedWindow, EverythingComesBackWhenItCloses) {
  Window w(WindowMode::fixed, 2, 1s);
  w.try_acquire(t0);
  w.try_acquire(t0 + 500ms);
  EXPECT_FALSE(w.try_acquire(t0 + 999ms).allowed);
  const auto fresh = w.try_acquire(t0 + 1s);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 1u);
  EXPECT_EQ(fresh.reset_after, 1s);
}

TEST(FixedWindow, OpensAtTheFirstRequestNotOnAGrid) {
  Window w(WindowMode::fixed, 1, 1s);
  w.try_acquire(t0 + 400ms);
  const auto refused = w.try_acquire(t0 + 1s);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 400ms);
  EXPECT_TRUE(w.try_acquire(t0 + 1400ms).allowed);
}

TEST(FixedWindow, PeekCountsNothing) {
  Window w(WindowMode::fixed, 2, 1s);
  const auto fresh = w.peek(t0);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 1u);
  EXPECT_EQ(fresh.reset_after, 1s);
  w.try_acquire(t0);
  EXPECT_EQ(w.peek(t0 + 100ms).remaining, 0u);
  EXPECT_EQ(w.peek(t0 + 100ms).reset_after, 900ms);
  EXPECT_TRUE(w.try_acquire(t0 + 200ms).allowed);
  EXPECT_FALSE(w.peek(t0 + 300ms).allowed);
}

TEST(FixedWindow, IsIdleOnceClosed) {
  Window w(WindowMode::fixed, 2, 1s);
  EXPECT_TRUE(w.idle(t0));
  w.try_acquire(t0);
  EXPECT_FALSE(w.idle(t0 + 999ms));
  EXPECT_TRUE(w.idle(t0 + 1s));
}

TEST(SlidingWindow, FreesOneUseAtATime) {
  Window w(WindowMode::sliding, 2, 1s);
  EXPECT_TRUE(w.try_acquire(t0).allowed);
  EXPECT_EQ(w.try_acquire(t0 + 500ms).remaining, 0u);
  const auto refused = w.try_acquire(t0 + 600ms);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 400ms);  // the use at t0 expires first
  EXPECT_EQ(refused.reset_after, 900ms);  // the one at t0+500ms last

  const auto again = w.try_acquire(t0 + 1s);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0u);
  EXPECT_EQ(again.reset_after, 1s);
  EXPECT_EQ(w.try_acquire(t0 + 1200ms).retry_after, 300ms);
}

TEST(SlidingWindow, RemainingCountsUsesInTheLastLength) {
  Window w(WindowMode::sliding, 5, 10s);
  for (int i = 0; i < 4; ++i) w.try_acquire(t0 + i * 1s);
  EXPECT_EQ(w.peek(t0 + 4s).remaining, 0u);       // 4 used, this one would be the 5th
  EXPECT_EQ(w.peek(t0 + 11500ms).remaining, 2u);  // the uses at 0 s and 1 s have expired
  EXPECT_TRUE(w.idle(t0 + 13s));
  EXPECT_FALSE(w.idle(t0 + 12999ms));
}

TEST(SlidingWindow, AllowsMoreThanFixedOverABoundary) {
  // The difference clients must survive: a fixed window gives all uses back at once, a sliding
  // one only as each use ages out.
  Window fixed(WindowMode::fixed, 2, 1s);
  Window sliding(WindowMode::sliding, 2, 1s);
  for (auto* w : {&fixed, &sliding}) {
    w->try_acquire(t0);
    w->try_acquire(t0 + 900ms);
  }
  EXPECT_EQ(fixed.try_acquire(t0 + 1s).remaining, 1u);
  EXPECT_EQ(sliding.try_acquire(t0 + 1s).remaining, 0u);
}

TEST(Window, RejectsAZeroLimitOrLength) {
  EXPECT_THROW(Window(WindowMode::fixed, 0, 1s), std::invalid_argument);
  EXPECT_THROW(Window(WindowMode::sliding, 1, 0s), std::invalid_argument);
}

TEST(Window, ModeNamesRoundTrip) {
  EXPECT_EQ(parse_window_mode("fixed"), WindowMode::fixed);
  EXPECT_EQ(parse_window_mode("sliding"), WindowMode::sliding);
  EXPECT_EQ(to_string(WindowMode::sliding), "sliding");
  EXPECT_THROW((void)parse_window_mode("leaky"), std::invalid_argument);
}

TEST(RollingCounter, CountsEventsInTheLastLength) {
  RollingCounter c(10min);
  EXPECT_EQ(c.add(t0), 1u);
  EXPECT_EQ(c.add(t0), 2u);
  EXPECT_EQ(c.add(t0 + 5min), 3u);
  EXPECT_EQ(c.count(t0 + 10min - 1ns), 3u);
  EXPECT_EQ(c.count(t0 + 10min), 1u);
  EXPECT_EQ(c.add(t0 + 15min), 1u);
  c.clear();
  EXPECT_EQ(c.count(t0 + 15min), 0u);
}

}  // namespace
}  // namespace cadence::sim
