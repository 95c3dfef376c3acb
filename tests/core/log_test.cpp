#include "cadence/core/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

TEST(Logger, IsSilentByDefault) {
  cadence::Logger logger;
  EXPECT_FALSE(logger.enabled(cadence::LogLevel::error));
  logger.log(cadence::LogLevel::error, "nobody hears this");
}

TEST(Logger, PassesMessagesAtOrAboveTheThreshold) {
  std::vector<std::string> seen;
  cadence::Logger logger(
      [&](cadence::LogLevel level, std::string_view m) {
        seen.push_back(std::string(cadence::to_string(level)) + ":" + std::string(m));
      },
      cadence::LogLevel::warn);
  logger.log(cadence::LogLevel::info, "dropped");
  logger.log(cadence::LogLevel::warn, "kept");
  logger.log(cadence::LogLevel::error, "kept too");
  EXPECT_EQ(seen, (std::vector<std::string>{"warn:kept", "error:kept too"}));
}

}  // namespace
