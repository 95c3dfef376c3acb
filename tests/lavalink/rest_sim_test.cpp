// lavalink::Rest against the Lavalink simulator over loopback: every route's success, and each
// error class as the simulator produces it (auth, error JSON, faults on the wire).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest.hpp"
#include "cadence/sim/lavalink_server.hpp"
#include "lavalink/rest_harness.hpp"
#include "support/expect_error.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace lavalink = cadence::lavalink;
namespace sim = cadence::sim;
using cadence::Snowflake;
using cadence::test::expect_error;
using cadence::test::Outcome;
using cadence::test::what;

const Snowflake guild{817327181659111454ULL};

// The simulator on its own thread, and a Rest on the test thread's io_context.
class SimRest {
 public:
  explicit SimRest(lavalink::RestOptions options = {}, sim::LavalinkServerOptions sim_options = {})
      : server_(sim_io_, std::move(sim_options)), thread_([this] { sim_io_.run(); }) {
    options.base_url = server_.base_url();
    if (options.password.empty()) options.password = server_.password();
    rest.emplace(io.get_executor(), std::move(options));
  }
  ~SimRest() {
    rest.reset();
    server_.stop();
    thread_.join();
  }

  template <class T, class Start>
  Outcome<T> call(Start start) {
    return cadence::test::call_once<T>(io, std::move(start));
  }
  template <class Start>
  Outcome<std::monostate> call_void(Start start) {
    return cadence::test::call_void_once(io, std::move(start));
  }

  sim::LavalinkServer* operator->() { return &server_; }

  std::string track(const char* name = "never-gonna-give-you-up") {
    auto encoded = server_.catalogue_track(name);
    EXPECT_TRUE(encoded) << name;
    return encoded.value_or("");
  }

  /// A player in a fresh session, playing `track()`.
  std::string playing_session() {
    const std::string session = server_.create_session();
    lavalink::PlayerUpdate update;
    update.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = track()};
    auto out = call<lavalink::Player>(
        [&](auto h) { rest->update_player(session, guild, std::move(update), h); });
    EXPECT_FALSE(out.error) << what(out.error);
    return session;
  }

  asio::io_context io;
  std::optional<lavalink::Rest> rest;

 private:
  asio::io_context sim_io_;
  sim::LavalinkServer server_;
  std::thread thread_;
};

// --- Node routes -------------------------------------------------------------------------

TEST(LavalinkRestSim, Version) {
  SimRest s;
  auto out = s.call<std::string>([&](auto h) { s.rest->version(h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_FALSE(out.value.empty());
  EXPECT_EQ(out.value.front(), '4');
}

TEST(LavalinkRestSim, Info) {
  SimRest s;
  auto out = s.call<lavalink::Info>([&](auto h) { s.rest->info(h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.version.major, 4);
  EXPECT_FALSE(out.value.plugins.empty());
}

TEST(LavalinkRestSim, Stats) {
  SimRest s;
  auto out = s.call<lavalink::Stats>([&](auto h) { s.rest->stats(h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_GE(out.value.cpu.cores, 1);
  EXPECT_FALSE(out.value.frame_stats);
}

// --- A NodeLink-flavoured node (issue 9: the typed calls must read its answers) -----------

TEST(LavalinkRestSimNodeLink, InfoWithStringVersionNumbers) {
  SimRest s({}, {.flavor = sim::LavalinkFlavor::nodelink});
  auto out = s.call<lavalink::Info>([&](auto h) { s.rest->info(h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.version.major, 2);
  EXPECT_EQ(out.value.version.minor, 3);
}

TEST(LavalinkRestSimNodeLink, PlayersWithoutVoiceAndAfterAUserDataPatch) {
  SimRest s({}, {.flavor = sim::LavalinkFlavor::nodelink});
  const std::string session = s->create_session();
  lavalink::PlayerUpdate play;
  play.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = s.track()};
  auto created =
      s.call<lavalink::Player>([&](auto h) { s.rest->update_player(session, guild, play, h); });
  ASSERT_FALSE(created.error) << what(created.error);
  EXPECT_FALSE(created.value.voice.connected());
  EXPECT_TRUE(created.value.track);

  lavalink::PlayerUpdate tag;
  tag.track = lavalink::PlayerUpdate::TrackUpdate{.user_data = json::parse(R"({"by":"1"})")};
  auto tagged =
      s.call<lavalink::Player>([&](auto h) { s.rest->update_player(session, guild, tag, h); });
  ASSERT_FALSE(tagged.error) << what(tagged.error);
  EXPECT_FALSE(tagged.value.track) << "NodeLink answers track: {}";

  auto one = s.call<lavalink::Player>([&](auto h) { s.rest->get_player(session, guild, h); });
  ASSERT_FALSE(one.error) << what(one.error);
  ASSERT_TRUE(one.value.track);
  EXPECT_EQ(one.value.track->user_data.at("by"), "1");
  auto all =
      s.call<std::vector<lavalink::Player>>([&](auto h) { s.rest->get_players(session, h); });
  ASSERT_FALSE(all.error) << what(all.error);
  EXPECT_EQ(all.value.size(), 1u);
}

TEST(LavalinkRestSimNodeLink, MissingRoutesAreNotSupportedErrors) {
  SimRest s({}, {.flavor = sim::LavalinkFlavor::nodelink});
  const std::string session = s->create_session();
  auto resuming = s.call<lavalink::SessionState>([&](auto h) {
    s.rest->update_session(session, lavalink::SessionUpdate{.resuming = true}, h);
  });
  const auto* e =
      expect_error<lavalink::NotSupportedError>(resuming.error, "not supported by this node");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->feature(), "PATCH /v4/sessions/{sessionId}");
  auto planner = s.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto h) { s.rest->routeplanner_status(h); });
  expect_error<lavalink::NotSupportedError>(planner.error, "GET /v4/routeplanner/status");
  auto free_all = s.call_void([&](auto h) { s.rest->free_all_addresses(h); });
  expect_error<lavalink::NotSupportedError>(free_all.error, "not supported by this node");
}

TEST(LavalinkRestSim, SessionPatchOnAnUnknownSessionIsStillARequestError) {
  SimRest s;
  auto out = s.call<lavalink::SessionState>([&](auto h) {
    s.rest->update_session("nosuchsession", lavalink::SessionUpdate{.resuming = true}, h);
  });
  const auto* e = expect_error<lavalink::RestRequestError>(out.error, "Session not found");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 404);
}

// --- Tracks ---------------------------------------------------------------------------

TEST(LavalinkRestSim, LoadTracksEveryLoadType) {
  SimRest s;
  auto track = s.call<lavalink::LoadResult>([&](auto h) { s.rest->load_tracks("sim:track:0", h); });
  ASSERT_FALSE(track.error) << what(track.error);
  EXPECT_TRUE(std::holds_alternative<lavalink::Track>(track.value));

  auto playlist = s.call<lavalink::LoadResult>(
      [&](auto h) { s.rest->load_tracks("sim:playlist:selected", h); });
  ASSERT_FALSE(playlist.error) << what(playlist.error);
  const auto& p = std::get<lavalink::Playlist>(playlist.value);
  EXPECT_EQ(p.info.selected_track, 1);
  EXPECT_FALSE(p.tracks.empty());

  auto search =
      s.call<lavalink::LoadResult>([&](auto h) { s.rest->load_tracks("ytsearch:never gonna", h); });
  ASSERT_FALSE(search.error) << what(search.error);
  EXPECT_TRUE(std::holds_alternative<lavalink::SearchResult>(search.value));

  auto empty = s.call<lavalink::LoadResult>([&](auto h) { s.rest->load_tracks("sim:empty", h); });
  ASSERT_FALSE(empty.error) << what(empty.error);
  EXPECT_TRUE(std::holds_alternative<lavalink::EmptyResult>(empty.value));

  auto error =
      s.call<lavalink::LoadResult>([&](auto h) { s.rest->load_tracks("sim:error:suspicious", h); });
  ASSERT_FALSE(error.error) << what(error.error);
  EXPECT_EQ(std::get<lavalink::Exception>(error.value).severity, lavalink::Severity::suspicious);
}

TEST(LavalinkRestSim, LoadTracksUnknownItemTypeIsRestRequestError) {
  SimRest s;
  auto out =
      s.call<lavalink::LoadResult>([&](auto h) { s.rest->load_tracks("sim:unknown-type", h); });
  const auto* e = expect_error<lavalink::RestRequestError>(out.error, "unknown audio item type");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 500);
  EXPECT_FALSE(e->trace());
}

TEST(LavalinkRestSim, DecodeTrackAndTracks) {
  SimRest s;
  const std::string a = s.track();
  const std::string b = s.track("short");
  auto one = s.call<lavalink::Track>([&](auto h) { s.rest->decode_track(a, h); });
  ASSERT_FALSE(one.error) << what(one.error);
  EXPECT_EQ(one.value.encoded, a);
  auto many = s.call<std::vector<lavalink::Track>>([&](auto h) {
    s.rest->decode_tracks({a, b}, h);
  });
  ASSERT_FALSE(many.error) << what(many.error);
  ASSERT_EQ(many.value.size(), 2u);
  EXPECT_EQ(many.value[1].encoded, b);
}

TEST(LavalinkRestSim, DecodeGarbageIsRestRequestError) {
  SimRest s;
  auto out = s.call<lavalink::Track>([&](auto h) { s.rest->decode_track("bm90IGEgdHJhY2s=", h); });
  expect_error<lavalink::RestRequestError>(out.error);
}

// --- Players and sessions -----------------------------------------------------------------

TEST(LavalinkRestSim, PlayerLifecycle) {
  SimRest s;
  const std::string session = s->create_session();
  auto none =
      s.call<std::vector<lavalink::Player>>([&](auto h) { s.rest->get_players(session, h); });
  ASSERT_FALSE(none.error) << what(none.error);
  EXPECT_TRUE(none.value.empty());

  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{
      .encoded = s.track(), .user_data = json::parse(R"({"requester":"42"})")};
  update.volume = 80;
  auto created =
      s.call<lavalink::Player>([&](auto h) { s.rest->update_player(session, guild, update, h); });
  ASSERT_FALSE(created.error) << what(created.error);
  EXPECT_EQ(created.value.guild_id, guild);
  ASSERT_TRUE(created.value.track);
  EXPECT_EQ(created.value.track->user_data.at("requester"), "42");
  EXPECT_EQ(created.value.volume, 80);

  auto one = s.call<lavalink::Player>([&](auto h) { s.rest->get_player(session, guild, h); });
  ASSERT_FALSE(one.error) << what(one.error);
  EXPECT_EQ(one.value.volume, 80);
  auto all =
      s.call<std::vector<lavalink::Player>>([&](auto h) { s.rest->get_players(session, h); });
  ASSERT_FALSE(all.error) << what(all.error);
  EXPECT_EQ(all.value.size(), 1u);

  auto destroyed = s.call_void([&](auto h) { s.rest->destroy_player(session, guild, h); });
  EXPECT_FALSE(destroyed.error) << what(destroyed.error);
  auto gone = s.call<lavalink::Player>([&](auto h) { s.rest->get_player(session, guild, h); });
  const auto* e = expect_error<lavalink::RestRequestError>(gone.error, "Player not found");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 404);
}

TEST(LavalinkRestSim, NoReplaceKeepsThePlayingTrack) {
  SimRest s;
  const std::string session = s.playing_session();
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = s.track("talk-a-lot")};
  auto out = s.call<lavalink::Player>(
      [&](auto h) { s.rest->update_player(session, guild, update, true, h); });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_TRUE(out.value.track);
  // The encoded form carries the position, which moves; the identifier says which track.
  EXPECT_EQ(out.value.track->info.identifier, s.call<lavalink::Track>([&](auto h) {
                                                 s.rest->decode_track(s.track(), h);
                                               }).value.info.identifier);
}

TEST(LavalinkRestSim, StopWithNullEncoded) {
  SimRest s;
  const std::string session = s.playing_session();
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = nullptr};
  auto out =
      s.call<lavalink::Player>([&](auto h) { s.rest->update_player(session, guild, update, h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_FALSE(out.value.track);
}

TEST(LavalinkRestSim, InvalidUpdateSendsNothing) {
  SimRest s;
  const std::string session = s->create_session();
  const auto before = s->stats().requests;
  auto out = s.call<lavalink::Player>(
      [&](auto h) { s.rest->update_player(session, guild, lavalink::PlayerUpdate{}, h); });
  expect_error<std::invalid_argument>(out.error);
  EXPECT_EQ(s->stats().requests, before);
}

TEST(LavalinkRestSim, UnknownSessionIsRestRequestError) {
  SimRest s;
  auto out = s.call<std::vector<lavalink::Player>>(
      [&](auto h) { s.rest->get_players("nosuchsession", h); });
  const auto* e = expect_error<lavalink::RestRequestError>(out.error, "Session not found");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 404);
}

TEST(LavalinkRestSim, UpdateSession) {
  SimRest s;
  const std::string session = s->create_session();
  auto out = s.call<lavalink::SessionState>([&](auto h) {
    s.rest->update_session(session, {.resuming = true, .timeout = std::chrono::seconds(90)}, h);
  });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_TRUE(out.value.resuming);
  EXPECT_EQ(out.value.timeout, std::chrono::seconds(90));
}

// --- Route planner --------------------------------------------------------------------------

TEST(LavalinkRestSim, RoutePlannerDisabled) {
  SimRest s;
  auto status = s.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto h) { s.rest->routeplanner_status(h); });
  ASSERT_FALSE(status.error) << what(status.error);
  EXPECT_FALSE(status.value);
  auto free_all = s.call_void([&](auto h) { s.rest->free_all_addresses(h); });
  const auto* e =
      expect_error<lavalink::RestRequestError>(free_all.error, "disabled route planner");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 500);
}

TEST(LavalinkRestSim, RoutePlannerEnabledFreesAddresses) {
  SimRest s;
  s->set_route_planner(sim::RoutePlannerClass::rotating);
  s->fail_address("1.0.0.1");
  s->fail_address("1.0.0.2");
  auto status = s.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto h) { s.rest->routeplanner_status(h); });
  ASSERT_FALSE(status.error) << what(status.error);
  ASSERT_TRUE(status.value);
  EXPECT_EQ(std::get<lavalink::RotatingIpRoutePlanner>(*status.value).failing_addresses.size(), 2u);
  auto one = s.call_void([&](auto h) { s.rest->free_address("1.0.0.1", h); });
  EXPECT_FALSE(one.error) << what(one.error);
  auto all = s.call_void([&](auto h) { s.rest->free_all_addresses(h); });
  EXPECT_FALSE(all.error) << what(all.error);
  auto after = s.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto h) { s.rest->routeplanner_status(h); });
  ASSERT_TRUE(after.value);
  EXPECT_TRUE(std::get<lavalink::RotatingIpRoutePlanner>(*after.value).failing_addresses.empty());
}

// --- Plugins -----------------------------------------------------------------------------

TEST(LavalinkRestSim, LavaSearch) {
  SimRest s;
  auto hit = s.call<std::optional<lavalink::LavaSearchResult>>([&](auto h) {
    s.rest->load_search({.query = "never gonna", .types = {"track", "album", "text"}}, h);
  });
  ASSERT_FALSE(hit.error) << what(hit.error);
  ASSERT_TRUE(hit.value);
  EXPECT_FALSE(hit.value->tracks.empty());
  auto miss = s.call<std::optional<lavalink::LavaSearchResult>>(
      [&](auto h) { s.rest->load_search({.query = "zzqqxxnothingmatches"}, h); });
  ASSERT_FALSE(miss.error) << what(miss.error);
  EXPECT_FALSE(miss.value);
}

TEST(LavalinkRestSim, LavaLyrics) {
  SimRest s;
  auto of_track =
      s.call<std::optional<lavalink::Lyrics>>([&](auto h) { s.rest->lyrics(s.track(), h); });
  ASSERT_FALSE(of_track.error) << what(of_track.error);
  ASSERT_TRUE(of_track.value);
  const std::string session = s.playing_session();
  auto of_player = s.call<std::optional<lavalink::Lyrics>>(
      [&](auto h) { s.rest->player_lyrics(session, guild, h); });
  ASSERT_FALSE(of_player.error) << what(of_player.error);
  EXPECT_EQ(of_player.value, of_track.value);
  auto subscribe = s.call_void([&](auto h) { s.rest->subscribe_lyrics(session, guild, true, h); });
  EXPECT_FALSE(subscribe.error) << what(subscribe.error);
  auto unsubscribe =
      s.call_void([&](auto h) { s.rest->subscribe_lyrics(session, guild, false, h); });
  EXPECT_FALSE(unsubscribe.error) << what(unsubscribe.error);
}

TEST(LavalinkRestSim, SponsorBlock) {
  SimRest s;
  const std::string session = s.playing_session();
  auto put = s.call_void([&](auto h) {
    s.rest->set_sponsorblock_categories(session, guild, {"sponsor", "intro"}, h);
  });
  ASSERT_FALSE(put.error) << what(put.error);
  auto got = s.call<std::vector<std::string>>(
      [&](auto h) { s.rest->sponsorblock_categories(session, guild, h); });
  ASSERT_FALSE(got.error) << what(got.error);
  EXPECT_EQ(got.value, (std::vector<std::string>{"sponsor", "intro"}));
  auto cleared =
      s.call_void([&](auto h) { s.rest->clear_sponsorblock_categories(session, guild, h); });
  ASSERT_FALSE(cleared.error) << what(cleared.error);
  auto none = s.call<std::vector<std::string>>(
      [&](auto h) { s.rest->sponsorblock_categories(session, guild, h); });
  EXPECT_TRUE(none.value.empty());
}

TEST(LavalinkRestSim, GenericRequest) {
  SimRest s;
  auto out = s.call<json::value>(
      [&](auto h) { s.rest->request(cadence::http::Method::get, "/v4/info", std::nullopt, h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.at("version").at("major"), 4);
}

// --- Error classes ------------------------------------------------------------------------

TEST(LavalinkRestSim, WrongPasswordIs403) {
  SimRest s({.password = "wrong"});
  auto out = s.call<lavalink::Info>([&](auto h) { s.rest->info(h); });
  const auto* e = expect_error<lavalink::RestStatusError>(out.error, "403");
  ASSERT_TRUE(e);
  EXPECT_EQ(what(out.error).find("wrong"), std::string::npos);
}

TEST(LavalinkRestSim, TraceOptionBringsTheTrace) {
  SimRest s({.trace = true});
  auto out = s.call<std::vector<lavalink::Player>>(
      [&](auto h) { s.rest->get_players("nosuchsession", h); });
  const auto* e = expect_error<lavalink::RestRequestError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->trace());
}

TEST(LavalinkRestSim, FaultsMapToTheirErrorClasses) {
  using Kind = sim::LavalinkFault::Kind;
  SimRest s({.timeout = std::chrono::milliseconds(300)});
  struct Case {
    Kind kind;
    const char* name;
    std::function<void(const std::exception_ptr&)> check;
  };
  const std::vector<Case> cases = {
      {Kind::status, "status", [](auto& e) { expect_error<lavalink::RestStatusError>(e, "500"); }},
      {Kind::error, "error", [](auto& e) { expect_error<lavalink::RestRequestError>(e); }},
      {Kind::close, "close", [](auto& e) { expect_error<cadence::NetworkError>(e); }},
      {Kind::reset, "reset", [](auto& e) { expect_error<cadence::NetworkError>(e); }},
      {Kind::truncate, "truncate", [](auto& e) { expect_error<cadence::NetworkError>(e); }},
      {Kind::malformed, "malformed",
       [](auto& e) { expect_error<lavalink::BuildError>(e, "not JSON"); }},
      {Kind::wrong_shape, "wrong_shape", [](auto& e) { expect_error<lavalink::BuildError>(e); }},
      {Kind::empty, "empty", [](auto& e) { expect_error<lavalink::RestEmptyError>(e); }},
      {Kind::delay, "delay", [](auto& e) { expect_error<cadence::TimeoutError>(e); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // Only the delay fault waits; the sim would hold the others back by `delay` too.
    const auto delay =
        c.kind == Kind::delay ? std::chrono::milliseconds(2000) : std::chrono::milliseconds(0);
    // A GET that dies on a reused connection before any answer is sent once more on a new
    // one (the HTTP layer's rule), so a dropped connection must happen twice to surface.
    const bool dropped = c.kind == Kind::close || c.kind == Kind::reset;
    s->inject_fault({.kind = c.kind, .status = 500, .delay = delay, .count = dropped ? 2u : 1u});
    auto out = s.call<lavalink::Info>([&](auto h) { s.rest->info(h); });
    c.check(out.error);
    s->clear_faults();
  }
  // The node still answers afterwards.
  auto ok = s.call<lavalink::Info>([&](auto h) { s.rest->info(h); });
  EXPECT_FALSE(ok.error) << what(ok.error);
}

TEST(LavalinkRestSim, EmptyOnAVoidRouteIsStillSuccess) {
  SimRest s;
  const std::string session = s.playing_session();
  s->inject_fault({.kind = sim::LavalinkFault::Kind::empty, .path = "/players/"});
  auto out = s.call_void([&](auto h) { s.rest->destroy_player(session, guild, h); });
  EXPECT_FALSE(out.error) << what(out.error);
}

}  // namespace
