#include "cadence/lavalink/track.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {
const char* const track_json = R"({"encoded":"QAAA","info":{"identifier":"id","isSeekable":false,
  "author":"a","length":9223372036854775807,"isStream":true,"position":0,"title":"t",
  "uri":null,"sourceName":"twitch","artworkUrl":null,"isrc":null},"pluginInfo":{},
  "userData":{}})";
}  // namespace

TEST(Track, RoundTrips) {
  const auto jv = json::parse(track_json);
  const auto t = json::value_to<lavalink::Track>(jv);
  EXPECT_EQ(t.info.length, std::chrono::milliseconds::max());
  EXPECT_EQ(json::value_from(t), jv);
}

TEST(Track, MissingPluginInfoAndUserDataBecomeEmptyObjects) {
  auto jv = json::parse(track_json);
  jv.as_object().erase("pluginInfo");
  jv.as_object().erase("userData");
  const auto t = json::value_to<lavalink::Track>(jv);
  EXPECT_TRUE(t.plugin_info.is_object());
  EXPECT_TRUE(t.user_data.as_object().empty());
}

TEST(Track, MissingInfoFieldIsBuildError) {
  auto jv = json::parse(track_json);
  jv.at("info").as_object().erase("sourceName");
  try {
    (void)json::value_to<lavalink::Track>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "info.sourceName");
  }
}

TEST(Track, FractionalLengthIsBuildError) {
  auto jv = json::parse(track_json);
  jv.at("info").as_object()["length"] = 1.5;
  try {
    (void)json::value_to<lavalink::Track>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "info.length");
  }
}
