#include "cadence/core/snowflake.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace {

using cadence::Snowflake;

TEST(Snowflake, ParsesDecimalIds) {
  auto id = Snowflake::parse("175928847299117063");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->value(), 175928847299117063ULL);
  EXPECT_EQ(id->to_string(), "175928847299117063");
}

TEST(Snowflake, RejectsAnythingButDigitsThatFit64Bits) {
  for (const char* bad : {"", "-1", "+1", "12a", " 1", "1 ", "18446744073709551616",
                          "123456789012345678901", "0x10", "1.0", "..", "%31"}) {
    EXPECT_FALSE(Snowflake::parse(bad)) << bad;
  }
  EXPECT_TRUE(Snowflake::parse("18446744073709551615"));
}

TEST(Snowflake, CreationTimeComesFromTheTop42Bits) {
  // Discord's documented example: 175928847299117063 was made at 2016-04-30T11:18:25.796Z.
  const auto id = *Snowflake::parse("175928847299117063");
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(id.created_at().time_since_epoch())
          .count();
  EXPECT_EQ(ms, 1462015105796);
}

TEST(Snowflake, FromTimeRoundTripsThroughCreatedAt) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  EXPECT_EQ(Snowflake::from_time(when).created_at(), when);
  EXPECT_EQ(Snowflake::from_time(std::chrono::system_clock::time_point{}).value(), 0u);
}

TEST(Snowflake, JsonIsAStringAndAcceptsNumbers) {
  const Snowflake id(42);
  EXPECT_EQ(boost::json::value_from(id), boost::json::value("42"));
  EXPECT_EQ(boost::json::value_to<Snowflake>(boost::json::value("42")), id);
  EXPECT_EQ(boost::json::value_to<Snowflake>(boost::json::value(42)), id);
  EXPECT_THROW(boost::json::value_to<Snowflake>(boost::json::value("x")), std::invalid_argument);
  EXPECT_THROW(boost::json::value_to<Snowflake>(boost::json::value(-1)), std::invalid_argument);
}

TEST(Snowflake, OrdersAndHashesByValue) {
  EXPECT_LT(Snowflake(1), Snowflake(2));
  EXPECT_EQ(std::hash<Snowflake>{}(Snowflake(7)), std::hash<std::uint64_t>{}(7));
}

}  // namespace
