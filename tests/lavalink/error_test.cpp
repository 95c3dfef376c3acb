#include "cadence/lavalink/error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace lavalink = cadence::lavalink;

static_assert(std::is_base_of_v<cadence::Error, lavalink::RestError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::RestRequestError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::RestStatusError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::RestEmptyError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::BuildError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::NoSessionsError>);
static_assert(std::is_base_of_v<lavalink::RestError, lavalink::TrackDecodeError>);
static_assert(std::is_same_v<lavalink::TimeoutError, cadence::TimeoutError>);

TEST(RestRequestError, ParsesLavalinkErrorJson) {
  const auto e = lavalink::RestRequestError::parse(
      R"({"timestamp":1667857581613,"status":404,"error":"Not Found","trace":"...",)"
      R"("message":"Session not found","path":"/v4/sessions/xtaug914v9k5032f/players/817327181659111454"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->timestamp(), 1667857581613);
  EXPECT_EQ(e->status(), 404);
  EXPECT_EQ(e->error(), "Not Found");
  EXPECT_EQ(e->message(), "Session not found");
  EXPECT_EQ(e->path(), "/v4/sessions/xtaug914v9k5032f/players/817327181659111454");
  EXPECT_EQ(e->trace(), "...");
  EXPECT_STREQ(e->what(), "Lavalink answered 404 Not Found: Session not found");
}

TEST(RestRequestError, TraceIsOptional) {
  const auto e = lavalink::RestRequestError::parse(
      R"({"timestamp":1,"status":400,"error":"Bad Request","message":"m","path":"/v4/x"})");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->trace());
}

TEST(RestRequestError, RefusesOtherBodies) {
  EXPECT_FALSE(lavalink::RestRequestError::parse(""));
  EXPECT_FALSE(lavalink::RestRequestError::parse("Forbidden"));
  EXPECT_FALSE(lavalink::RestRequestError::parse(R"({"status":"404","message":"x"})"));
  EXPECT_FALSE(lavalink::RestRequestError::parse("[1,2]"));
}

TEST(RestStatusError, KeepsAShortExcerpt) {
  const lavalink::RestStatusError e(502, std::string(500, 'x'));
  EXPECT_EQ(e.status(), 502);
  EXPECT_EQ(e.body_excerpt().size(), lavalink::RestStatusError::max_excerpt);
}

TEST(RestStatusError, ExcerptDoesNotSplitUtf8) {
  std::string body(lavalink::RestStatusError::max_excerpt - 1, 'x');
  body += "\xC3\xA9 and more";
  const lavalink::RestStatusError e(500, body);
  EXPECT_EQ(e.body_excerpt(), std::string(lavalink::RestStatusError::max_excerpt - 1, 'x'));
}

TEST(RestStatusError, EmptyBodyMessage) {
  const lavalink::RestStatusError e(403, "");
  EXPECT_STREQ(e.what(), "Lavalink answered 403");
}

TEST(BuildError, NamesThePath) {
  const lavalink::BuildError e("data.tracks[3].info.length", "expected an integer, got a string");
  EXPECT_EQ(e.path(), "data.tracks[3].info.length");
  EXPECT_NE(std::string(e.what()).find("data.tracks[3].info.length"), std::string::npos);
}

TEST(TrackDecodeError, NamesTheOffset) {
  const lavalink::TrackDecodeError e(lavalink::TrackDecodeError::Stage::message, 42, "bad");
  EXPECT_EQ(e.offset(), 42u);
  EXPECT_STREQ(e.what(), "cannot decode track at byte 42: bad");
}
