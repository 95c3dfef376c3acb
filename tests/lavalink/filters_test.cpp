#include "cadence/lavalink/filters.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

TEST(Filters, RoundTripsEveryFilter) {
  const auto jv = json::parse(R"({
    "volume": 1.0,
    "equalizer": [{"band": 0, "gain": 0.2}, {"band": 14, "gain": -0.25}],
    "karaoke": {"level": 1.0, "monoLevel": 1.0, "filterBand": 220.0, "filterWidth": 100.0},
    "timescale": {"speed": 1.0, "pitch": 1.0, "rate": 1.0},
    "tremolo": {"frequency": 2.0, "depth": 0.5},
    "vibrato": {"frequency": 2.0, "depth": 0.5},
    "rotation": {"rotationHz": 0.2},
    "distortion": {"sinOffset": 0.0, "sinScale": 1.0, "cosOffset": 0.0, "cosScale": 1.0,
                   "tanOffset": 0.0, "tanScale": 1.0, "offset": 0.0, "scale": 1.0},
    "channelMix": {"leftToLeft": 0.5, "leftToRight": 0.5, "rightToLeft": 0.5,
                   "rightToRight": 0.5},
    "lowPass": {"smoothing": 20.0},
    "pluginFilters": {"lavadspx": {"highPass": {"cutoffFrequency": 100}}}})");
  const auto f = json::value_to<lavalink::Filters>(jv);
  EXPECT_EQ(f.equalizer->size(), 2u);
  EXPECT_EQ(f.rotation->rotation_hz, 0.2);
  EXPECT_EQ(f.channel_mix->right_to_right, 0.5);
  EXPECT_EQ(json::value_from(f), jv);
}

TEST(Filters, SendsOnlyWhatIsSet) {
  lavalink::Filters f;
  f.timescale = lavalink::Timescale{.speed = 1.5, .pitch = {}, .rate = {}};
  EXPECT_EQ(json::value_from(f), json::parse(R"({"timescale":{"speed":1.5}})"));
}

TEST(Filters, EmptyObjectIsNoFilters) {
  EXPECT_EQ(json::value_to<lavalink::Filters>(json::parse("{}")), lavalink::Filters{});
}

TEST(Filters, IntegersAreAcceptedAsNumbers) {
  const auto f = json::value_to<lavalink::Filters>(json::parse(R"({"volume":2})"));
  EXPECT_EQ(f.volume, 2.0);
}

TEST(Filters, BuildErrorNamesBandField) {
  try {
    (void)json::value_to<lavalink::Filters>(
        json::parse(R"({"equalizer":[{"band":1,"gain":0},{"band":"x","gain":0}]})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "equalizer[1].band");
  }
}

TEST(Filters, BuildErrorNamesFilterField) {
  try {
    (void)json::value_to<lavalink::Filters>(json::parse(R"({"karaoke":{"level":"high"}})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "karaoke.level");
  }
}
