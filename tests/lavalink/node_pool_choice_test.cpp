// How NodePool chooses, beyond the penalty formula (node_pool_test.cpp): capability gating from
// /v4/info, region preference, the penalty hook, the failure window, snapshot autosave, and an
// update for a player whose node just went down. Against both simulator flavors.
#include "cadence/lavalink/node_pool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/snapshot.hpp"
#include "lavalink/pool_harness.hpp"

namespace {

namespace lavalink = cadence::lavalink;
using namespace std::chrono_literals;
using cadence::Snowflake;
using cadence::test::expect_error;
using cadence::test::Pool;
using cadence::test::server_players;
using cadence::test::SimInstance;
using cadence::test::what;

constexpr const char* load_route = "GET /v4/loadtracks";
constexpr const char* patch_route = "PATCH /v4/sessions/{sessionId}/players/{guildId}";

class PoolChoice : public cadence::test::PoolSim {
 protected:
  // Both nodes connected and their /v4/info known.
  static void start_with_info(Pool& p, std::size_t nodes) {
    p.start_and_wait(nodes);
    ASSERT_TRUE(p.until([&] {
      for (auto* n : p.pool.nodes())
        if (!n->info()) return false;
      return true;
    }));
  }
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> plays(SimInstance& sim, int from,
                                                                  int count) {
    std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> out;
    const auto track = *sim->catalogue_track(cadence::test::long_track);
    for (int i = 0; i < count; ++i)
      out.emplace_back(Snowflake(static_cast<std::uint64_t>(from + i)), Pool::play(track));
    return out;
  }
};

TEST_P(PoolChoice, LoadGoesToANodeWithTheSourceItNeeds) {
  SimInstance a(sim_options());  // youtube, soundcloud, http, local
  auto with_spotify = sim_options();
  with_spotify.source_managers = {"youtube", "spotify"};
  SimInstance b(with_spotify);
  Pool p({&a, &b});
  start_with_info(p, 2);
  b->set_reported_load(0.9, 0.9);  // b is the worse node by penalty
  ASSERT_TRUE(p.until([&] {
    const auto& s = p.pool.node("b")->stats();
    return s && s->cpu.system_load == 0.9;
  }));
  ASSERT_EQ(p.pool.best_node()->name(), "a");

  auto found = cadence::test::call_once<lavalink::LoadResult>(
      p.io, [&](auto h) { p.pool.load_tracks("spsearch:never gonna", h); });
  ASSERT_FALSE(found.error) << what(found.error);
  ASSERT_TRUE(std::holds_alternative<lavalink::SearchResult>(found.value));
  EXPECT_FALSE(std::get<lavalink::SearchResult>(found.value).tracks.empty());
  EXPECT_EQ(a->stats().routes[load_route], 0u);
  EXPECT_EQ(b->stats().routes[load_route], 1u);

  // A source that needs nothing special goes to the best node.
  auto plain = cadence::test::call_once<lavalink::LoadResult>(
      p.io, [&](auto h) { p.pool.load_tracks("ytsearch:never gonna", h); });
  ASSERT_FALSE(plain.error) << what(plain.error);
  EXPECT_EQ(a->stats().routes[load_route], 1u);

  // Named node without the source: refused before the request.
  auto named = cadence::test::call_once<lavalink::LoadResult>(
      p.io, [&](auto h) { p.pool.load_tracks("spsearch:never gonna", "a", h); });
  const auto* e = expect_error<lavalink::NotSupportedError>(named.error, "spotify");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->feature(), "source manager spotify");
  EXPECT_EQ(a->stats().routes[load_route], 1u);
}

TEST_P(PoolChoice, NoNodeWithTheSourceIsNotSupportedError) {
  SimInstance a(sim_options());
  Pool p({&a});
  start_with_info(p, 1);
  auto out = cadence::test::call_once<lavalink::LoadResult>(p.io, [&](auto h) {
    p.pool.load_tracks("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", h);
  });
  expect_error<lavalink::NotSupportedError>(out.error,
                                            "no connected Lavalink node has the spotify");
  EXPECT_EQ(a->stats().routes[load_route], 0u);
}

TEST_P(PoolChoice, UnsupportedFilterIsRefusedBeforeTheRequest) {
  auto options = sim_options();
  options.disabled_filters = {"rotation"};
  SimInstance a(options);
  Pool p({&a});
  start_with_info(p, 1);
  ASSERT_EQ(p.update_all(plays(a, 1, 1)), 0u);
  const auto patches = a->stats().routes[patch_route];
  lavalink::Filters spin;
  spin.rotation = lavalink::Rotation{.rotation_hz = 0.2};
  auto out = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.update_filters(Snowflake(1), spin, h); });
  const auto* e = expect_error<lavalink::NotSupportedError>(out.error, "rotation");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->feature(), "filter rotation");
  EXPECT_EQ(a->stats().routes[patch_route], patches);  // nothing sent
  // A filter it has still works.
  lavalink::Filters slow;
  slow.timescale = lavalink::Timescale{.speed = 0.9};
  auto ok = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.update_filters(Snowflake(1), slow, h); });
  EXPECT_FALSE(ok.error) << what(ok.error);
}

TEST_P(PoolChoice, NewPlayerWithAFilterGoesToANodeThatHasIt) {
  auto options = sim_options();
  options.disabled_filters = {"rotation"};
  SimInstance a(options);
  SimInstance b(sim_options());
  Pool p({&a, &b});
  start_with_info(p, 2);
  b->set_reported_load(0.9, 0.9);
  ASSERT_TRUE(p.until([&] {
    const auto& s = p.pool.node("b")->stats();
    return s && s->cpu.system_load == 0.9;
  }));
  auto u = plays(a, 7, 1).front().second;
  u.filters = lavalink::Filters{};
  u.filters->rotation = lavalink::Rotation{.rotation_hz = 0.2};
  auto out = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.update_player(Snowflake(7), u, h); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(p.pool.player(Snowflake(7))->node, "b");
}

TEST_P(PoolChoice, PreferredRegionWinsOverALowerPenalty) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  lavalink::NodePoolOptions options;
  options.preferred_region = "eu";
  Pool p({}, options);
  auto oa = a.node_options("a");
  oa.region = "us";
  auto ob = b.node_options("b");
  ob.region = "eu";
  p.pool.add_node(oa);
  p.pool.add_node(ob);
  p.start_and_wait(2);
  b->set_reported_load(0.9, 0.9);
  ASSERT_TRUE(p.until([&] {
    const auto& s = p.pool.node("b")->stats();
    return s && s->cpu.system_load == 0.9;
  }));
  ASSERT_LT(*p.pool.penalty("a"), *p.pool.penalty("b"));
  ASSERT_EQ(p.update_all(plays(a, 1, 10)), 0u);
  EXPECT_EQ(p.placement()["b"], 10);
  // Without a node in the region, the others are used.
  std::thread killer([&] { b.stop(); });
  ASSERT_TRUE(p.until([&] { return p.pool.penalty("b") == std::nullopt; }));
  killer.join();
  ASSERT_EQ(p.update_all(plays(a, 100, 3)), 0u);
  EXPECT_EQ(p.pool.player(Snowflake(100))->node, "a");
}

TEST_P(PoolChoice, PenaltyHookAdjustsTheChoice) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  lavalink::NodePoolOptions options;
  options.penalty_hook = [](const lavalink::Node& node, double penalty) {
    return node.name() == "a" ? penalty + 1000 : penalty;  // a is expensive
  };
  Pool p({&a, &b}, options);
  p.start_and_wait(2);
  // Both penalties count the reported CPU load only once each node's first stats came (a
  // slow machine once compared a with stats against b without).
  ASSERT_TRUE(p.until([&] { return p.pool.node("a")->stats() && p.pool.node("b")->stats(); }));
  EXPECT_NEAR(*p.pool.penalty("a") - *p.pool.penalty("b"), 1000, 1);
  ASSERT_EQ(p.update_all(plays(a, 1, 20)), 0u);
  EXPECT_EQ(p.placement()["b"], 20);  // 20 players add 20: still far below a's 1000
}

TEST_P(PoolChoice, FailedLoadsCountAgainstANodeForTheWindowOnly) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  lavalink::NodePoolOptions options;
  options.failure_window = 300ms;
  Pool p({&a, &b}, options);
  p.start_and_wait(2);
  // Measured once a's first stats came: their CPU load would otherwise join the penalty later
  // and look like part of the failure's (ASan once saw 1002.76).
  ASSERT_TRUE(p.until([&] { return p.pool.node("a")->stats().has_value(); }));
  const double before = *p.pool.penalty("a");
  auto failed = cadence::test::call_once<lavalink::LoadResult>(
      p.io, [&](auto h) { p.pool.load_tracks("sim:error", "a", h); });
  ASSERT_FALSE(failed.error) << what(failed.error);  // a load error is an answer
  // 1000 * failed / attempted = 1000 while the failure is in the window.
  EXPECT_NEAR(*p.pool.penalty("a") - before, 1000, 1);
  EXPECT_EQ(p.pool.best_node()->name(), "b");
  ASSERT_TRUE(p.until([&] { return *p.pool.penalty("a") - before < 1; }, 2s));
}

TEST_P(PoolChoice, SnapshotIsWrittenAutomaticallyWhenSomethingChanged) {
  SimInstance a(sim_options());
  const auto path = (std::filesystem::temp_directory_path() /
                     ("cadence-autosave-" + std::to_string(::getpid()) + "-" +
                      std::string(to_string(GetParam())) + ".json"))
                        .string();
  std::filesystem::remove(path);
  lavalink::NodePoolOptions options;
  options.snapshot_path = path;
  options.snapshot_interval = 50ms;
  Pool p({&a}, options);
  p.start_and_wait(1);
  ASSERT_EQ(p.update_all(plays(a, 1, 1)), 0u);
  const auto volume_in_file = [&]() -> int {
    if (!std::filesystem::exists(path)) return -1;
    const auto snap = lavalink::Snapshot::load(path);
    return snap.players.size() == 1 ? snap.players.front().player.volume : -1;
  };
  ASSERT_TRUE(p.until([&] { return volume_in_file() == 100; }));
  lavalink::PlayerUpdate louder;
  louder.volume = 150;
  auto out = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.update_player(Snowflake(1), louder, h); });
  ASSERT_FALSE(out.error) << what(out.error);
  ASSERT_TRUE(p.until([&] { return volume_in_file() == 150; }));
  std::filesystem::remove(path);
}

TEST_P(PoolChoice, UpdateForAPlayerWhoseNodeJustWentDownMovesIt) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  Pool p({&a, &b});
  p.start_and_wait(2);
  ASSERT_EQ(p.update_all(plays(a, 1, 1), "a"), 0u);
  // The update is issued the moment a's connection drops, before the pool has decided that a
  // is lost (its immediate reconnect has not failed yet).
  std::optional<cadence::test::Outcome<lavalink::Player>> out;
  p.pool.set_event_handler([&](lavalink::Node& node, const lavalink::NodeEvent& e) {
    const auto* d = std::get_if<lavalink::DisconnectedEvent>(&e);
    if (!d || node.name() != "a" || out) return;
    EXPECT_TRUE(p.pool.node("a")->status() != lavalink::Node::Status::connected);
    out.emplace();
    lavalink::PlayerUpdate louder;
    louder.volume = 170;
    p.pool.update_player(Snowflake(1), louder, [&](std::exception_ptr err, lavalink::Player) {
      ++out->completions;
      out->error = err;
    });
  });
  std::thread killer([&] { a.stop(); });
  const bool done = p.until([&] { return out && out->completions == 1; });
  killer.join();
  ASSERT_TRUE(done);
  ASSERT_FALSE(out->error) << what(out->error);
  EXPECT_EQ(p.pool.player(Snowflake(1))->node, "b");
  const auto on_b = server_players(b);
  ASSERT_EQ(on_b.count(1), 1u);
  EXPECT_EQ(on_b.at(1).at("volume").as_int64(), 170);
}

INSTANTIATE_TEST_SUITE_P(Flavors, PoolChoice,
                         ::testing::Values(cadence::sim::LavalinkFlavor::lavalink,
                                           cadence::sim::LavalinkFlavor::nodelink),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
