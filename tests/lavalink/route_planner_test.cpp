#include "cadence/lavalink/route_planner.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {
std::string details(const std::string& extra) {
  return R"({"ipBlock":{"type":"Inet6Address","size":"1208925819614629174706176"},)"
         R"("failingAddresses":[{"failingAddress":"/1.0.0.0","failingTimestamp":1573520707545,)"
         R"("failingTime":"Mon Nov 11 20:05:07 EET 2019"}])" +
         extra + "}";
}
json::value status(const std::string& cls, const std::string& extra) {
  return json::parse(R"({"class":")" + cls + R"(","details":)" + details(extra) + "}");
}
}  // namespace

TEST(RoutePlannerStatus, ParsesRotatingIp) {
  const auto s = json::value_to<lavalink::RoutePlannerStatus>(status(
      "RotatingIpRoutePlanner", R"(,"rotateIndex":"0","ipIndex":"0","currentAddress":"/1.0.0.1")"));
  const auto& r = std::get<lavalink::RotatingIpRoutePlanner>(s);
  EXPECT_EQ(r.ip_block.size, "1208925819614629174706176");
  EXPECT_EQ(r.failing_addresses.at(0).timestamp.time_since_epoch().count(), 1573520707545);
  EXPECT_EQ(r.current_address, "/1.0.0.1");
}

TEST(RoutePlannerStatus, RoundTripsAllFourClasses) {
  for (const auto& jv :
       {status("RotatingIpRoutePlanner",
               R"(,"rotateIndex":"1","ipIndex":"2","currentAddress":"/1.0.0.1")"),
        status("NanoIpRoutePlanner", R"(,"currentAddressIndex":"42")"),
        status("RotatingNanoIpRoutePlanner", R"(,"blockIndex":"0","currentAddressIndex":"7")"),
        status("BalancingIpRoutePlanner", "")}) {
    const auto s = json::value_to<lavalink::RoutePlannerStatus>(jv);
    EXPECT_EQ(lavalink::class_name(s), jv.at("class").as_string());
    EXPECT_EQ(json::value_from(s), jv);
  }
}

TEST(RoutePlannerStatus, UnknownClassIsKeptRaw) {
  const auto jv = status("FancyPlanner", R"(,"fancyIndex":"9")");
  const auto s = json::value_to<lavalink::RoutePlannerStatus>(jv);
  const auto& u = std::get<lavalink::UnknownRoutePlanner>(s);
  EXPECT_EQ(u.class_name, "FancyPlanner");
  EXPECT_EQ(u.details.at("fancyIndex"), "9");
  EXPECT_EQ(lavalink::class_name(s), "FancyPlanner");
  EXPECT_EQ(json::value_from(s), jv);
}

TEST(RoutePlannerStatus, UnknownClassWithoutDetailsIsKept) {
  const auto s = json::value_to<lavalink::RoutePlannerStatus>(json::parse(R"({"class":"X"})"));
  EXPECT_TRUE(std::get<lavalink::UnknownRoutePlanner>(s).details.is_null());
}

TEST(RoutePlannerStatus, MissingClassIsBuildError) {
  try {
    (void)json::value_to<lavalink::RoutePlannerStatus>(json::parse(R"({"details":{}})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "class");
  }
}

TEST(RoutePlannerStatus, BuildErrorNamesFailingAddressField) {
  auto jv = status("BalancingIpRoutePlanner", "");
  jv.at("details").at("failingAddresses").as_array()[0].as_object()["failingTimestamp"] = "x";
  try {
    (void)json::value_to<lavalink::RoutePlannerStatus>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "details.failingAddresses[0].failingTimestamp");
  }
}
