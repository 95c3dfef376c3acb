#include "cadence/lavalink/player_update.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;
using lavalink::PlayerUpdate;
using std::chrono::milliseconds;

namespace {
json::value to_json(const PlayerUpdate& u) { return json::value_from(u); }
}  // namespace

TEST(PlayerUpdate, UnsetFieldsAreNotSent) {
  PlayerUpdate u;
  u.volume = 80;
  EXPECT_EQ(to_json(u), json::parse(R"({"volume":80})"));
}

TEST(PlayerUpdate, NullEncodedStopsPlayback) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{};
  u.track->encoded = nullptr;
  EXPECT_EQ(to_json(u), json::parse(R"({"track":{"encoded":null}})"));
}

TEST(PlayerUpdate, EncodedValueIsSent) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{
      .encoded = std::string("QAAA"), .identifier = {}, .user_data = json::parse(R"({"a":1})")};
  EXPECT_EQ(to_json(u), json::parse(R"({"track":{"encoded":"QAAA","userData":{"a":1}}})"));
}

TEST(PlayerUpdate, EndTimeAbsentNullAndValue) {
  PlayerUpdate u;
  u.paused = true;
  EXPECT_FALSE(to_json(u).as_object().contains("endTime"));
  u.end_time = nullptr;
  EXPECT_TRUE(to_json(u).at("endTime").is_null());
  u.end_time = milliseconds(5000);
  EXPECT_EQ(to_json(u).at("endTime"), 5000);
}

TEST(PlayerUpdate, ParsesTheThreeStatesBack) {
  const auto absent = json::value_to<PlayerUpdate>(json::parse(R"({"track":{}})"));
  EXPECT_TRUE(absent.track->encoded.is_unset());
  EXPECT_TRUE(absent.end_time.is_unset());
  const auto null =
      json::value_to<PlayerUpdate>(json::parse(R"({"track":{"encoded":null},"endTime":null})"));
  EXPECT_TRUE(null.track->encoded.is_null());
  EXPECT_TRUE(null.end_time.is_null());
  const auto value =
      json::value_to<PlayerUpdate>(json::parse(R"({"track":{"encoded":"QA"},"endTime":7})"));
  EXPECT_EQ(value.track->encoded.value(), "QA");
  EXPECT_EQ(value.end_time.value(), milliseconds(7));
}

TEST(PlayerUpdate, RoundTripsAFullBody) {
  const auto jv = json::parse(R"({
    "track": {"identifier": "ytsearch:never gonna", "userData": {"requester": "1"}},
    "position": 1000, "endTime": 200000, "volume": 150, "paused": false,
    "filters": {"volume": 0.8, "timescale": {"speed": 1.25}, "lowPass": {"smoothing": 20.0}},
    "voice": {"token": "t", "endpoint": "e.discord.media", "sessionId": "s",
              "channelId": "123456789012345678"}})");
  EXPECT_EQ(to_json(json::value_to<PlayerUpdate>(jv)), jv);
}

TEST(PlayerUpdate, ValidateAcceptsASingleField) {
  PlayerUpdate u;
  u.paused = false;
  EXPECT_NO_THROW(u.validate());
}

TEST(PlayerUpdate, ValidateRejectsNothingSet) {
  EXPECT_THROW(PlayerUpdate{}.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsEmptyTrackObjectAlone) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{};
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsEncodedWithIdentifier) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{};
  u.track->encoded = std::string("QAAA");
  u.track->identifier = "dQw4w9WgXcQ";
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsNullEncodedWithIdentifier) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{};
  u.track->encoded = nullptr;
  u.track->identifier = "dQw4w9WgXcQ";
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsZeroEndTime) {
  PlayerUpdate u;
  u.end_time = milliseconds(0);
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsVolumeOutsideTheRange) {
  for (const int volume : {-5, -1, 1001, 5000}) {
    PlayerUpdate u;
    u.volume = volume;
    EXPECT_THROW(u.validate(), std::invalid_argument) << volume;
  }
  for (const int volume : {0, 100, 1000}) {
    PlayerUpdate u;
    u.volume = volume;
    EXPECT_NO_THROW(u.validate()) << volume;
  }
}

TEST(PlayerUpdate, ValidateRejectsNegativePosition) {
  PlayerUpdate u;
  u.position = milliseconds(-1);
  EXPECT_THROW(u.validate(), std::invalid_argument);
  u.position = milliseconds(0);
  EXPECT_NO_THROW(u.validate());
}

TEST(PlayerUpdate, ValidateAcceptsNullEndTime) {
  PlayerUpdate u;
  u.end_time = nullptr;
  EXPECT_NO_THROW(u.validate());
}

TEST(PlayerUpdate, DeprecatedTopLevelFormsRoundTrip) {
  for (const char* text : {R"({"encodedTrack":"QAAA","position":5})", R"({"encodedTrack":null})",
                           R"({"identifier":"dQw4w9WgXcQ"})"}) {
    const auto jv = json::parse(text);
    const auto u = json::value_to<PlayerUpdate>(jv);
    EXPECT_NO_THROW(u.validate()) << text;
    EXPECT_EQ(to_json(u), jv);
  }
}

TEST(PlayerUpdate, DeprecatedNullEncodedTrackIsNull) {
  const auto u = json::value_to<PlayerUpdate>(json::parse(R"({"encodedTrack":null})"));
  EXPECT_TRUE(u.encoded_track.is_null());
  EXPECT_FALSE(u.track);
}

TEST(PlayerUpdate, ValidateRejectsTrackWithDeprecatedForm) {
  PlayerUpdate u;
  u.track = PlayerUpdate::TrackUpdate{.encoded = std::string("QAAA")};
  u.encoded_track = nullptr;
  EXPECT_THROW(u.validate(), std::invalid_argument);
  u.encoded_track.reset();
  u.identifier = "x";
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, ValidateRejectsDeprecatedEncodedWithIdentifier) {
  PlayerUpdate u;
  u.encoded_track = std::string("QAAA");
  u.identifier = "x";
  EXPECT_THROW(u.validate(), std::invalid_argument);
}

TEST(PlayerUpdate, BuildErrorNamesDeprecatedField) {
  try {
    (void)json::value_to<PlayerUpdate>(json::parse(R"({"encodedTrack":1})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "encodedTrack");
  }
}

TEST(PlayerUpdate, BuildErrorNamesTrackField) {
  try {
    (void)json::value_to<PlayerUpdate>(json::parse(R"({"track":{"encoded":5}})"));
    FAIL() << "no error";
  } catch (const lavalink::BuildError& e) {
    EXPECT_EQ(e.path(), "track.encoded");
  }
}

TEST(Patch, ThreeStates) {
  lavalink::Patch<int> p;
  EXPECT_TRUE(p.is_unset());
  EXPECT_FALSE(p.is_set());
  p = nullptr;
  EXPECT_TRUE(p.is_null());
  EXPECT_TRUE(p.is_set());
  p = 3;
  EXPECT_TRUE(p.has_value());
  EXPECT_EQ(*p, 3);
  p.reset();
  EXPECT_TRUE(p.is_unset());
}

TEST(Patch, ValueOfNullThrows) {
  const lavalink::Patch<int> p = nullptr;
  EXPECT_THROW((void)p.value(), std::logic_error);
}

TEST(Patch, ConvertsFromStringLiteral) {
  const lavalink::Patch<std::string> p = "abc";
  EXPECT_EQ(p.value(), "abc");
}
