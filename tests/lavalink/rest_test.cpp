// lavalink::Rest against a scripted server: each route's request line, headers and body, and
// the typed value built from the documented answer.
#include "cadence/lavalink/rest.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <stdexcept>
#include <thread>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest_path.hpp"
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
using cadence::test::text_reply;
using cadence::test::what;

const std::string track_json = R"({"encoded":"QAAAjQIAJVJp","info":{"identifier":"dQw4w9WgXcQ",
  "isSeekable":true,"author":"Rick Astley","length":212000,"isStream":false,"position":0,
  "title":"Never Gonna Give You Up","uri":"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
  "sourceName":"youtube","artworkUrl":null,"isrc":null},"pluginInfo":{},"userData":{}})";

const std::string player_json = R"({"guildId":"817327181659111454","track":null,"volume":100,
  "paused":false,"state":{"time":1500467109,"position":60000,"connected":true,"ping":50},
  "voice":{"token":"t","endpoint":"e","sessionId":"s","channelId":"123"},"filters":{}})";

const Snowflake guild{817327181659111454ULL};

Reply json_reply(const std::string& body) { return Reply::json(body); }

TEST(LavalinkRest, LoadTracksEncodesTheIdentifierAndSendsThePassword) {
  RestHarness h([](const ReceivedRequest&) {
    return json_reply(R"({"loadType":"search","data":[)" + track_json + "]}");
  });
  auto out = h.call<lavalink::LoadResult>(
      [&](auto handler) { h.rest->load_tracks("ytsearch:never gonna&give=you", handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  const auto& search = std::get<lavalink::SearchResult>(out.value);
  ASSERT_EQ(search.tracks.size(), 1u);
  EXPECT_EQ(search.tracks[0].info.author, "Rick Astley");
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/v4/loadtracks?identifier=ytsearch%3Anever%20gonna%26give%3Dyou");
  EXPECT_EQ(req.header("Authorization"), "youshallnotpass");
  EXPECT_EQ(req.header("User-Agent").value_or("").rfind("cadence/", 0), 0u);
}

TEST(LavalinkRest, LoadFailureIsAValueNotAnError) {
  RestHarness h([](const ReceivedRequest&) {
    return json_reply(
        R"({"loadType":"error","data":{"message":"This video is unavailable","severity":"common","cause":"x"}})");
  });
  auto out = h.call<lavalink::LoadResult>(
      [&](auto handler) { h.rest->load_tracks("https://youtu.be/x", handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(std::get<lavalink::Exception>(out.value).message, "This video is unavailable");
}

TEST(LavalinkRest, DecodeTrackSendsEncodedTrackQuery) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(track_json); });
  auto out = h.call<lavalink::Track>(
      [&](auto handler) { h.rest->decode_track("QAAAjQIAJVJp+/==", handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.info.identifier, "dQw4w9WgXcQ");
  EXPECT_EQ(h.only_request().target, "/v4/decodetrack?encodedTrack=QAAAjQIAJVJp%2B%2F%3D%3D");
}

TEST(LavalinkRest, DecodeTracksPostsAJsonArray) {
  RestHarness h(
      [](const ReceivedRequest&) { return json_reply("[" + track_json + "," + track_json + "]"); });
  auto out = h.call<std::vector<lavalink::Track>>([&](auto handler) {
    h.rest->decode_tracks({"QAAA", "QBBB"}, handler);
  });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.size(), 2u);
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v4/decodetracks");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(req.body), json::parse(R"(["QAAA","QBBB"])"));
}

TEST(LavalinkRest, DecodeTracksOfNothingMakesNoRequest) {
  RestHarness h([](const ReceivedRequest&) { return json_reply("[]"); });
  auto out = h.call<std::vector<lavalink::Track>>(
      [&](auto handler) { h.rest->decode_tracks({}, handler); });
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.value.empty());
  EXPECT_TRUE(h.requests().empty());
}

TEST(LavalinkRest, GetPlayersEncodesTheSessionId) {
  RestHarness h([](const ReceivedRequest&) { return json_reply("[" + player_json + "]"); });
  auto out = h.call<std::vector<lavalink::Player>>(
      [&](auto handler) { h.rest->get_players("a/b c?", handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_EQ(out.value.size(), 1u);
  EXPECT_EQ(out.value[0].guild_id, guild);
  EXPECT_EQ(h.only_request().target, "/v4/sessions/a%2Fb%20c%3F/players");
}

TEST(LavalinkRest, GetPlayer) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(player_json); });
  auto out =
      h.call<lavalink::Player>([&](auto handler) { h.rest->get_player("abc123", guild, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.state.position, std::chrono::milliseconds(60000));
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/v4/sessions/abc123/players/817327181659111454");
}

TEST(LavalinkRest, UpdatePlayerPatchesTheBody) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(player_json); });
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = nullptr};
  update.volume = 50;
  auto out = h.call<lavalink::Player>(
      [&](auto handler) { h.rest->update_player("abc123", guild, update, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "PATCH");
  EXPECT_EQ(req.target, "/v4/sessions/abc123/players/817327181659111454");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(req.body), json::parse(R"({"track":{"encoded":null},"volume":50})"));
}

TEST(LavalinkRest, UpdatePlayerNoReplaceAddsTheQuery) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(player_json); });
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{.identifier = "dQw4w9WgXcQ"};
  auto out = h.call<lavalink::Player>(
      [&](auto handler) { h.rest->update_player("abc123", guild, update, true, handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(h.only_request().target,
            "/v4/sessions/abc123/players/817327181659111454?noReplace=true");
}

TEST(LavalinkRest, UpdatePlayerWithNothingSetFailsWithoutARequest) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(player_json); });
  auto out = h.call<lavalink::Player>([&](auto handler) {
    h.rest->update_player("abc123", guild, lavalink::PlayerUpdate{}, handler);
  });
  expect_error<std::invalid_argument>(out.error, "nothing is set");
  EXPECT_TRUE(h.requests().empty());
}

TEST(LavalinkRest, UpdatePlayerWithEncodedAndIdentifierFailsWithoutARequest) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(player_json); });
  lavalink::PlayerUpdate update;
  update.track =
      lavalink::PlayerUpdate::TrackUpdate{.encoded = std::string("QA"), .identifier = "x"};
  auto out = h.call<lavalink::Player>(
      [&](auto handler) { h.rest->update_player("abc123", guild, update, handler); });
  expect_error<std::invalid_argument>(out.error, "not both");
  EXPECT_TRUE(h.requests().empty());
}

TEST(LavalinkRest, EmptySessionIdFailsWithoutARequest) {
  RestHarness h([](const ReceivedRequest&) { return json_reply("[]"); });
  auto out = h.call<std::vector<lavalink::Player>>(
      [&](auto handler) { h.rest->get_players("", handler); });
  expect_error<std::invalid_argument>(out.error, "session_id");
  EXPECT_TRUE(h.requests().empty());
}

TEST(LavalinkRest, DestroyPlayerAccepts204) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call_void([&](auto handler) { h.rest->destroy_player("abc123", guild, handler); });
  EXPECT_FALSE(out.error) << what(out.error);
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.target, "/v4/sessions/abc123/players/817327181659111454");
}

TEST(LavalinkRest, UpdateSessionSendsSecondsAndReadsTheState) {
  RestHarness h(
      [](const ReceivedRequest&) { return json_reply(R"({"resuming":true,"timeout":120})"); });
  auto out = h.call<lavalink::SessionState>([&](auto handler) {
    h.rest->update_session(
        "abc123", lavalink::SessionUpdate{.resuming = true, .timeout = std::chrono::seconds(120)},
        handler);
  });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_TRUE(out.value.resuming);
  EXPECT_EQ(out.value.timeout, std::chrono::seconds(120));
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "PATCH");
  EXPECT_EQ(req.target, "/v4/sessions/abc123");
  EXPECT_EQ(json::parse(req.body), json::parse(R"({"resuming":true,"timeout":120})"));
}

TEST(LavalinkRest, Info) {
  RestHarness h([](const ReceivedRequest&) {
    return json_reply(R"({"version":{"semver":"4.2.2","major":4,"minor":2,"patch":2,
      "preRelease":null,"build":null},"buildTime":1664223916812,"git":{"branch":"master",
      "commit":"85c5ab5","commitTime":1664223916812},"jvm":"18","lavaplayer":"2.2",
      "sourceManagers":["youtube"],"filters":["equalizer"],"plugins":[]})");
  });
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.version.semver, "4.2.2");
  EXPECT_EQ(h.only_request().target, "/v4/info");
}

TEST(LavalinkRest, Stats) {
  RestHarness h([](const ReceivedRequest&) {
    return json_reply(R"({"players":3,"playingPlayers":1,"uptime":1000,"memory":{"free":1,
      "used":2,"allocated":3,"reservable":4},"cpu":{"cores":2,"systemLoad":0.1,
      "lavalinkLoad":0.05}})");
  });
  auto out = h.call<lavalink::Stats>([&](auto handler) { h.rest->stats(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.players, 3);
  EXPECT_FALSE(out.value.frame_stats);
  EXPECT_EQ(h.only_request().target, "/v4/stats");
}

TEST(LavalinkRest, VersionIsPlainTextWithoutTheV4Prefix) {
  RestHarness h([](const ReceivedRequest&) { return text_reply("4.2.2"); });
  auto out = h.call<std::string>([&](auto handler) { h.rest->version(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value, "4.2.2");
  EXPECT_EQ(h.only_request().target, "/version");
}

TEST(LavalinkRest, RoutePlannerStatus) {
  RestHarness h([](const ReceivedRequest&) {
    return json_reply(R"({"class":"BalancingIpRoutePlanner","details":{"ipBlock":{
      "type":"Inet6Address","size":"18446744073709551616"},"failingAddresses":[]}})");
  });
  auto out = h.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto handler) { h.rest->routeplanner_status(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_TRUE(out.value);
  EXPECT_EQ(std::get<lavalink::BalancingIpRoutePlanner>(*out.value).ip_block.size,
            "18446744073709551616");
  EXPECT_EQ(h.only_request().target, "/v4/routeplanner/status");
}

TEST(LavalinkRest, RoutePlannerDisabledIsAnEmptyOptional) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto handler) { h.rest->routeplanner_status(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_FALSE(out.value);
}

TEST(LavalinkRest, FreeAddressPostsTheAddress) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call_void([&](auto handler) { h.rest->free_address("1.0.0.1", handler); });
  EXPECT_FALSE(out.error) << what(out.error);
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v4/routeplanner/free/address");
  EXPECT_EQ(json::parse(req.body), json::parse(R"({"address":"1.0.0.1"})"));
}

TEST(LavalinkRest, FreeAllAddresses) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call_void([&](auto handler) { h.rest->free_all_addresses(handler); });
  EXPECT_FALSE(out.error) << what(out.error);
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v4/routeplanner/free/all");
}

TEST(LavalinkRest, GenericRequestSendsMethodPathAndBody) {
  RestHarness h([](const ReceivedRequest&) { return json_reply(R"({"ok":[1,2]})"); });
  auto out = h.call<json::value>([&](auto handler) {
    h.rest->request(cadence::http::Method::patch, "/v4/lavasrc/config",
                    json::parse(R"({"spotify":{"clientId":"x"}})"), handler);
  });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value, json::parse(R"({"ok":[1,2]})"));
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "PATCH");
  EXPECT_EQ(req.target, "/v4/lavasrc/config");
  EXPECT_EQ(req.header("Authorization"), "youshallnotpass");
  EXPECT_EQ(json::parse(req.body), json::parse(R"({"spotify":{"clientId":"x"}})"));
}

TEST(LavalinkRest, GenericRequestGivesNullFor204AndAStringForText) {
  int n = 0;
  RestHarness h(
      [&n](const ReceivedRequest&) { return n++ == 0 ? empty_reply(204) : text_reply("hello"); });
  auto none = h.call<json::value>([&](auto handler) {
    h.rest->request(cadence::http::Method::del, "/v4/x", std::nullopt, handler);
  });
  ASSERT_FALSE(none.error) << what(none.error);
  EXPECT_TRUE(none.value.is_null());
  auto text = h.call<json::value>([&](auto handler) {
    h.rest->request(cadence::http::Method::get, "/v4/y", std::nullopt, handler);
  });
  ASSERT_FALSE(text.error) << what(text.error);
  EXPECT_EQ(text.value, "hello");
}

TEST(LavalinkRest, GenericRequestRefusesABadPath) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  for (const char* path : {"v4/info", "", "/v4/a b", "/v4/x\r\nX-Evil: 1"}) {
    auto out = h.call<json::value>([&](auto handler) {
      h.rest->request(cadence::http::Method::get, path, std::nullopt, handler);
    });
    expect_error<std::invalid_argument>(out.error, "path");
  }
  EXPECT_TRUE(h.requests().empty());
}

TEST(LavalinkRest, TraceOptionAsksForStackTraces) {
  RestHarness h([](const ReceivedRequest&) { return json_reply("[]"); },
                lavalink::RestOptions{.trace = true});
  (void)h.call<std::vector<lavalink::Player>>(
      [&](auto handler) { h.rest->get_players("s", handler); });
  (void)h.call<lavalink::LoadResult>([&](auto handler) { h.rest->load_tracks("x", handler); });
  const auto reqs = h.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/v4/sessions/s/players?trace=true");
  EXPECT_EQ(reqs[1].target, "/v4/loadtracks?identifier=x&trace=true");
}

TEST(LavalinkRest, UserAgentOption) {
  RestHarness h([](const ReceivedRequest&) { return text_reply("4.2.2"); },
                lavalink::RestOptions{.user_agent = "MyBot/1.0"});
  (void)h.call<std::string>([&](auto handler) { h.rest->version(handler); });
  EXPECT_EQ(h.only_request().header("User-Agent"), "MyBot/1.0");
}

TEST(LavalinkRest, BaseUrlMayHaveAPathPrefixAndTrailingSlash) {
  std::optional<RestHarness> h;
  h.emplace([](const ReceivedRequest&) { return text_reply("4.2.2"); });
  lavalink::RestOptions options;
  options.base_url = h->server().url("/lavalink/");
  options.password = "pw";
  lavalink::Rest rest(h->io.get_executor(), options);
  EXPECT_EQ(rest.options().base_url, h->server().url("/lavalink"));
  auto out = h->call<std::string>([&](auto handler) { rest.version(handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(h->only_request().target, "/lavalink/version");
}

TEST(LavalinkRest, ConstructorRefusesABadBaseUrlOrPassword) {
  boost::asio::io_context io;
  for (const char* url : {"127.0.0.1:2333", "ftp://x", "http://", "http:///x",
                          "http://127.0.0.1:99999", "http://127.0.0.1:0"}) {
    EXPECT_THROW(lavalink::Rest(io.get_executor(), lavalink::RestOptions{.base_url = url}),
                 std::invalid_argument)
        << url;
  }
  try {
    lavalink::Rest rest(io.get_executor(), lavalink::RestOptions{.password = "secret\r\nX: y"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos);
  }
}

TEST(LavalinkRest, ConstructorRefusesUserInfoWithoutQuotingIt) {
  boost::asio::io_context io;
  try {
    lavalink::Rest rest(io.get_executor(),
                        lavalink::RestOptions{.base_url = "http://admin:hunter2@127.0.0.1:2333"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("base_url"), std::string::npos) << e.what();
  }
}

TEST(LavalinkRestPath, EncodesEverythingButUnreserved) {
  EXPECT_EQ(lavalink::encode_path_segment("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(lavalink::encode_path_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
  EXPECT_EQ(lavalink::encode_query_value("ytsearch:é&x=1+2"), "ytsearch%3A%C3%A9%26x%3D1%2B2");
}

}  // namespace

namespace {

TEST(LavalinkRest, RequestRawKeepsTheBodyAsSent) {
  RestHarness h([](const cadence::test::ReceivedRequest&) {
    return cadence::test::Reply::json(R"({"volume":0.5,  "x":[1]})");
  });
  auto out = h.call<cadence::http::Response>([&](auto handler) {
    h.rest->request_raw(cadence::http::Method::post, "/v4/x?a=b", std::string(R"({"k":1})"),
                        handler);
  });
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.value.status, 200u);
  EXPECT_EQ(out.value.body, R"({"volume":0.5,  "x":[1]})");
  const auto req = h.only_request();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v4/x?a=b");
  EXPECT_EQ(req.body, R"({"k":1})");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
}

TEST(LavalinkRest, RequestRawStillMapsErrors) {
  RestHarness h(
      [](const cadence::test::ReceivedRequest&) { return cadence::test::empty_reply(401); });
  auto out = h.call<cadence::http::Response>([&](auto handler) {
    h.rest->request_raw(cadence::http::Method::get, "/v4/info", std::nullopt, handler);
  });
  cadence::test::expect_error<cadence::lavalink::RestStatusError>(out.error, "401");
}

}  // namespace

namespace {

TEST(LavalinkRest, WorksWithUseAwaitableAndRethrowsTypedErrors) {
  int n = 0;
  RestHarness h([&n](const cadence::test::ReceivedRequest&) {
    return n++ == 0 ? cadence::test::text_reply("4.2.2") : cadence::test::empty_reply(403);
  });
  std::string version;
  bool threw_status_error = false;
  bool done = false;
  boost::asio::co_spawn(
      h.io,
      [&]() -> boost::asio::awaitable<void> {
        version = co_await h.rest->version(boost::asio::use_awaitable);
        try {
          (void)co_await h.rest->info(boost::asio::use_awaitable);
        } catch (const cadence::lavalink::RestStatusError& e) {
          threw_status_error = e.status() == 403;
        }
        done = true;
      },
      boost::asio::detached);
  ASSERT_TRUE(cadence::test::run_until(h.io, [&] { return done; }));
  EXPECT_EQ(version, "4.2.2");
  EXPECT_TRUE(threw_status_error);
}

TEST(LavalinkRest, WorksWithUseFuture) {
  RestHarness h([](const cadence::test::ReceivedRequest&) {
    return cadence::test::Reply::json(R"({"resuming":false,"timeout":60})");
  });
  auto future = h.rest->update_session("s", {.resuming = false}, boost::asio::use_future);
  std::thread runner([&] {
    cadence::test::run_until(h.io, [&] {
      return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  });
  runner.join();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(future.get().timeout, std::chrono::seconds(60));
}

}  // namespace
