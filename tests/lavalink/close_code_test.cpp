#include "cadence/lavalink/close_code.hpp"

#include <gtest/gtest.h>

namespace lavalink = cadence::lavalink;
using lavalink::VoiceCloseAction;

TEST(CloseCode, DocumentedCodesMapToTheirAction) {
  EXPECT_EQ(lavalink::recommended_action(1000), VoiceCloseAction::none);
  EXPECT_EQ(lavalink::recommended_action(4006), VoiceCloseAction::rejoin);
  EXPECT_EQ(lavalink::recommended_action(4009), VoiceCloseAction::rejoin);
  EXPECT_EQ(lavalink::recommended_action(4011), VoiceCloseAction::rejoin);
  EXPECT_EQ(lavalink::recommended_action(4014), VoiceCloseAction::disconnected);
  EXPECT_EQ(lavalink::recommended_action(4022), VoiceCloseAction::disconnected);
  EXPECT_EQ(lavalink::recommended_action(4015), VoiceCloseAction::wait);
  EXPECT_EQ(lavalink::recommended_action(4016), VoiceCloseAction::change_node);
  EXPECT_EQ(lavalink::recommended_action(4017), VoiceCloseAction::change_node);
  EXPECT_EQ(lavalink::recommended_action(4021), VoiceCloseAction::back_off);
  for (const int code : {4001, 4002, 4003, 4004, 4005, 4012, 4020})
    EXPECT_EQ(lavalink::recommended_action(code), VoiceCloseAction::report) << code;
}

TEST(CloseCode, MissingOrUnknownCodeMeansRejoin) {
  // NodeLink's WebSocketClosedEvent has no code.
  EXPECT_EQ(lavalink::recommended_action(std::nullopt), VoiceCloseAction::rejoin);
  EXPECT_EQ(lavalink::recommended_action(4999), VoiceCloseAction::rejoin);
  EXPECT_EQ(lavalink::close_code_meaning(4999), "");
}

TEST(CloseCode, MeaningsAndNames) {
  EXPECT_EQ(lavalink::close_code_meaning(4006), "Session no longer valid");
  EXPECT_EQ(lavalink::close_code_meaning(4017), "E2EE/DAVE protocol required");
  EXPECT_EQ(lavalink::to_string(VoiceCloseAction::change_node), "change_node");
  EXPECT_EQ(lavalink::to_string(VoiceCloseAction::back_off), "back_off");
}
