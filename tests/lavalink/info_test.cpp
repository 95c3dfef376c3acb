#include "cadence/lavalink/info.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {
const char* const info_json = R"({
  "version": {"semver": "4.2.2", "major": 4, "minor": 2, "patch": 2, "preRelease": null,
              "build": null},
  "buildTime": 1664223916812,
  "git": {"branch": "master", "commit": "85c5ab5", "commitTime": 1664223916812},
  "jvm": "18.0.2.1", "lavaplayer": "1.3.98.4-original",
  "sourceManagers": ["youtube", "soundcloud"], "filters": ["equalizer", "karaoke"],
  "plugins": [{"name": "some-plugin", "version": "1.0.0"}]})";
}  // namespace

TEST(Info, ParsesTheDocumentedExample) {
  const auto info = json::value_to<lavalink::Info>(json::parse(info_json));
  EXPECT_EQ(info.version.semver, "4.2.2");
  EXPECT_EQ(info.version.minor, 2);
  EXPECT_FALSE(info.version.pre_release);
  EXPECT_EQ(info.build_time.time_since_epoch().count(), 1664223916812);
  EXPECT_EQ(info.source_managers.size(), 2u);
  EXPECT_EQ(info.plugins.at(0).name, "some-plugin");
}

TEST(Info, RoundTrips) {
  const auto jv = json::parse(info_json);
  EXPECT_EQ(json::value_from(json::value_to<lavalink::Info>(jv)), jv);
}

TEST(Info, BuildErrorNamesPluginField) {
  auto jv = json::parse(info_json);
  jv.at("plugins").as_array()[0].as_object().erase("version");
  try {
    (void)json::value_to<lavalink::Info>(jv);
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "plugins[0].version");
  }
}
