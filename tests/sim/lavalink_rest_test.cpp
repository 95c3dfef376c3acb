// The simulated Lavalink's REST routes over real sockets: auth, every route, load types, decode,
// errors with and without trace, the route planner, and the version header.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "cadence/sim/lavalink_server.hpp"
#include "sim/lavalink_test_support.hpp"

namespace cadence::sim {
namespace {

namespace json = boost::json;
using test::LavalinkClient;
using test::RunningLavalink;

json::array vectors() {
  std::ifstream file(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json");
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str()).as_array();
}

void expect_error_json(const test::Reply& r, unsigned status, std::string_view message,
                       std::string_view path) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("lavalink-api-version"), "4");
  const auto body = r.json().as_object();
  EXPECT_EQ(body.at("status").to_number<unsigned>(), status);
  EXPECT_TRUE(body.at("timestamp").is_int64());
  EXPECT_FALSE(body.at("error").as_string().empty());
  EXPECT_EQ(body.at("message").as_string(), message);
  EXPECT_EQ(body.at("path").as_string(), path);
  EXPECT_FALSE(body.contains("trace"));
}

TEST(LavalinkRest, MissingAuthorizationIs401WithAnEmptyBody) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  for (const auto* target : {"/v4/info", "/version", "/v4/nowhere"}) {
    const auto r = client.get(target, false);
    EXPECT_EQ(r.status, 401u) << target;
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.header("lavalink-api-version"), "4");
  }
  EXPECT_EQ(lavalink->stats().unauthorized, 3u);
}

TEST(LavalinkRest, WrongPasswordIs403WithAnEmptyBody) {
  RunningLavalink lavalink;
  test::TestClient client(lavalink->port());
  const auto r = client.request("GET", "/v4/info", {{"Authorization", "guess"}});
  EXPECT_EQ(r.status, 403u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("lavalink-api-version"), "4");
  EXPECT_EQ(lavalink->stats().forbidden, 1u);
}

TEST(LavalinkRest, PasswordComesFromTheOptions) {
  RunningLavalink lavalink({.password = "other"});
  test::TestClient client(lavalink->port());
  EXPECT_EQ(client.request("GET", "/v4/info", {{"Authorization", "other"}}).status, 200u);
  EXPECT_EQ(client.request("GET", "/v4/info", {test::lavalink_auth}).status, 403u);
}

TEST(LavalinkRest, VersionIsPlainText) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto r = client.get("/version");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "4.2.2");
  EXPECT_NE(r.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_EQ(r.header("lavalink-api-version"), "4");
}

TEST(LavalinkRest, InfoListsVersionSourcesFiltersAndPlugins) {
  RunningLavalink lavalink({.disabled_filters = {"karaoke"}});
  LavalinkClient client(lavalink->port());
  const auto info = client.get("/v4/info").json().as_object();
  EXPECT_EQ(info.at("version").at("major").to_number<int>(), 4);
  EXPECT_TRUE(info.at("version").at("preRelease").is_null());
  EXPECT_TRUE(info.at("git").at("commit").is_string());
  EXPECT_TRUE(info.at("buildTime").is_int64());
  EXPECT_FALSE(info.at("sourceManagers").as_array().empty());
  const auto& filters = info.at("filters").as_array();
  EXPECT_EQ(filters.size(), 9u);
  EXPECT_EQ(std::find(filters.begin(), filters.end(), json::value("karaoke")), filters.end());
  EXPECT_EQ(info.at("plugins").as_array().size(), 3u);
}

TEST(LavalinkRest, StatsHaveNoFrameStats) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto stats = client.get("/v4/stats").json().as_object();
  EXPECT_EQ(stats.at("players").to_number<int>(), 0);
  EXPECT_EQ(stats.at("playingPlayers").to_number<int>(), 0);
  EXPECT_GE(stats.at("uptime").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(stats.at("memory").at("reservable").is_number());
  EXPECT_GE(stats.at("cpu").at("cores").to_number<int>(), 1);
  EXPECT_FALSE(stats.contains("frameStats"));
}

TEST(LavalinkRest, UnknownRouteIs404ErrorJsonAndWrongMethodIs405) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto r = client.get("/v4/nothing");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.json().at("path").as_string(), "/v4/nothing");
  EXPECT_EQ(r.json().at("error").as_string(), "Not Found");
  expect_error_json(client.send("POST", "/v4/info"), 405, "Request method 'POST' is not supported",
                    "/v4/info");
}

TEST(LavalinkRest, TraceOnlyWhenAsked) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  expect_error_json(client.get("/v4/sessions/nope/players"), 404, "Session not found",
                    "/v4/sessions/nope/players");
  const auto traced = client.get("/v4/sessions/nope/players?trace=true").json().as_object();
  ASSERT_TRUE(traced.contains("trace"));
  EXPECT_NE(traced.at("trace").as_string().find("Session not found"), json::string::npos);
  EXPECT_EQ(traced.at("path").as_string(), "/v4/sessions/nope/players");
}

TEST(LavalinkRest, LoadsATrackWithItsRealEncoding) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto r = client.get("/v4/loadtracks?identifier=sim:track:never-gonna-give-you-up");
  ASSERT_EQ(r.status, 200u);
  const auto body = r.json().as_object();
  EXPECT_EQ(body.at("loadType").as_string(), "track");
  const auto& track = body.at("data").as_object();
  const auto expected = vectors()[4].as_object();
  EXPECT_EQ(track.at("encoded"), expected.at("encoded"));
  for (const auto& [key, value] : expected.at("info").as_object())
    EXPECT_EQ(track.at("info").at(key), value) << key;
  EXPECT_EQ(track.at("info").at("isSeekable"), true);
  EXPECT_TRUE(track.at("pluginInfo").as_object().empty());
  EXPECT_TRUE(track.at("userData").as_object().empty());
  // By index and by URL too.
  EXPECT_EQ(client.get("/v4/loadtracks?identifier=sim:track:4").json().at("data").at("encoded"),
            expected.at("encoded"));
  EXPECT_EQ(client
                .get("/v4/loadtracks?identifier=" +
                     std::string(expected.at("info").at("uri").as_string()))
                .json()
                .at("loadType"),
            "track");
}

TEST(LavalinkRest, LoadsPlaylists) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto all = client.get("/v4/loadtracks?identifier=sim:playlist:all").json();
  EXPECT_EQ(all.at("loadType").as_string(), "playlist");
  EXPECT_EQ(all.at("data").at("info").at("selectedTrack").to_number<int>(), -1);
  EXPECT_TRUE(all.at("data").at("pluginInfo").as_object().empty());
  EXPECT_EQ(all.at("data").at("tracks").as_array().size(), vectors().size());
  const auto selected = client.get("/v4/loadtracks?identifier=sim:playlist:selected").json();
  EXPECT_EQ(selected.at("data").at("info").at("selectedTrack").to_number<int>(), 1);
  const auto big = client.get("/v4/loadtracks?identifier=sim:playlist:big:1000").json();
  EXPECT_EQ(big.at("data").at("tracks").as_array().size(), 1000u);
}

TEST(LavalinkRest, LoadsSearchEmptyAndErrorResultsAsHttp200) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto yt = client.get("/v4/loadtracks?identifier=ytsearch:rick").json();
  EXPECT_EQ(yt.at("loadType").as_string(), "search");
  EXPECT_EQ(yt.at("data").as_array().size(), 2u);
  const auto sc = client.get("/v4/loadtracks?identifier=scsearch:talk").json();
  EXPECT_EQ(sc.at("data").as_array().size(), 1u);
  const auto sim = client.get("/v4/loadtracks?identifier=sim:search:Astley").json();
  EXPECT_EQ(sim.at("loadType").as_string(), "search");
  for (const auto* id : {"sim:empty", "ytsearch:zzzzzz", "sim:whatever", "https://nowhere/x"}) {
    const auto r = client.get(std::string("/v4/loadtracks?identifier=") + id);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.json().at("loadType").as_string(), "empty") << id;
    EXPECT_TRUE(r.json().at("data").as_object().empty());
  }
  for (const auto* severity : {"common", "suspicious", "fault"}) {
    const auto r = client.get(std::string("/v4/loadtracks?identifier=sim:error:") + severity);
    EXPECT_EQ(r.status, 200u);
    const auto body = r.json();
    EXPECT_EQ(body.at("loadType").as_string(), "error");
    EXPECT_EQ(body.at("data").at("severity").as_string(), severity);
    EXPECT_FALSE(body.at("data").at("message").as_string().empty());
    EXPECT_FALSE(body.at("data").at("cause").as_string().empty());
    EXPECT_FALSE(body.at("data").at("causeStackTrace").as_string().empty());
  }
  expect_error_json(client.get("/v4/loadtracks?identifier=sim:unknown-type"), 500,
                    "Identifier returned unknown audio item type", "/v4/loadtracks");
  EXPECT_EQ(client.get("/v4/loadtracks").status, 400u);
}

TEST(LavalinkRest, DecodesEveryVector) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  json::array batch;
  for (const auto& v : vectors()) {
    const auto encoded = std::string(v.at("encoded").as_string());
    batch.push_back(v.at("encoded"));
    // '+' and '/' and '=' must survive the query.
    const auto escaped = test::query_escape(encoded);
    const auto r = client.get("/v4/decodetrack?encodedTrack=" + escaped);
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto track = r.json();
    EXPECT_EQ(track.at("encoded"), v.at("encoded"));
    EXPECT_EQ(track.at("info").at("title"), v.at("info").at("title"));
    EXPECT_EQ(track.at("info").at("length"), v.at("info").at("length"));
    EXPECT_EQ(client.get("/v4/decodetrack?track=" + escaped).status, 200u);
  }
  const auto r = client.send("POST", "/v4/decodetracks", json::serialize(batch));
  ASSERT_EQ(r.status, 200u);
  const auto tracks = r.json().as_array();
  ASSERT_EQ(tracks.size(), batch.size());
  for (std::size_t i = 0; i < tracks.size(); ++i) EXPECT_EQ(tracks[i].at("encoded"), batch[i]);
}

TEST(LavalinkRest, DecodeErrors) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  expect_error_json(client.get("/v4/decodetrack"), 400, "No track to decode provided",
                    "/v4/decodetrack");
  EXPECT_EQ(client.get("/v4/decodetrack?encodedTrack=QUJD").status, 500u);
  expect_error_json(client.send("POST", "/v4/decodetracks", "[]"), 400,
                    "No tracks to decode provided", "/v4/decodetracks");
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", "{").status, 400u);
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", R"(["QUJD"])").status, 500u);
  EXPECT_EQ(client.send("POST", "/v4/decodetracks", "[]", false).status, 415u);
}

TEST(LavalinkRest, RoutePlannerDisabledIs204AndRefusesToFree) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto r = client.get("/v4/routeplanner/status");
  EXPECT_EQ(r.status, 204u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("lavalink-api-version"), "4");
  expect_error_json(client.send("POST", "/v4/routeplanner/free/all"), 500,
                    "Can't access disabled route planner", "/v4/routeplanner/free/all");
  expect_error_json(
      client.send("POST", "/v4/routeplanner/free/address", R"({"address":"1.2.3.4"})"), 500,
      "Can't access disabled route planner", "/v4/routeplanner/free/address");
}

TEST(LavalinkRest, RoutePlannerClassesAndFreeing) {
  RunningLavalink lavalink({.route_planner = RoutePlannerClass::rotating});
  LavalinkClient client(lavalink->port());
  lavalink->fail_address("2001:db8::7");
  lavalink->fail_address("2001:db8::8");
  auto status = client.get("/v4/routeplanner/status").json();
  EXPECT_EQ(status.at("class").as_string(), "RotatingIpRoutePlanner");
  const auto& details = status.at("details").as_object();
  EXPECT_EQ(details.at("ipBlock").at("type").as_string(), "Inet6Address");
  EXPECT_TRUE(details.at("ipBlock").at("size").is_string());
  EXPECT_TRUE(details.at("rotateIndex").is_string());
  EXPECT_TRUE(details.at("ipIndex").is_string());
  EXPECT_TRUE(details.at("currentAddress").is_string());
  ASSERT_EQ(details.at("failingAddresses").as_array().size(), 2u);
  const auto& failing = details.at("failingAddresses").as_array()[0];
  EXPECT_TRUE(failing.at("failingTimestamp").is_int64());
  EXPECT_TRUE(failing.at("failingTime").is_string());

  const auto freed =
      client.send("POST", "/v4/routeplanner/free/address", R"({"address":"2001:db8::7"})");
  EXPECT_EQ(freed.status, 204u);
  EXPECT_TRUE(freed.body.empty());
  status = client.get("/v4/routeplanner/status").json();
  EXPECT_EQ(status.at("details").at("failingAddresses").as_array().size(), 1u);
  expect_error_json(
      client.send("POST", "/v4/routeplanner/free/address", R"({"address":"not an ip"})"), 400,
      "Invalid address: not an ip", "/v4/routeplanner/free/address");
  EXPECT_EQ(client.send("POST", "/v4/routeplanner/free/all").status, 204u);
  status = client.get("/v4/routeplanner/status").json();
  EXPECT_TRUE(status.at("details").at("failingAddresses").as_array().empty());

  const std::pair<RoutePlannerClass, std::vector<std::string>> classes[] = {
      {RoutePlannerClass::nano, {"currentAddressIndex"}},
      {RoutePlannerClass::rotating_nano, {"blockIndex", "currentAddressIndex"}},
      {RoutePlannerClass::balancing, {}}};
  for (const auto& [planner, fields] : classes) {
    lavalink->set_route_planner(planner);
    const auto s = client.get("/v4/routeplanner/status").json();
    EXPECT_EQ(s.at("class").as_string(), to_string(planner));
    EXPECT_EQ(s.at("details").as_object().size(), 2 + fields.size());
    for (const auto& f : fields) EXPECT_TRUE(s.at("details").at(f).is_string()) << f;
  }
}

TEST(LavalinkRest, SessionUpdate) {
  RunningLavalink lavalink;
  LavalinkClient client(lavalink->port());
  const auto sid = lavalink->create_session();
  auto r = client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":true,"timeout":120})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json(), json::parse(R"({"resuming":true,"timeout":120})"));
  r = client.send("PATCH", "/v4/sessions/" + sid, R"({"resuming":false})");
  EXPECT_EQ(r.json(), json::parse(R"({"resuming":false,"timeout":120})"));
  expect_error_json(client.send("PATCH", "/v4/sessions/nope", "{}"), 404, "Session not found",
                    "/v4/sessions/nope");
  EXPECT_EQ(client.send("PATCH", "/v4/sessions/" + sid, R"({"timeout":"x"})").status, 400u);
}

}  // namespace
}  // namespace cadence::sim
