#include "cadence/lavalink/voice_joiner.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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
using cadence::test::run_until;
using cadence::test::what;
using namespace std::chrono_literals;

const Snowflake bot{170939974227591168ULL};
const Snowflake guild{817327181659111454ULL};
const Snowflake channel_a{900000000000000001ULL};
const Snowflake channel_b{900000000000000002ULL};
constexpr const char* patch_route = "PATCH /v4/sessions/{sessionId}/players/{guildId}";

json::value voice_state(Snowflake channel, const std::string& session = "vsession",
                        Snowflake user = bot) {
  return json::object{{"op", 0},
                      {"t", "VOICE_STATE_UPDATE"},
                      {"d", json::object{{"guild_id", guild.to_string()},
                                         {"channel_id", channel.to_string()},
                                         {"user_id", user.to_string()},
                                         {"session_id", session},
                                         {"self_deaf", true}}}};
}

json::value voice_server(json::value endpoint = "us-east1.discord.media:443",
                         const std::string& token = "vtoken") {
  return json::object{{"op", 0},
                      {"t", "VOICE_SERVER_UPDATE"},
                      {"d", json::object{{"token", token},
                                         {"guild_id", guild.to_string()},
                                         {"endpoint", std::move(endpoint)}}}};
}

// The simulator (as Lavalink and as NodeLink) on its own thread; a Rest and a joiner on the test
// thread's io_context.
class VoiceJoinerSim : public ::testing::TestWithParam<sim::LavalinkFlavor> {
 protected:
  VoiceJoinerSim()
      : server_(sim_io_, sim::LavalinkServerOptions{.flavor = GetParam()}),
        thread_([this] { sim_io_.run(); }) {
    rest.emplace(io.get_executor(), lavalink::RestOptions{.base_url = server_.base_url(),
                                                          .password = server_.password()});
    session = server_.create_session();
  }
  ~VoiceJoinerSim() override {
    joiner.reset();
    rest.reset();
    server_.stop();
    thread_.join();
  }

  lavalink::VoiceJoiner& make(std::chrono::milliseconds timeout = 5s) {
    joiner.emplace(io.get_executor(), bot, *rest, session,
                   lavalink::VoiceJoinerOptions{.timeout = timeout});
    return *joiner;
  }

  // Starts a connect whose outcome lands in `out` (completions counted).
  void start(Outcome<lavalink::Player>& out, Snowflake channel) {
    joiner->async_connect(guild, channel, [&out](std::exception_ptr e, lavalink::Player p) {
      ++out.completions;
      out.error = e;
      out.value = std::move(p);
    });
    EXPECT_EQ(out.completions, 0) << "completed inside the initiating call";
  }
  void wait(const Outcome<lavalink::Player>& out) {
    ASSERT_TRUE(run_until(io, [&] { return out.completions > 0; })) << "no completion";
    EXPECT_EQ(out.completions, 1);
  }
  std::uint64_t patches() {
    const auto s = server_.stats();
    const auto it = s.routes.find(patch_route);
    return it == s.routes.end() ? 0 : it->second;
  }

  asio::io_context io;
  std::optional<lavalink::Rest> rest;
  std::optional<lavalink::VoiceJoiner> joiner;
  std::string session;

 private:
  asio::io_context sim_io_;

 protected:
  sim::LavalinkServer server_;

 private:
  std::thread thread_;
};

TEST_P(VoiceJoinerSim, StateThenServerSendsOnePatch) {
  auto& j = make();
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  EXPECT_TRUE(j.feed(voice_state(channel_a)));
  EXPECT_TRUE(j.feed(voice_server()));
  wait(out);
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.guild_id, guild);
  EXPECT_TRUE(out.value.voice.connected());
  EXPECT_EQ(out.value.voice.session_id, "vsession");
  EXPECT_EQ(out.value.voice.endpoint, "us-east1.discord.media:443");
  EXPECT_EQ(out.value.voice.channel_id, channel_a.to_string());
  EXPECT_EQ(patches(), 1u);
}

TEST_P(VoiceJoinerSim, ServerThenStateBeforeTheCallSendsOnePatch) {
  auto& j = make();
  // The gateway may deliver the pair before the caller gets to wait for it.
  EXPECT_TRUE(j.feed(json::serialize(voice_server())));
  EXPECT_TRUE(j.feed(json::serialize(voice_state(channel_a))));
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  wait(out);
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.voice.token, "vtoken");
  EXPECT_EQ(patches(), 1u);
}

TEST_P(VoiceJoinerSim, ConnectAfterThePatchWasAnsweredFindsTheBotConnected) {
  auto& j = make();
  j.feed(voice_state(channel_a));
  j.feed(voice_server());
  // The caller is late: the PATCH for these events has been sent and answered.
  Outcome<lavalink::Player> probe;
  ASSERT_TRUE(run_until(io, [&] { return patches() == 1; }));
  rest->get_player(session, guild, [&](std::exception_ptr e, lavalink::Player p) {
    ++probe.completions;
    probe.error = e;
    probe.value = std::move(p);
  });
  wait(probe);
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  wait(out);
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(out.value.voice.channel_id, channel_a.to_string());
  EXPECT_EQ(patches(), 1u);
}

TEST_P(VoiceJoinerSim, NullEndpointIsIgnoredUntilARealOneComes) {
  auto& j = make(150ms);
  EXPECT_FALSE(j.feed(voice_server(nullptr)));
  EXPECT_TRUE(j.feed(voice_state(channel_a)));
  Outcome<lavalink::Player> first;
  start(first, channel_a);
  wait(first);
  expect_error<cadence::TimeoutError>(first.error, "no VOICE_SERVER_UPDATE");
  EXPECT_EQ(patches(), 0u);

  EXPECT_TRUE(j.feed(voice_server("eu-west7.discord.media:443")));
  Outcome<lavalink::Player> second;
  start(second, channel_a);
  wait(second);
  ASSERT_FALSE(second.error) << what(second.error);
  EXPECT_EQ(second.value.voice.endpoint, "eu-west7.discord.media:443");
  EXPECT_EQ(patches(), 1u);
}

TEST_P(VoiceJoinerSim, PairThatNeverCompletesTimesOutNamingWhatIsMissing) {
  auto& j = make(100ms);
  Outcome<lavalink::Player> nothing;
  start(nothing, channel_a);
  wait(nothing);
  const auto* e = expect_error<cadence::TimeoutError>(nothing.error, "no VOICE_STATE_UPDATE");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->after(), 100ms);
  EXPECT_NE(std::string(e->what()).find(guild.to_string()), std::string::npos);

  EXPECT_TRUE(j.feed(voice_state(channel_a)));
  Outcome<lavalink::Player> half;
  start(half, channel_a);
  wait(half);
  expect_error<cadence::TimeoutError>(half.error, "no VOICE_SERVER_UPDATE");
  EXPECT_EQ(patches(), 0u);
}

TEST_P(VoiceJoinerSim, TwoConcurrentJoinsForOneGuildRunOneAfterTheOther) {
  // A sender over the Rest that records how many PATCHes were in flight at once.
  int in_flight = 0;
  int most = 0;
  joiner.emplace(
      io.get_executor(), bot,
      [&](Snowflake g, lavalink::VoiceState voice, lavalink::VoiceJoiner::Handler h) {
        most = std::max(most, ++in_flight);
        lavalink::PlayerUpdate update;
        update.voice = std::move(voice);
        rest->update_player(
            session, g, std::move(update), false,
            [&, h = std::move(h)](std::exception_ptr e, lavalink::Player p) mutable {
              --in_flight;
              std::move(h)(e, std::move(p));
            });
      },
      lavalink::VoiceJoinerOptions{.timeout = 5s});
  std::vector<Snowflake> order;
  Outcome<lavalink::Player> to_a;
  Outcome<lavalink::Player> to_b;
  for (auto* out : {&to_a, &to_b}) {
    const Snowflake channel = out == &to_a ? channel_a : channel_b;
    joiner->async_connect(guild, channel,
                          [&, out, channel](std::exception_ptr e, lavalink::Player p) {
                            order.push_back(channel);
                            ++out->completions;
                            out->error = e;
                            out->value = std::move(p);
                          });
  }
  // Discord's events for both joins arrive back to back, before the first PATCH is answered.
  EXPECT_TRUE(joiner->feed(voice_state(channel_a)));
  EXPECT_TRUE(joiner->feed(voice_server()));
  EXPECT_TRUE(joiner->feed(voice_state(channel_b)));
  ASSERT_TRUE(run_until(io, [&] { return to_a.completions > 0 && to_b.completions > 0; }));
  EXPECT_EQ(to_a.completions, 1);
  EXPECT_EQ(to_b.completions, 1);
  ASSERT_FALSE(to_a.error) << what(to_a.error);
  ASSERT_FALSE(to_b.error) << what(to_b.error);
  EXPECT_EQ(to_a.value.voice.channel_id, channel_a.to_string());
  EXPECT_EQ(to_b.value.voice.channel_id, channel_b.to_string());
  EXPECT_EQ(order, (std::vector<Snowflake>{channel_a, channel_b}));
  EXPECT_EQ(most, 1) << "two voice PATCHes for one guild were in flight at once";
  EXPECT_EQ(patches(), 2u);
}

TEST_P(VoiceJoinerSim, TwoJoinsToTheSameChannelShareOnePatch) {
  auto& j = make();
  Outcome<lavalink::Player> first;
  Outcome<lavalink::Player> second;
  start(first, channel_a);
  start(second, channel_a);
  j.feed(voice_state(channel_a));
  j.feed(voice_server());
  wait(first);
  wait(second);
  ASSERT_FALSE(first.error) << what(first.error);
  ASSERT_FALSE(second.error) << what(second.error);
  EXPECT_EQ(second.value.voice.channel_id, channel_a.to_string());
  EXPECT_EQ(patches(), 1u);
}

TEST_P(VoiceJoinerSim, OtherUsersVoiceStatesAreIgnored) {
  auto& j = make(100ms);
  EXPECT_FALSE(j.feed(voice_state(channel_a, "theirs", Snowflake{42})));
  EXPECT_FALSE(j.feed(json::parse(R"({"op":0,"t":"MESSAGE_CREATE","d":{}})")));
  j.feed(voice_server());
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  wait(out);
  expect_error<cadence::TimeoutError>(out.error, "no VOICE_STATE_UPDATE");
}

TEST_P(VoiceJoinerSim, ChangesNobodyWaitsForAreFollowed) {
  auto& j = make();
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  j.feed(voice_state(channel_a));
  j.feed(voice_server());
  wait(out);
  ASSERT_FALSE(out.error) << what(out.error);
  // Discord moved the call to another voice server.
  j.feed(voice_server("us-west3.discord.media:443", "vtoken2"));
  ASSERT_TRUE(run_until(io, [&] { return patches() == 2; }));
  // A moderator moved the bot to another channel.
  j.feed(voice_state(channel_b));
  ASSERT_TRUE(run_until(io, [&] { return patches() == 3; }));
  Outcome<lavalink::Player> now;
  rest->get_player(session, guild, [&](std::exception_ptr e, lavalink::Player p) {
    ++now.completions;
    now.error = e;
    now.value = std::move(p);
  });
  wait(now);
  EXPECT_EQ(now.value.voice.token, "vtoken2");
  EXPECT_EQ(now.value.voice.channel_id, channel_b.to_string());
}

TEST_P(VoiceJoinerSim, WhileAJoinWaitsOtherChannelsAreHeldBack) {
  auto& j = make(150ms);
  j.feed(voice_server());
  Outcome<lavalink::Player> to_b;
  start(to_b, channel_b);
  // A late event of an earlier join to A: not sent while the join to B waits.
  j.feed(voice_state(channel_a));
  wait(to_b);
  expect_error<cadence::TimeoutError>(to_b.error, "no VOICE_STATE_UPDATE");
  // Nobody waits any more: Discord says the bot is in A, so A is sent.
  ASSERT_TRUE(run_until(io, [&] { return patches() == 1; }));
}

TEST_P(VoiceJoinerSim, NodeRefusalIsTheConnectError) {
  joiner.emplace(io.get_executor(), bot, *rest, "nosuchsession");
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  joiner->feed(voice_state(channel_a));
  joiner->feed(voice_server());
  wait(out);
  expect_error<lavalink::RestRequestError>(out.error, "Session not found");
}

TEST_P(VoiceJoinerSim, FailuresNobodyWaitsForGoToOnError) {
  std::vector<std::string> errors;
  joiner.emplace(io.get_executor(), bot, *rest, "nosuchsession",
                 lavalink::VoiceJoinerOptions{.on_error = [&](Snowflake g, std::exception_ptr e) {
                   EXPECT_EQ(g, guild);
                   errors.push_back(what(e));
                 }});
  joiner->feed(voice_state(channel_a));
  joiner->feed(voice_server());
  ASSERT_TRUE(run_until(io, [&] { return !errors.empty(); }));
  EXPECT_NE(errors.front().find("Session not found"), std::string::npos) << errors.front();
}

TEST_P(VoiceJoinerSim, TerminalCancellationAbortsOnlyThatOperation) {
  auto& j = make();
  asio::cancellation_signal signal;
  Outcome<lavalink::Player> cancelled;
  j.async_connect(
      guild, channel_a,
      asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, lavalink::Player p) {
        ++cancelled.completions;
        cancelled.error = e;
        cancelled.value = std::move(p);
      }));
  Outcome<lavalink::Player> next;
  start(next, channel_a);
  signal.emit(asio::cancellation_type::terminal);
  wait(cancelled);
  expect_error<boost::system::system_error>(cancelled.error);
  j.feed(voice_state(channel_a));
  j.feed(voice_server());
  wait(next);
  ASSERT_FALSE(next.error) << what(next.error);
}

TEST_P(VoiceJoinerSim, DestroyingTheJoinerAbortsWaitingOperations) {
  make();
  Outcome<lavalink::Player> out;
  start(out, channel_a);
  joiner.reset();
  wait(out);
  expect_error<boost::system::system_error>(out.error);
}

INSTANTIATE_TEST_SUITE_P(Flavors, VoiceJoinerSim,
                         ::testing::Values(sim::LavalinkFlavor::lavalink,
                                           sim::LavalinkFlavor::nodelink),
                         [](const auto& info) { return std::string(sim::to_string(info.param)); });

TEST(VoiceJoiner, MalformedVoiceEventsAreTheCallersError) {
  asio::io_context io;
  lavalink::VoiceJoiner joiner(
      io.get_executor(), bot,
      [](Snowflake, lavalink::VoiceState, lavalink::VoiceJoiner::Handler) {});
  EXPECT_THROW(joiner.feed("{"), std::invalid_argument);
  EXPECT_THROW(joiner.feed(json::parse(R"({"t":"VOICE_STATE_UPDATE","d":[]})")),
               std::invalid_argument);
  auto no_session = voice_state(channel_a);
  no_session.at("d").as_object().erase("session_id");
  EXPECT_THROW(joiner.feed(no_session), std::invalid_argument);
  auto bad_channel = voice_state(channel_a);
  bad_channel.at("d").as_object()["channel_id"] = 5;
  EXPECT_THROW(joiner.feed(bad_channel), std::invalid_argument);
  auto no_token = voice_server();
  no_token.at("d").as_object().erase("token");
  EXPECT_THROW(joiner.feed(no_token), std::invalid_argument);
}

}  // namespace
