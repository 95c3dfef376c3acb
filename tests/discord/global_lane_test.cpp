#include "discord/global_lane.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cadence::discord {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0 = Clock::time_point{} + 1h;

TEST(GlobalLane, AllowsLimitInAWindow) {
  GlobalLane lane(3, 1s);
  EXPECT_TRUE(lane.try_acquire(t0));
  EXPECT_TRUE(lane.try_acquire(t0));
  EXPECT_TRUE(lane.try_acquire(t0 + 500ms));
  EXPECT_FALSE(lane.try_acquire(t0 + 999ms));
  EXPECT_EQ(lane.next_free(t0 + 999ms), t0 + 1s);
  EXPECT_TRUE(lane.try_acquire(t0 + 1s));
}

TEST(GlobalLane, SlotsFreeOneByOne) {
  GlobalLane lane(2, 1s);
  ASSERT_TRUE(lane.try_acquire(t0));
  ASSERT_TRUE(lane.try_acquire(t0 + 400ms));
  EXPECT_TRUE(lane.try_acquire(t0 + 1s));
  EXPECT_FALSE(lane.try_acquire(t0 + 1s));
  EXPECT_EQ(lane.next_free(t0 + 1s), t0 + 1400ms);
}

TEST(GlobalLane, PauseBlocksEverything) {
  GlobalLane lane(50, 1s);
  lane.pause_until(t0 + 5s);
  EXPECT_FALSE(lane.try_acquire(t0));
  EXPECT_EQ(lane.next_free(t0), t0 + 5s);
  lane.pause_until(t0 + 1s);  // never shortened
  EXPECT_EQ(lane.paused_until(), t0 + 5s);
  EXPECT_TRUE(lane.try_acquire(t0 + 5s));
}

TEST(GlobalLane, RefundFreesTheSlot) {
  GlobalLane lane(2, 1s);
  ASSERT_TRUE(lane.try_acquire(t0));
  ASSERT_TRUE(lane.try_acquire(t0 + 100ms));
  lane.refund(t0);
  EXPECT_EQ(lane.used(t0 + 200ms), 1u);
  EXPECT_TRUE(lane.try_acquire(t0 + 200ms));
}

TEST(GlobalLane, RetimeDatesASlotFromItsSend) {
  GlobalLane lane(2, 1s);
  ASSERT_TRUE(lane.try_acquire(t0));
  ASSERT_TRUE(lane.try_acquire(t0 + 100ms));
  lane.retime(t0, t0 + 300ms);  // the first request left last
  EXPECT_EQ(lane.next_free(t0 + 500ms), t0 + 1100ms);
  EXPECT_TRUE(lane.try_acquire(t0 + 1100ms));
  EXPECT_FALSE(lane.try_acquire(t0 + 1299ms));
  EXPECT_TRUE(lane.try_acquire(t0 + 1300ms));
}

TEST(GlobalLane, RetimeMovesASlotEarlierWhenItsAnswerSaysSoAndIgnoresUnknownSlots) {
  GlobalLane lane(1, 1s);
  ASSERT_TRUE(lane.try_acquire(t0, t0 + 100ms));  // held 100 ms past its send until answered
  EXPECT_EQ(lane.next_free(t0 + 200ms), t0 + 1100ms);
  lane.retime(t0 + 50ms, t0 + 500ms);  // no such slot: ignored
  EXPECT_EQ(lane.next_free(t0 + 200ms), t0 + 1100ms);
  lane.retime(t0 + 100ms, t0 + 20ms);  // the answer showed the server counted it early
  EXPECT_EQ(lane.next_free(t0 + 200ms), t0 + 1020ms);
  lane.refund(t0 + 20ms);
  EXPECT_EQ(lane.used(t0 + 200ms), 0u);
}

TEST(GlobalLane, SlotsDatedOutOfOrderFreeInDateOrder) {
  GlobalLane lane(2, 1s);
  ASSERT_TRUE(lane.try_acquire(t0, t0 + 300ms));
  ASSERT_TRUE(lane.try_acquire(t0 + 10ms, t0 + 10ms));
  EXPECT_EQ(lane.next_free(t0 + 20ms), t0 + 1010ms);
  EXPECT_TRUE(lane.try_acquire(t0 + 1010ms));
  EXPECT_EQ(lane.next_free(t0 + 1020ms), t0 + 1300ms);
}

TEST(GlobalLane, RejectsBadConfiguration) {
  EXPECT_THROW(GlobalLane(0, 1s), std::invalid_argument);
  EXPECT_THROW(GlobalLane(1, 0s), std::invalid_argument);
}

}  // namespace
}  // namespace cadence::discord
