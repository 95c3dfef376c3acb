// lavalink::Rest's plugin helpers (LavaSearch, LavaLyrics, SponsorBlock) against a scripted
// server: paths, queries, bodies, and the 204 answers that mean "nothing found".
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/lava_search.hpp"
#include "cadence/lavalink/lyrics.hpp"
#include "cadence/lavalink/rest.hpp"
#include "lavalink/rest_harness.hpp"
#include "support/expect_error.hpp"

namespace {

namespace json = boost::json;
namespace lavalink = cadence::lavalink;
using cadence::Snowflake;
using cadence::test::empty_reply;
using cadence::test::expect_error;
using cadence::test::ReceivedRequest;
using cadence::test::Reply;
using cadence::test::RestHarness;
using cadence::test::what;

const Snowflake guild{817327181659111454ULL};

const std::string track_json = R"({"encoded":"QAAA","info":{"identifier":"x","isSeekable":true,
  "author":"a","length":1,"isStream":false,"position":0,"title":"t","uri":null,
  "sourceName":"spotify","artworkUrl":null,"isrc":null},"pluginInfo":{},"userData":{}})";

const std::string lyrics_json = R"({"sourceName":"spotify","provider":"MusixMatch",
  "text":null,"lines":[{"timestamp":1000,"duration":2500,"line":"Never gonna",
  "plugin":{}},{"timestamp":3500,"duration":null,"line":"give you up","plugin":{}}],
  "plugin":{"x":1}})";

TEST(LavalinkRestPlugins, LoadSearchSendsQueryAndTypes) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"({"tracks":[)" + track_json + R"(],"albums":[{"info":{"name":"Album",
      "selectedTrack":-1},"pluginInfo":{"url":"u"},"tracks":[]}],"artists":[],"playlists":[],
      "texts":[{"text":"never gonna give you up","plugin":{}}],"plugin":{}})");
  });
  auto out = h.call<std::optional<lavalink::LavaSearchResult>>([&](auto handler) {
    h.rest->load_search({.query = "spsearch:never gonna", .types = {"track", "album", "text"}},
                        handler);
  });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_TRUE(out.value);
  EXPECT_EQ(out.value->tracks.size(), 1u);
  ASSERT_EQ(out.value->albums.size(), 1u);
  EXPECT_EQ(out.value->albums[0].info.name, "Album");
  EXPECT_EQ(out.value->texts.at(0).text, "never gonna give you up");
  EXPECT_EQ(h.only_request().target,
            "/v4/loadsearch?query=spsearch%3Anever%20gonna&types=track%2Calbum%2Ctext");
}

TEST(LavalinkRestPlugins, LoadSearchWithNoResultsIsAnEmptyOptional) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call<std::optional<lavalink::LavaSearchResult>>(
      [&](auto handler) { h.rest->load_search({.query = "spsearch:zzz"}, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_FALSE(out.value);
  EXPECT_EQ(h.only_request().target, "/v4/loadsearch?query=spsearch%3Azzz");
}

TEST(LavalinkRestPlugins, LoadSearchBuildErrorNamesTheField) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"({"tracks":[],"albums":[{"info":{"name":5,"selectedTrack":-1},
      "pluginInfo":{},"tracks":[]}],"artists":[],"playlists":[],"texts":[],"plugin":{}})");
  });
  auto out = h.call<std::optional<lavalink::LavaSearchResult>>(
      [&](auto handler) { h.rest->load_search({.query = "x"}, handler); });
  const auto* e = expect_error<lavalink::BuildError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path(), "albums[0].info.name");
}

TEST(LavalinkRestPlugins, LyricsOfATrack) {
  RestHarness h([](const ReceivedRequest&) { return Reply::json(lyrics_json); });
  auto out = h.call<std::optional<lavalink::Lyrics>>(
      [&](auto handler) { h.rest->lyrics("QAAA+/=", true, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_TRUE(out.value);
  EXPECT_EQ(out.value->provider, "MusixMatch");
  ASSERT_EQ(out.value->lines.size(), 2u);
  EXPECT_EQ(out.value->lines[0].duration, std::chrono::milliseconds(2500));
  EXPECT_FALSE(out.value->lines[1].duration);
  EXPECT_EQ(h.only_request().target, "/v4/lyrics?track=QAAA%2B%2F%3D&skipTrackSource=true");
}

TEST(LavalinkRestPlugins, LyricsRoundTripThroughJson) {
  const auto jv = json::parse(lyrics_json);
  EXPECT_EQ(json::value_from(json::value_to<lavalink::Lyrics>(jv)), jv);
}

TEST(LavalinkRestPlugins, LyricsOfThePlayersTrack) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call<std::optional<lavalink::Lyrics>>(
      [&](auto handler) { h.rest->player_lyrics("abc", guild, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_FALSE(out.value);
  EXPECT_EQ(h.only_request().target,
            "/v4/sessions/abc/players/817327181659111454/track/lyrics?skipTrackSource=false");
}

TEST(LavalinkRestPlugins, SubscribeAndUnsubscribeLyrics) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto on =
      h.call_void([&](auto handler) { h.rest->subscribe_lyrics("abc", guild, true, handler); });
  auto off =
      h.call_void([&](auto handler) { h.rest->subscribe_lyrics("abc", guild, false, handler); });
  EXPECT_FALSE(on.error) << what(on.error);
  EXPECT_FALSE(off.error) << what(off.error);
  const auto reqs = h.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v4/sessions/abc/players/817327181659111454/lyrics/subscribe");
  EXPECT_EQ(reqs[1].method, "DELETE");
  EXPECT_EQ(reqs[1].target, reqs[0].target);
}

TEST(LavalinkRestPlugins, SponsorBlockCategoriesGetPutDelete) {
  RestHarness h([](const ReceivedRequest& r) {
    return r.method == "GET" ? Reply::json(R"(["sponsor","intro"])") : empty_reply(204);
  });
  auto got = h.call<std::vector<std::string>>(
      [&](auto handler) { h.rest->sponsorblock_categories("abc", guild, handler); });
  ASSERT_FALSE(got.error) << what(got.error);
  EXPECT_EQ(got.value, (std::vector<std::string>{"sponsor", "intro"}));
  auto put = h.call_void([&](auto handler) {
    h.rest->set_sponsorblock_categories("abc", guild, {"sponsor", "selfpromo"}, handler);
  });
  EXPECT_FALSE(put.error) << what(put.error);
  auto del = h.call_void(
      [&](auto handler) { h.rest->clear_sponsorblock_categories("abc", guild, handler); });
  EXPECT_FALSE(del.error) << what(del.error);

  const auto reqs = h.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const std::string path = "/v4/sessions/abc/players/817327181659111454/sponsorblock/categories";
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, path);
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].target, path);
  EXPECT_EQ(json::parse(reqs[1].body), json::parse(R"(["sponsor","selfpromo"])"));
  EXPECT_EQ(reqs[2].method, "DELETE");
  EXPECT_EQ(reqs[2].target, path);
}

TEST(LavalinkRestPlugins, SponsorBlockCategoryThatIsNotAStringIsABuildError) {
  RestHarness h([](const ReceivedRequest&) { return Reply::json(R"(["sponsor",3])"); });
  auto out = h.call<std::vector<std::string>>(
      [&](auto handler) { h.rest->sponsorblock_categories("abc", guild, handler); });
  const auto* e = expect_error<lavalink::BuildError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path(), "[1]");
}

}  // namespace
