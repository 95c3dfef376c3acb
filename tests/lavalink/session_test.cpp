#include "cadence/lavalink/session.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

TEST(SessionUpdate, SendsOnlyWhatIsSet) {
  lavalink::SessionUpdate u;
  u.timeout = std::chrono::seconds(180);
  EXPECT_EQ(json::value_from(u), json::parse(R"({"timeout":180})"));
}

TEST(SessionUpdate, RoundTrips) {
  const auto jv = json::parse(R"({"resuming":true,"timeout":60})");
  EXPECT_EQ(json::value_from(json::value_to<lavalink::SessionUpdate>(jv)), jv);
}

TEST(SessionState, TimeoutIsInSeconds) {
  const auto s =
      json::value_to<lavalink::SessionState>(json::parse(R"({"resuming":false,"timeout":60})"));
  EXPECT_EQ(s.timeout, std::chrono::minutes(1));
  EXPECT_EQ(json::value_from(s), json::parse(R"({"resuming":false,"timeout":60})"));
}

TEST(SessionState, MissingResumingIsBuildError) {
  try {
    (void)json::value_to<lavalink::SessionState>(json::parse(R"({"timeout":60})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "resuming");
  }
}
