#include "cadence/core/clock.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace std::chrono_literals;
using cadence::ManualClock;

TEST(ManualClock, StandsStillUntilAdvanced) {
  ManualClock clock;
  const auto t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(250ms);
  EXPECT_EQ(clock.now() - t0, 250ms);
  clock.advance(-10ms);
  EXPECT_EQ(clock.now() - t0, 250ms);
}

TEST(ManualClock, RunsDueWakeUpsInTimeOrderAtTheirTime) {
  ManualClock clock;
  const auto t0 = clock.now();
  std::vector<std::pair<int, ManualClock::duration>> fired;
  clock.at(t0 + 30ms, [&] { fired.emplace_back(3, clock.now() - t0); });
  clock.at(t0 + 10ms, [&] { fired.emplace_back(1, clock.now() - t0); });
  clock.at(t0 + 20ms, [&] { fired.emplace_back(2, clock.now() - t0); });
  clock.advance(25ms);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(1, ManualClock::duration(10ms)));
  EXPECT_EQ(fired[1], std::make_pair(2, ManualClock::duration(20ms)));
  EXPECT_EQ(clock.now() - t0, 25ms);
  EXPECT_EQ(clock.pending(), 1u);
}

TEST(ManualClock, WakeUpsCanScheduleMoreWithinTheSameAdvance) {
  ManualClock clock;
  const auto t0 = clock.now();
  int count = 0;
  std::function<void()> again = [&] {
    if (++count < 5) clock.at(clock.now() + 1ms, again);
  };
  clock.at(t0 + 1ms, again);
  clock.advance(10ms);
  EXPECT_EQ(count, 5);
}

TEST(ManualClock, CancelledWakeUpsDoNotRun) {
  ManualClock clock;
  bool ran = false;
  const auto id = clock.at(clock.now() + 1ms, [&] { ran = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  clock.advance(5ms);
  EXPECT_FALSE(ran);
}

TEST(SteadyClock, IsMonotonic) {
  auto clock = cadence::SteadyClock::shared();
  const auto a = clock->now();
  EXPECT_LE(a, clock->now());
}

}  // namespace
