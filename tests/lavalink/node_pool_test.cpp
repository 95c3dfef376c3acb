// lavalink::NodePool against several simulator instances on loopback: no usable node, balancing
// by penalty with local counting, failover of a killed node, resume, re-creation, snapshots,
// merged filters and manual moves. Every wait is bounded; nothing sleeps.
#include "cadence/lavalink/node_pool.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "cadence/lavalink/error.hpp"
#include "lavalink/pool_harness.hpp"
#include "sim/lavalink_test_support.hpp"
#include "support/expect_error.hpp"

namespace {

namespace asio = boost::asio;
namespace lavalink = cadence::lavalink;
using namespace std::chrono_literals;
using cadence::Snowflake;
using cadence::test::expect_error;
using cadence::test::Pool;
using cadence::test::PoolSim;
using cadence::test::run_until;
using cadence::test::server_players;
using cadence::test::SimInstance;
using cadence::test::what;
using Clock = std::chrono::steady_clock;

constexpr auto long_track = cadence::test::long_track;

TEST_P(PoolSim, NoConnectedNodeIsNoSessionsErrorAtOnce) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  sim.stop();
  asio::io_context io;
  lavalink::NodePool pool(io.get_executor());
  pool.add_node(options);
  pool.start();
  const auto before = Clock::now();
  auto loaded = cadence::test::call_once<lavalink::LoadResult>(
      io, [&](auto h) { pool.load_tracks("ytsearch:anything", h); });
  expect_error<lavalink::NoSessionsError>(loaded.error);
  auto played = cadence::test::call_once<lavalink::Player>(
      io, [&](auto h) { pool.update_player(Snowflake(1), Pool::play("x"), h); });
  expect_error<lavalink::NoSessionsError>(played.error);
  EXPECT_LT(Clock::now() - before, 500ms);  // refused, not timed out
  EXPECT_EQ(pool.best_node(), nullptr);
  EXPECT_TRUE(pool.players().empty());
}

TEST_P(PoolSim, EmptyPoolIsNoSessionsError) {
  asio::io_context io;
  lavalink::NodePool pool(io.get_executor());
  pool.start();
  auto loaded = cadence::test::call_once<lavalink::LoadResult>(
      io, [&](auto h) { pool.load_tracks("ytsearch:anything", h); });
  expect_error<lavalink::NoSessionsError>(loaded.error);
}

TEST_P(PoolSim, LoadsOnABestNode) {
  SimInstance a(sim_options());
  Pool p({&a});
  p.start_and_wait(1);
  auto loaded = cadence::test::call_once<lavalink::LoadResult>(
      p.io, [&](auto h) { p.pool.load_tracks(std::string("sim:track:") + long_track, h); });
  ASSERT_FALSE(loaded.error) << what(loaded.error);
  EXPECT_TRUE(std::holds_alternative<lavalink::Track>(loaded.value));
}

TEST_P(PoolSim, BalancingFollowsPenaltiesAndShiftsWithReportedCpu) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  Pool p({&a, &b});
  p.start_and_wait(2);
  // The stats each node sends at connect: until it comes, a node's CPU load counts as none.
  ASSERT_TRUE(p.until([&] { return p.pool.node("a")->stats() && p.pool.node("b")->stats(); }));
  const auto track = *a->catalogue_track(long_track);
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> first;
  for (std::uint64_t g = 1; g <= 100; ++g) first.emplace_back(Snowflake(g), Pool::play(track));
  ASSERT_EQ(p.update_all(first), 0u);
  // Equal load: the local count alternates the nodes. A stats message that lands in the middle
  // keeps the unanswered players counted; one the server counted before its answer came back
  // moves the split by a player or two, not more.
  auto split = p.placement();
  const int first_a = split["a"];
  const int first_b = split["b"];
  EXPECT_EQ(first_a + first_b, 100);
  EXPECT_NEAR(first_a, 50, 2);
  EXPECT_EQ(a->stats().players, static_cast<std::uint64_t>(first_a));
  EXPECT_EQ(b->stats().players, static_cast<std::uint64_t>(first_b));

  // Node a reports a busy CPU: 1.05^50 * 10 - 10 = 104.7 more penalty than b's idle CPU.
  a->set_reported_load(0.5, 0.4);
  ASSERT_TRUE(p.until([&] {
    const auto& s = p.pool.node("a")->stats();
    return s && s->cpu.system_load == 0.5;
  }));
  const double pa = *p.pool.penalty("a");
  const double pb = *p.pool.penalty("b");
  EXPECT_NEAR(pa - pb, 104.7 - 2.76 + (first_a - first_b), 0.5);  // players count 1 each
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> second;
  for (std::uint64_t g = 101; g <= 200; ++g) second.emplace_back(Snowflake(g), Pool::play(track));
  ASSERT_EQ(p.update_all(second), 0u);
  split = p.placement();
  // b takes new players until its penalty reaches a's: all 100 of them when the first round
  // split evenly, nearly all when a stats message moved it.
  EXPECT_EQ(split["a"] + split["b"], 200);
  if (first_a == first_b) {
    EXPECT_EQ(split["a"], first_a);
    EXPECT_EQ(split["b"], first_b + 100);
  } else {
    EXPECT_GE(split["b"] - first_b, 95);
  }
  std::printf(
      "balancing: first 100 -> a %d / b %d; after a reported 50%% CPU, next 100 -> a %d "
      "/ b %d\n",
      first_a, first_b, split["a"] - first_a, split["b"] - first_b);
}

// A stats message that lands while new players' requests are unanswered cannot have counted
// them: the pool keeps counting them, so the message does not draw the next players to that
// node. (Found in CI: the stats message a node sends at connect landed in a burst of 100.)
TEST_P(PoolSim, StatsDuringABurstKeepCountingUnansweredPlayers) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  int answered = 0;  // before the pool, which may hold handlers when the test ends
  Pool p({&a, &b});
  p.start_and_wait(2);
  // The stats each node sends at connect: until it comes, a node's CPU load counts as none.
  ASSERT_TRUE(p.until([&] { return p.pool.node("a")->stats() && p.pool.node("b")->stats(); }));
  const auto track = *a->catalogue_track(long_track);
  // Answers wait long enough for the stats message to come and go first.
  a->set_latency(2s);
  b->set_latency(2s);
  auto place = [&](std::uint64_t from, std::uint64_t to) {
    for (auto g = from; g <= to; ++g)
      p.pool.update_player(Snowflake(g), Pool::play(track),
                           [&](std::exception_ptr, lavalink::Player) { ++answered; });
  };
  place(1, 10);
  ASSERT_TRUE(p.until([&] { return p.pool.players().size() == 10; }));
  EXPECT_EQ(p.placement()["a"], 5);
  const auto stats_before = p.count<lavalink::StatsEvent>("a");
  a->send_stats_now();
  ASSERT_TRUE(p.until([&] { return p.count<lavalink::StatsEvent>("a") > stats_before; }));
  ASSERT_EQ(answered, 0) << "the answers came before the stats message; the test proves nothing";
  EXPECT_DOUBLE_EQ(*p.pool.penalty("a"), *p.pool.penalty("b"));
  place(11, 20);
  ASSERT_TRUE(p.until([&] { return p.pool.players().size() == 20; }));
  EXPECT_EQ(p.placement()["a"], 10);
  EXPECT_EQ(p.placement()["b"], 10);
}

TEST_P(PoolSim, KilledNodeMovesEveryPlayerWithItsState) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  lavalink::NodePoolOptions options;
  options.move_concurrency = 8;
  Pool p({&a, &b}, options);
  p.start_and_wait(2);
  const auto track = *a->catalogue_track(long_track);
  constexpr int count = 50;
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> updates;
  for (int i = 0; i < count; ++i) {
    auto u = Pool::play(track, std::chrono::milliseconds(30000 + i * 1000));
    u.volume = 50 + i;
    u.paused = i % 5 == 0;
    lavalink::Filters f;
    f.timescale = lavalink::Timescale{.speed = 1.0 + i / 100.0};
    if (i % 2) f.equalizer = std::vector<lavalink::EqualizerBand>{{.band = i % 15, .gain = 0.1}};
    u.filters = f;
    updates.emplace_back(Snowflake(1000 + i), std::move(u));
  }
  // Each player starts playing when its update lands, between these two moments (far apart on
  // a slow machine: TSan once took longer than the bounds' slack to send all 50).
  const auto sending = Clock::now();
  ASSERT_EQ(p.update_all(updates, "a"), 0u);
  const auto started = Clock::now();
  ASSERT_EQ(p.placement()["a"], count);

  // Killed (the WebSocket closes with 1001, the port refuses) from another thread, so that the
  // pool runs while the instance goes down.
  const auto killed = Clock::now();
  std::thread killer([&] { a.stop(); });
  const bool all_moved = p.until(
      [&] {
        for (const auto& r : p.pool.players())
          if (r.node != "b" || r.moving) return false;
        return true;
      },
      5s);
  const auto moved_in = Clock::now() - killed;
  killer.join();
  ASSERT_TRUE(all_moved) << "players still on a or moving after 5 s";
  std::printf("failover: %d players moved in %lld ms\n", count,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(moved_in).count()));
  EXPECT_LT(moved_in, 5s);
  EXPECT_EQ(p.pool.players().size(), static_cast<std::size_t>(count));
  EXPECT_EQ(p.pool.waiting_players(), 0u);

  const auto on_b = server_players(b);
  ASSERT_EQ(on_b.size(), static_cast<std::size_t>(count));  // zero lost
  const auto now = Clock::now();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
  const auto since_sending = std::chrono::duration_cast<std::chrono::milliseconds>(now - sending);
  for (int i = 0; i < count; ++i) {
    const auto& player = on_b.at(1000 + i);
    SCOPED_TRACE("player " + std::to_string(i));
    EXPECT_EQ(player.at("volume").as_int64(), 50 + i);
    const bool paused = i % 5 == 0;
    EXPECT_EQ(player.at("paused").as_bool(), paused);
    const auto& filters = player.at("filters").as_object();
    EXPECT_DOUBLE_EQ(filters.at("timescale").at("speed").as_double(), 1.0 + i / 100.0);
    EXPECT_EQ(filters.contains("equalizer"), i % 2 == 1);
    ASSERT_TRUE(player.at("track").is_object());
    EXPECT_EQ(player.at("track").at("info").at("identifier").as_string(), "dQw4w9WgXcQ");
    const auto position = player.at("state").at("position").as_int64();
    const std::int64_t start = 30000 + i * 1000;
    if (paused) {
      EXPECT_NEAR(position, start, 50);
    } else {
      // Between where it started and where it should be now; the move may lose a few ms.
      EXPECT_GE(position, start + (elapsed.count() * 9) / 10 - 100);
      EXPECT_LE(position, start + since_sending.count() + 100);
    }
  }
  EXPECT_EQ(p.moves.size(), static_cast<std::size_t>(count));
}

// The WebSocket and the REST answers race: a playerUpdate the server stamped no later than the
// answer the record holds is older news. (Found in CI: the simulator's playerUpdate for a voice
// change, sent before the track was applied, arrived after the answer, and a failover then
// restarted the player 30 s back.)
TEST_P(PoolSim, PlayerUpdateNoNewerThanTheAnswerIsDropped) {
  SimInstance a(sim_options());
  Pool p({&a});
  p.start_and_wait(1);
  a->set_intervals(std::chrono::minutes(1), std::chrono::minutes(1));
  const auto track = *a->catalogue_track(long_track);
  ASSERT_EQ(p.update_all({{Snowflake(7), Pool::play(track, 30000ms)}}), 0u);
  const auto record = [&] { return p.pool.players().at(0); };
  const auto answered = record();
  ASSERT_GT(answered.state_time.time_since_epoch().count(), 0);
  ASSERT_GE(answered.position, 30000ms);
  const auto session = a->session_ids().at(0);
  std::size_t sent = p.count<lavalink::PlayerUpdateEvent>("a");
  const auto send_update = [&](lavalink::Timestamp time, std::int64_t position) {
    const boost::json::object state{{"time", time.time_since_epoch().count()},
                                    {"position", position},
                                    {"connected", true},
                                    {"ping", 0}};
    const boost::json::object message{{"op", "playerUpdate"}, {"guildId", "7"}, {"state", state}};
    ASSERT_TRUE(a->send_raw(session, boost::json::serialize(message)));
    ++sent;
    ASSERT_TRUE(p.until([&] { return p.count<lavalink::PlayerUpdateEvent>("a") == sent; }));
  };
  send_update(answered.state_time, 0);  // the same millisecond: the answer wins
  send_update(answered.state_time - 1ms, 0);
  EXPECT_EQ(record().position, answered.position);
  EXPECT_EQ(record().state_time, answered.state_time);
  send_update(answered.state_time + 5000ms, 35000);
  EXPECT_EQ(record().position, 35000ms);
  EXPECT_EQ(record().state_time, answered.state_time + 5000ms);
}

TEST_P(PoolSim, DroppedConnectionResumesAndKeepsThePlayers) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  Pool p({&a, &b});
  p.start_and_wait(2);
  const auto track = *a->catalogue_track(long_track);
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> updates;
  for (std::uint64_t g = 1; g <= 5; ++g) updates.emplace_back(Snowflake(g), Pool::play(track));
  ASSERT_EQ(p.update_all(updates, "a"), 0u);
  // Resuming enabled on the server (NodeLink has no session PATCH to wait for).
  if (!nodelink()) {
    ASSERT_TRUE(p.until([&] { return a->stats().routes["PATCH /v4/sessions/{sessionId}"] >= 1; }));
  }
  const auto session = p.pool.node("a")->session_id();

  ASSERT_TRUE(a->drop_websocket());
  if (nodelink()) {
    // No resuming on NodeLink 2.3: a new session, and the pool re-creates the five players.
    ASSERT_TRUE(p.until([&] {
      if (p.moves.size() < 5) return false;
      for (const auto& r : p.pool.players())
        if (r.moving || !r.track) return false;
      return true;
    }));
    EXPECT_NE(p.pool.node("a")->session_id(), session);
    EXPECT_EQ(server_players(a).size() + server_players(b).size(), 5u);
    return;
  }
  ASSERT_TRUE(p.until([&] {
    return p.count<lavalink::ReadyEvent>("a", [](const auto& r) { return r.resumed; }) == 1;
  }));
  // Resumed: same session, nothing moved, nothing re-created.
  EXPECT_EQ(p.pool.node("a")->session_id(), session);
  EXPECT_TRUE(p.moves.empty());
  EXPECT_EQ(p.placement()["a"], 5);
  EXPECT_EQ(server_players(a).size(), 5u);
  EXPECT_EQ(server_players(b).size(), 0u);
  EXPECT_EQ(a->stats().sessions_resumed, 1u);
}

TEST_P(PoolSim, WithoutResumingPlayersAreRecreatedOnTheNewSession) {
  SimInstance a(sim_options());
  lavalink::NodePoolOptions options;
  options.resume_timeout = std::nullopt;
  Pool p({&a}, options);
  p.start_and_wait(1);
  const auto track = *a->catalogue_track(long_track);
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> updates;
  for (std::uint64_t g = 1; g <= 5; ++g) {
    auto u = Pool::play(track, 60s);
    u.volume = 70;
    updates.emplace_back(Snowflake(g), std::move(u));
  }
  ASSERT_EQ(p.update_all(updates), 0u);
  const auto session = p.pool.node("a")->session_id();
  ASSERT_TRUE(a->drop_websocket());  // the server drops the session and its players
  ASSERT_TRUE(p.until([&] {
    if (p.moves.size() < 5) return false;
    for (const auto& r : p.pool.players())
      if (r.moving) return false;
    return true;
  }));
  EXPECT_NE(p.pool.node("a")->session_id(), session);
  const auto players = server_players(a);
  ASSERT_EQ(players.size(), 5u);
  for (const auto& [guild, player] : players) {
    EXPECT_EQ(player.at("volume").as_int64(), 70);
    EXPECT_GE(player.at("state").at("position").as_int64(), 60000);
  }
}

TEST_P(PoolSim, RestartedInstanceGetsItsPlayersBackAfterWaiting) {
  SimInstance a(sim_options());
  Pool p({&a});
  p.start_and_wait(1);
  const auto track = *a->catalogue_track(long_track);
  std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> updates;
  for (std::uint64_t g = 1; g <= 5; ++g) updates.emplace_back(Snowflake(g), Pool::play(track, 10s));
  ASSERT_EQ(p.update_all(updates), 0u);
  a.stop();
  // No other node: the players wait.
  ASSERT_TRUE(p.until([&] { return p.pool.waiting_players() == 5; }));
  a.start();  // a restarted Lavalink knows no session: resumed false, players re-created
  ASSERT_TRUE(p.until([&] {
    for (const auto& r : p.pool.players())
      if (r.moving || r.node != "a") return false;
    return p.pool.waiting_players() == 0;
  }));
  EXPECT_EQ(server_players(a).size(), 5u);
}

TEST_P(PoolSim, RestartFromASnapshotTakesThePlayersOver) {
  SimInstance a(sim_options());
  const auto path = (std::filesystem::temp_directory_path() /
                     ("cadence-snapshot-" + std::to_string(::getpid()) + ".json"))
                        .string();
  std::string session;
  {
    lavalink::NodePoolOptions options;
    options.snapshot_path = path;
    Pool p({&a}, options);
    p.start_and_wait(1);
    const auto track = *a->catalogue_track(long_track);
    std::vector<std::pair<Snowflake, lavalink::PlayerUpdate>> updates;
    for (std::uint64_t g = 1; g <= 5; ++g) {
      auto u = Pool::play(track, 20s);
      u.volume = 42;
      updates.emplace_back(Snowflake(g), std::move(u));
    }
    ASSERT_EQ(p.update_all(updates), 0u);
    // Resuming enabled on the server (NodeLink has no session PATCH to wait for).
    if (!nodelink()) {
      ASSERT_TRUE(
          p.until([&] { return a->stats().routes["PATCH /v4/sessions/{sessionId}"] >= 1; }));
    }
    session = p.pool.node("a")->session_id();
    p.pool.save_snapshot();
  }  // the process "exits": the socket closes, the server keeps the session for its timeout
  ASSERT_TRUE(std::filesystem::exists(path));

  Pool q({&a});
  q.pool.restore(lavalink::Snapshot::load(path));
  q.start_and_wait(1);
  ASSERT_TRUE(q.until([&] {
    const auto players = q.pool.players();
    if (players.size() != 5) return false;
    for (const auto& r : players)
      if (r.moving || r.node != "a" || !r.track) return false;
    return true;
  }));
  if (nodelink()) {
    // The old session died with the socket (no resuming): re-created from the snapshot.
    EXPECT_FALSE(q.pool.node("a")->resumed());
    EXPECT_EQ(q.moves.size(), 5u);
  } else {
    EXPECT_TRUE(q.pool.node("a")->resumed());
    EXPECT_EQ(q.pool.node("a")->session_id(), session);
    EXPECT_TRUE(q.moves.empty());  // taken over, not re-created
  }
  const auto players = server_players(a);
  ASSERT_EQ(players.size(), 5u);
  for (const auto& [guild, player] : players) EXPECT_EQ(player.at("volume").as_int64(), 42);
  for (const auto& r : q.pool.players()) EXPECT_EQ(r.volume, 42);
  std::filesystem::remove(path);
}

TEST_P(PoolSim, CorruptOrForeignSnapshotsAreClearErrors) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("cadence-bad-" + std::to_string(::getpid()) + ".json"))
                        .string();
  const auto write = [&](const std::string& text) { std::ofstream(path, std::ios::trunc) << text; };
  EXPECT_THROW((void)lavalink::Snapshot::load(path + ".missing"), lavalink::SnapshotError);
  write("{\"format\":\"cadence.lavalink.snapshot\",\"version\":1,\"userId\"");
  EXPECT_THROW((void)lavalink::Snapshot::load(path), lavalink::SnapshotError);
  write(R"({"players":[]})");
  try {
    (void)lavalink::Snapshot::load(path);
    ADD_FAILURE() << "no error";
  } catch (const lavalink::SnapshotError& e) {
    EXPECT_NE(std::string(e.what()).find("not a Cadence Lavalink snapshot"), std::string::npos);
  }
  write(R"({"format":"cadence.lavalink.snapshot","version":1,"userId":"5","written":0,)"
        R"("sessions":[],"players":[{"guildId":"1","node":"a","position":"x"}]})");
  try {
    (void)lavalink::Snapshot::load(path);
    ADD_FAILURE() << "no error";
  } catch (const lavalink::SnapshotError& e) {
    EXPECT_NE(std::string(e.what()).find("players[0].position"), std::string::npos) << e.what();
  }
  write(R"({"format":"cadence.lavalink.snapshot","version":1,"userId":"5","written":0,)"
        R"("sessions":[],"players":[]})");
  const auto other_bot = lavalink::Snapshot::load(path);
  SimInstance a(flavored());
  Pool p({&a});
  EXPECT_THROW(p.pool.restore(other_bot), lavalink::SnapshotError);
  std::filesystem::remove(path);
}

TEST_P(PoolSim, FilterChangeSendsTheMergedSet) {
  SimInstance a(sim_options());
  Pool p({&a});
  p.start_and_wait(1);
  auto u = Pool::play(*a->catalogue_track(long_track));
  u.filters = lavalink::Filters{.timescale = lavalink::Timescale{.speed = 1.5}};
  ASSERT_EQ(p.update_all({{Snowflake(9), u}}), 0u);
  lavalink::Filters change;
  change.rotation = lavalink::Rotation{.rotation_hz = 0.2};
  auto r = cadence::test::call_once<lavalink::Player>(
      p.io, [&](auto h) { p.pool.update_filters(Snowflake(9), change, h); });
  ASSERT_FALSE(r.error) << what(r.error);
  ASSERT_TRUE(r.value.filters.timescale);
  EXPECT_EQ(r.value.filters.timescale->speed, 1.5);
  ASSERT_TRUE(r.value.filters.rotation);
  EXPECT_EQ(p.pool.player(Snowflake(9))->filters.rotation->rotation_hz, 0.2);
}

TEST_P(PoolSim, ManualMoveKeepsThePositionAndLeavesTheOldNode) {
  SimInstance a(sim_options());
  SimInstance b(sim_options());
  Pool p({&a, &b});
  p.start_and_wait(2);
  ASSERT_EQ(p.update_all({{Snowflake(7), Pool::play(*a->catalogue_track(long_track), 40s)}}, "a"),
            0u);
  auto moved =
      cadence::test::call_void_once(p.io, [&](auto h) { p.pool.move(Snowflake(7), "b", h); });
  ASSERT_FALSE(moved.error) << what(moved.error);
  EXPECT_EQ(p.pool.player(Snowflake(7))->node, "b");
  ASSERT_TRUE(p.until([&] { return server_players(a).empty(); }));
  const auto on_b = server_players(b);
  ASSERT_EQ(on_b.size(), 1u);
  EXPECT_GE(on_b.at(7).at("state").at("position").as_int64(), 40000);
  // The old node's TrackEnd (cleanup) is not passed on: the player lives on b.
  EXPECT_EQ(p.count<lavalink::TrackEndEvent>("a"), 0u);
}

}  // namespace

namespace {

TEST_P(PoolSim, DestroyedWithCallsInFlightCompletesEachOnce) {
  SimInstance a(sim_options());
  asio::io_context io;
  auto pool = std::make_unique<lavalink::NodePool>(io.get_executor());
  pool->add_node(a.node_options("a"));
  pool->start();
  ASSERT_TRUE(run_until(io, [&] { return pool->best_node() != nullptr; }));
  const auto track = *a->catalogue_track(long_track);
  std::vector<int> completions(20, 0);
  std::size_t aborted = 0;
  for (int i = 0; i < 20; ++i) {
    pool->update_player(Snowflake(500 + i), Pool::play(track),
                        [&, i](std::exception_ptr e, lavalink::Player) {
                          ++completions[i];
                          if (e) ++aborted;
                        });
  }
  // Let the requests start, then destroy the pool under them.
  for (int i = 0; i < 5; ++i) io.poll_one();
  pool.reset();
  ASSERT_TRUE(run_until(io, [&] {
    for (const int c : completions)
      if (c == 0) return false;
    return true;
  }));
  for (const int c : completions) EXPECT_EQ(c, 1);
  EXPECT_GT(aborted, 0u);
}

INSTANTIATE_TEST_SUITE_P(Flavors, PoolSim,
                         ::testing::Values(cadence::sim::LavalinkFlavor::lavalink,
                                           cadence::sim::LavalinkFlavor::nodelink),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
