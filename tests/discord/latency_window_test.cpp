// The round-trip bounds that date slots: how long before an answer the server surely counted
// its request, for send logs (answer_offset) and for the global lane (lane_offset).
#include "discord/latency_window.hpp"

#include <gtest/gtest.h>

namespace cadence::discord::detail {
namespace {

using namespace std::chrono_literals;

TEST(LatencyWindow, NothingIsTrustedBeforeEnoughSamples) {
  LatencyWindow w;
  for (int i = 0; i < 7; ++i) w.add(30ms);
  EXPECT_EQ(w.answer_offset(), Clock::duration::zero());
  EXPECT_EQ(w.lane_offset(), Clock::duration::zero());
}

TEST(LatencyWindow, ASteadyPathGivesItsFastestRoundTripToBoth) {
  LatencyWindow w;
  for (int i = 0; i < 8; ++i) w.add(30ms + std::chrono::milliseconds(i));
  EXPECT_EQ(w.answer_offset(), 30ms);
  EXPECT_EQ(w.lane_offset(), 30ms);
}

TEST(LatencyWindow, ASpreadPathNeedsManySamplesAndTheLaneTakesTheTighterBound) {
  LatencyWindow w;
  // 0-93 ms of lag over a 30 ms path: the fastest sample seen is 30 ms.
  for (int i = 0; i < 31; ++i) w.add(30ms + std::chrono::milliseconds(3 * i));
  EXPECT_EQ(w.answer_offset(), Clock::duration::zero()) << "31 spread samples are not enough";
  EXPECT_EQ(w.lane_offset(), Clock::duration::zero());
  w.add(40ms);
  // Send logs take half of it, and so does the lane until kLaneTrusted samples.
  EXPECT_EQ(w.answer_offset(), 15ms);
  EXPECT_EQ(w.lane_offset(), 15ms);
  while (w.samples() < LatencyWindow::kLaneTrusted) {
    w.add(30ms + std::chrono::milliseconds(3 * (w.samples() % 31)));
  }
  EXPECT_EQ(w.spread(), 90ms);
  // Then the lane takes the fastest less 4 * spread / (n + 1) = 360 ms / 257.
  EXPECT_EQ(w.answer_offset(), 15ms);
  EXPECT_EQ(w.lane_offset(), 30ms - Clock::duration(360ms) / 257);
  // The more samples, the closer the lane's bound comes to the fastest one.
  for (int i = 0; i < 1000; ++i) w.add(30ms + std::chrono::milliseconds(i % 90));
  EXPECT_GT(w.lane_offset(), 29ms);
  EXPECT_LT(w.lane_offset(), 30ms);
}

TEST(LatencyWindow, TheLaneBoundNeverGoesBelowZero) {
  LatencyWindow w;
  w.add(0ms);
  for (int i = 0; i < 300; ++i) w.add(std::chrono::milliseconds(100 + i % 64));
  EXPECT_EQ(w.lane_offset(), Clock::duration::zero());
}

}  // namespace
}  // namespace cadence::discord::detail
