// lavalink::Node against the Lavalink simulator over loopback: the session, typed and raw
// events, resuming, health checks, backoff, close and destruction. Every wait is bounded by
// run_until; nothing sleeps.
#include "cadence/lavalink/node.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/json.hpp>

#include "cadence/http/web_socket_handshake_error.hpp"
#include "cadence/lavalink/close_code.hpp"
#include "cadence/lavalink/error.hpp"
#include "lavalink/node_harness.hpp"
#include "support/expect_error.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace lavalink = cadence::lavalink;
using namespace std::chrono_literals;
using cadence::Snowflake;
using cadence::test::EventLog;
using cadence::test::expect_error;
using cadence::test::run_until;
using cadence::test::SimInstance;

const Snowflake guild{817327181659111454ULL};

// Every test runs against the simulator as Lavalink and as NodeLink 2.3.
class NodeSim : public ::testing::TestWithParam<cadence::sim::LavalinkFlavor> {
 protected:
  [[nodiscard]] cadence::sim::LavalinkServerOptions flavored(
      cadence::sim::LavalinkServerOptions o = {}) const {
    o.flavor = GetParam();
    return o;
  }
  [[nodiscard]] bool nodelink() const {
    return GetParam() == cadence::sim::LavalinkFlavor::nodelink;
  }
};

// A Node on the test thread's io_context, started, with its events recorded.
struct Started {
  explicit Started(SimInstance& sim, std::optional<lavalink::NodeOptions> options = std::nullopt)
      : node(io.get_executor(), options ? *options : sim.node_options("a")) {
    node.set_event_handler(log.handler());
    node.start();
  }
  bool wait_ready() {
    return run_until(io, [&] { return node.status() == lavalink::Node::Status::connected; });
  }
  template <class Pred>
  bool until(Pred p, std::chrono::milliseconds limit = 5s) {
    return run_until(io, p, limit);
  }

  asio::io_context io;
  EventLog log;
  lavalink::Node node;
};

TEST_P(NodeSim, ReadyGivesTheSessionAndStatsFollow) {
  SimInstance sim(flavored());
  Started s(sim);
  auto ready = cadence::test::call_void_once(s.io, [&](auto h) { s.node.async_wait_ready(h); });
  EXPECT_FALSE(ready.error) << cadence::test::what(ready.error);
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::StatsEvent>() > 0; }));
  ASSERT_EQ(s.log.count<lavalink::ReadyEvent>(), 1u);
  const auto r = *s.log.last<lavalink::ReadyEvent>();
  EXPECT_FALSE(r.resumed);
  EXPECT_TRUE(r.previous_session_id.empty());
  EXPECT_EQ(s.node.session_id(), r.session_id);
  EXPECT_EQ(sim->session_ids(), std::vector<std::string>{r.session_id});
  ASSERT_TRUE(s.node.stats());
  EXPECT_FALSE(s.node.stats()->frame_stats);  // no player plays yet: frameStats is null
  EXPECT_GE(s.node.stats()->cpu.cores, 1);
  EXPECT_TRUE(s.node.healthy());
  // The ready came first.
  EXPECT_TRUE(std::holds_alternative<lavalink::ReadyEvent>(s.log.events.front()));
}

TEST_P(NodeSim, TrackEventsAndPlayerUpdatesAreTyped) {
  SimInstance sim(flavored({.player_update_interval = 20ms}));
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{.encoded = *sim->catalogue_track("short")};
  auto played = cadence::test::call_once<lavalink::Player>(
      s.io, [&](auto h) { s.node.rest().update_player(s.node.session_id(), guild, update, h); });
  ASSERT_FALSE(played.error) << cadence::test::what(played.error);
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::TrackEndEvent>() > 0; }));
  const auto start = s.log.last<lavalink::TrackStartEvent>();
  ASSERT_TRUE(start);
  EXPECT_EQ(start->guild_id, guild);
  const auto end = *s.log.last<lavalink::TrackEndEvent>();
  EXPECT_EQ(end.reason, lavalink::TrackEndReason::finished);
  EXPECT_EQ(end.raw_reason, "finished");
  EXPECT_TRUE(end.may_start_next());
  EXPECT_EQ(end.track.info.title, start->track.info.title);
  EXPECT_EQ(s.log.count<lavalink::UnknownMessage>(), 0u);
}

TEST_P(NodeSim, UnknownOpsAndPluginEventsArriveRaw) {
  SimInstance sim(flavored());
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  ASSERT_TRUE(sim->send_raw(s.node.session_id(), R"({"op":"nodelinkThing","value":7})"));
  ASSERT_TRUE(sim->send_raw(
      s.node.session_id(),
      R"({"op":"event","type":"SegmentSkipped","guildId":"1","segment":{"category":"sponsor"}})"));
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::UnknownMessage>() == 2; }));
  const auto raw = s.log.all<lavalink::UnknownMessage>();
  EXPECT_EQ(raw[0].op, "nodelinkThing");
  EXPECT_FALSE(raw[0].error);
  EXPECT_EQ(raw[0].raw.at("value").as_int64(), 7);
  EXPECT_EQ(raw[1].op, "event");
  EXPECT_EQ(raw[1].type, "SegmentSkipped");
  EXPECT_FALSE(raw[1].error);
  EXPECT_EQ(raw[1].raw.at("segment").at("category").as_string(), "sponsor");
  // The connection is unharmed.
  EXPECT_EQ(s.node.status(), lavalink::Node::Status::connected);
}

TEST_P(NodeSim, BrokenKnownMessageArrivesRawWithTheField) {
  SimInstance sim(flavored());
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  ASSERT_TRUE(sim->send_raw(s.node.session_id(),
                            R"({"op":"event","type":"TrackStartEvent","guildId":"5"})"));
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::UnknownMessage>() == 1; }));
  const auto raw = *s.log.last<lavalink::UnknownMessage>();
  const auto* error = expect_error<lavalink::BuildError>(raw.error, "track");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path(), "track");
  EXPECT_EQ(raw.type, "TrackStartEvent");
}

TEST_P(NodeSim, VoiceClosedEventIsTypedAndMapsToAnAction) {
  SimInstance sim(flavored());
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  lavalink::PlayerUpdate update;
  update.track = lavalink::PlayerUpdate::TrackUpdate{
      .encoded = *sim->catalogue_track("never-gonna-give-you-up")};
  auto played = cadence::test::call_once<lavalink::Player>(
      s.io, [&](auto h) { s.node.rest().update_player(s.node.session_id(), guild, update, h); });
  ASSERT_FALSE(played.error) << cadence::test::what(played.error);
  EXPECT_FALSE(sim->send_voice_closed(s.node.session_id(), "42", 4014));  // no such player
  ASSERT_TRUE(
      sim->send_voice_closed(s.node.session_id(), guild.to_string(), 4014, "Disconnected.", true));
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::WebSocketClosedEvent>() == 1; }));
  const auto closed = *s.log.last<lavalink::WebSocketClosedEvent>();
  EXPECT_EQ(closed.guild_id, guild);
  EXPECT_TRUE(closed.by_remote);
  if (nodelink()) {
    // NodeLink sends neither code nor reason: the advice is to rejoin.
    EXPECT_EQ(closed.code, std::nullopt);
    EXPECT_EQ(closed.reason, std::nullopt);
    EXPECT_EQ(lavalink::recommended_action(closed.code), lavalink::VoiceCloseAction::rejoin);
  } else {
    EXPECT_EQ(closed.code, 4014);
    EXPECT_EQ(closed.reason, "Disconnected.");
    EXPECT_EQ(lavalink::recommended_action(closed.code), lavalink::VoiceCloseAction::disconnected);
  }
  EXPECT_EQ(s.log.count<lavalink::UnknownMessage>(), 0u);
}

TEST_P(NodeSim, EventWithAnEmptyTrackObjectIsTypedWithNoTrack) {
  SimInstance sim(flavored());
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  // NodeLink's `track: {}` (a track that names nothing), and a version number as a string.
  ASSERT_TRUE(sim->send_raw(
      s.node.session_id(),
      R"({"op":"event","type":"TrackEndEvent","guildId":"5","track":{},"reason":"stopped"})"));
  ASSERT_TRUE(sim->send_raw(
      s.node.session_id(),
      R"({"op":"event","type":"TrackStuckEvent","guildId":"5","track":{"userData":{}},)"
      R"("thresholdMs":"10000"})"));
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::TrackStuckEvent>() == 1; }));
  const auto end = s.log.last<lavalink::TrackEndEvent>();
  ASSERT_TRUE(end);
  EXPECT_TRUE(end->track.encoded.empty());
  EXPECT_EQ(end->reason, lavalink::TrackEndReason::stopped);
  EXPECT_EQ(s.log.last<lavalink::TrackStuckEvent>()->threshold, 10s);
  EXPECT_EQ(s.log.count<lavalink::UnknownMessage>(), 0u);
}

TEST_P(NodeSim, InfoIsFetchedAfterReady) {
  SimInstance sim(flavored({.source_managers = {"youtube", "spotify"}}));
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  ASSERT_TRUE(s.until([&] { return s.node.info().has_value(); }));
  EXPECT_EQ(s.node.info()->source_managers, (std::vector<std::string>{"youtube", "spotify"}));
  EXPECT_FALSE(s.node.info()->filters.empty());
}

TEST_P(NodeSim, ResumesAfterADroppedConnection) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  options.resume_timeout = 60s;
  Started s(sim, options);
  ASSERT_TRUE(s.wait_ready());
  const auto first = s.node.session_id();
  if (nodelink()) {
    // NodeLink 2.3 cannot resume (no session PATCH): a new session names the lost one.
    ASSERT_TRUE(sim->drop_websocket());
    ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::ReadyEvent>() == 2; }));
    const auto ready = *s.log.last<lavalink::ReadyEvent>();
    EXPECT_FALSE(ready.resumed);
    EXPECT_EQ(ready.previous_session_id, first);
    return;
  }
  // Resuming is enabled by the node itself after ready; wait until the server has it.
  ASSERT_TRUE(s.until([&] { return sim->stats().routes["PATCH /v4/sessions/{sessionId}"] == 1; }));
  ASSERT_TRUE(sim->drop_websocket());
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::ReadyEvent>() == 2; }));
  const auto disconnected = s.log.all<lavalink::DisconnectedEvent>();
  ASSERT_EQ(disconnected.size(), 1u);
  EXPECT_EQ(disconnected[0].reconnect_in, 0ms);  // a connection that was up retries at once
  const auto ready = *s.log.last<lavalink::ReadyEvent>();
  EXPECT_TRUE(ready.resumed);
  EXPECT_EQ(ready.session_id, first);
  EXPECT_TRUE(s.node.resumed());
  EXPECT_EQ(sim->stats().sessions_resumed, 1u);
}

TEST_P(NodeSim, NotResumedNamesThePreviousSession) {
  SimInstance sim(flavored());
  Started s(sim);  // resuming off: the server drops the session with the socket
  ASSERT_TRUE(s.wait_ready());
  const auto first = s.node.session_id();
  ASSERT_TRUE(sim->drop_websocket());
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::ReadyEvent>() == 2; }));
  const auto ready = *s.log.last<lavalink::ReadyEvent>();
  EXPECT_FALSE(ready.resumed);
  EXPECT_NE(ready.session_id, first);
  EXPECT_EQ(ready.previous_session_id, first);
  EXPECT_FALSE(s.node.resumed());
}

TEST_P(NodeSim, MissingStatsMarkUnhealthyAndReconnect) {
  SimInstance sim(flavored());  // stats only at connect (the interval is a minute)
  auto options = sim.node_options("a");
  options.stats_interval = 150ms;
  options.stats_margin = 50ms;
  Started s(sim, options);
  ASSERT_TRUE(s.wait_ready());
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::DisconnectedEvent>() > 0; }));
  const auto d = *s.log.last<lavalink::DisconnectedEvent>();
  expect_error<cadence::TimeoutError>(d.error, "no stats");
  ASSERT_TRUE(s.until([&] { return s.log.count<lavalink::ReadyEvent>() == 2; }));
}

TEST_P(NodeSim, BacksOffThenGivesUpOnARefusedPort) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  sim.stop();
  options.reconnect = {.initial_delay = 10ms,
                       .max_delay = 40ms,
                       .multiplier = 2.0,
                       .jitter = 0.0,
                       .max_attempts = 4};
  asio::io_context io;
  lavalink::Node node(io.get_executor(), options);
  EventLog log;
  node.set_event_handler(log.handler());
  node.start();
  auto ready = cadence::test::call_void_once(io, [&](auto h) { node.async_wait_ready(h); });
  expect_error<cadence::NetworkError>(ready.error);
  EXPECT_EQ(node.status(), lavalink::Node::Status::failed);
  const auto d = log.all<lavalink::DisconnectedEvent>();
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].reconnect_in, 10ms);
  EXPECT_EQ(d[1].reconnect_in, 20ms);
  EXPECT_EQ(d[2].reconnect_in, 40ms);  // bounded by max_delay
  EXPECT_EQ(d[3].reconnect_in, std::nullopt);
}

TEST_P(NodeSim, WrongPasswordIsFinal) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  options.password = "wrong";
  asio::io_context io;
  lavalink::Node node(io.get_executor(), options);
  node.start();
  auto ready = cadence::test::call_void_once(io, [&](auto h) { node.async_wait_ready(h); });
  const auto* e = expect_error<cadence::http::WebSocketHandshakeError>(ready.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 401u);
  EXPECT_EQ(node.status(), lavalink::Node::Status::failed);
}

TEST_P(NodeSim, EnableResumingCallsTheSessionUpdate) {
  SimInstance sim(flavored());
  Started s(sim);
  ASSERT_TRUE(s.wait_ready());
  auto r = cadence::test::call_once<lavalink::SessionState>(
      s.io, [&](auto h) { s.node.async_enable_resuming(45s, h); });
  if (nodelink()) {
    // NodeLink has no session PATCH: a clear "not supported", not a bare 404.
    expect_error<lavalink::NotSupportedError>(r.error, "not supported by this node");
    return;
  }
  ASSERT_FALSE(r.error) << cadence::test::what(r.error);
  EXPECT_TRUE(r.value.resuming);
  EXPECT_EQ(r.value.timeout, 45s);
  EXPECT_EQ(s.node.resume_timeout(), 45s);
}

TEST_P(NodeSim, EnableResumingWithoutASessionIsNoSessionsError) {
  SimInstance sim(flavored());
  asio::io_context io;
  lavalink::Node node(io.get_executor(), sim.node_options("a"));  // not started
  auto r = cadence::test::call_once<lavalink::SessionState>(
      io, [&](auto h) { node.async_enable_resuming(45s, h); });
  expect_error<lavalink::NoSessionsError>(r.error);
}

TEST_P(NodeSim, CloseKeepsAResumableSession) {
  if (nodelink()) GTEST_SKIP() << "NodeLink 2.3 has no resuming (no session PATCH)";
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  options.resume_timeout = 60s;
  Started s(sim, options);
  ASSERT_TRUE(s.wait_ready());
  ASSERT_TRUE(s.until([&] { return sim->stats().routes["PATCH /v4/sessions/{sessionId}"] == 1; }));
  auto closed = cadence::test::call_void_once(s.io, [&](auto h) { s.node.async_close(h); });
  EXPECT_FALSE(closed.error) << cadence::test::what(closed.error);
  ASSERT_TRUE(s.until([&] { return s.node.status() == lavalink::Node::Status::idle; }));
  const auto d = *s.log.last<lavalink::DisconnectedEvent>();
  EXPECT_EQ(d.reconnect_in, std::nullopt);
  EXPECT_EQ(sim->session_ids(), std::vector<std::string>{s.node.session_id()});

  // Another Node (a restarted process) takes the session over.
  auto again = sim.node_options("b");
  again.session_id = s.node.session_id();
  Started t(sim, again);
  ASSERT_TRUE(t.wait_ready());
  EXPECT_TRUE(t.node.resumed());
  EXPECT_EQ(t.node.session_id(), s.node.session_id());
}

TEST_P(NodeSim, DestroyCompletesPendingWaitsWithAborted) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  sim.stop();
  options.reconnect.initial_delay = 10s;  // stays waiting
  asio::io_context io;
  auto node = std::make_unique<lavalink::Node>(io.get_executor(), options);
  node->start();
  int completions = 0;
  std::exception_ptr error;
  node->async_wait_ready([&](std::exception_ptr e) {
    ++completions;
    error = e;
  });
  ASSERT_TRUE(run_until(io, [&] { return node->status() == lavalink::Node::Status::waiting; }));
  node.reset();
  ASSERT_TRUE(run_until(io, [&] { return completions > 0; }));
  EXPECT_EQ(completions, 1);
  const auto* e = expect_error<boost::system::system_error>(error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), asio::error::operation_aborted);
}

TEST_P(NodeSim, WaitReadyCanBeCancelled) {
  SimInstance sim(flavored());
  auto options = sim.node_options("a");
  sim.stop();
  options.reconnect.initial_delay = 10s;
  asio::io_context io;
  lavalink::Node node(io.get_executor(), options);
  node.start();
  asio::cancellation_signal signal;
  int completions = 0;
  std::exception_ptr error;
  node.async_wait_ready(asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
    ++completions;
    error = e;
  }));
  ASSERT_TRUE(run_until(io, [&] { return node.status() == lavalink::Node::Status::waiting; }));
  signal.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until(io, [&] { return completions > 0; }));
  EXPECT_EQ(completions, 1);
  expect_error<boost::system::system_error>(error);
}

INSTANTIATE_TEST_SUITE_P(Flavors, NodeSim,
                         ::testing::Values(cadence::sim::LavalinkFlavor::lavalink,
                                           cadence::sim::LavalinkFlavor::nodelink),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
