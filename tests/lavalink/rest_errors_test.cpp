// How lavalink::Rest maps what a node answers (or fails to) onto the error tree: one test per
// class, plus cancellation, destruction, and the password staying out of every message.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/rest.hpp"
#include "lavalink/rest_harness.hpp"
#include "support/expect_error.hpp"

namespace {

namespace asio = boost::asio;
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

const std::string password = "youshallnotpass";

void expect_no_password(const std::exception_ptr& error) {
  EXPECT_EQ(what(error).find(password), std::string::npos) << what(error);
}

TEST(LavalinkRestErrors, ErrorJsonIsARestRequestErrorWithEveryField) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"({"timestamp":1667857581613,"status":404,"error":"Not Found",
      "trace":"lavalink.server...SessionNotFound","message":"Session not found",
      "path":"/v4/sessions/xtaug914v9k5032f/players/817327181659111454"})",
                       404);
  });
  auto out = h.call<lavalink::Player>(
      [&](auto handler) { h.rest->get_player("xtaug914v9k5032f", Snowflake(1), handler); });
  const auto* e = expect_error<lavalink::RestRequestError>(out.error, "Session not found");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->timestamp(), 1667857581613);
  EXPECT_EQ(e->status(), 404);
  EXPECT_EQ(e->error(), "Not Found");
  EXPECT_EQ(e->message(), "Session not found");
  EXPECT_EQ(e->path(), "/v4/sessions/xtaug914v9k5032f/players/817327181659111454");
  EXPECT_EQ(e->trace(), "lavalink.server...SessionNotFound");
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, RestRequestErrorIsARestError) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"({"timestamp":1,"status":400,"error":"Bad Request",
      "message":"No track to decode provided","path":"/v4/decodetrack"})",
                       400);
  });
  auto out = h.call<lavalink::Track>([&](auto handler) { h.rest->decode_track("", handler); });
  expect_error<lavalink::RestError>(out.error, "No track to decode provided");
}

TEST(LavalinkRestErrors, MissingPasswordIs401RestStatusError) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(401); });
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  const auto* e = expect_error<lavalink::RestStatusError>(out.error, "401");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 401);
  EXPECT_TRUE(e->body_excerpt().empty());
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, WrongPasswordIs403RestStatusErrorEvenForVoidRoutes) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(403); });
  auto out = h.call_void([&](auto handler) { h.rest->free_all_addresses(handler); });
  const auto* e = expect_error<lavalink::RestStatusError>(out.error, "403");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 403);
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, ServerErrorWithoutErrorJsonKeepsAnExcerpt) {
  RestHarness h([](const ReceivedRequest&) { return text_reply("upstream exploded", 502); });
  auto out = h.call<lavalink::Stats>([&](auto handler) { h.rest->stats(handler); });
  const auto* e = expect_error<lavalink::RestStatusError>(out.error, "upstream exploded");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 502);
}

TEST(LavalinkRestErrors, NoContentWhereABodyIsDocumentedIsRestEmptyError) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(204); });
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  expect_error<lavalink::RestEmptyError>(out.error, "GET /v4/info");
}

TEST(LavalinkRestErrors, EmptyOkIsRestEmptyErrorEvenWhere204MeansNothing) {
  RestHarness h([](const ReceivedRequest&) { return empty_reply(200); });
  auto status = h.call<std::optional<lavalink::RoutePlannerStatus>>(
      [&](auto handler) { h.rest->routeplanner_status(handler); });
  expect_error<lavalink::RestEmptyError>(status.error, "200");
  auto players = h.call<std::vector<lavalink::Player>>(
      [&](auto handler) { h.rest->get_players("s", handler); });
  expect_error<lavalink::RestEmptyError>(players.error);
}

TEST(LavalinkRestErrors, BodyThatIsNotJsonIsBuildErrorAtTheRoot) {
  RestHarness h([](const ReceivedRequest&) { return text_reply("<html>proxy</html>"); });
  auto out = h.call<lavalink::LoadResult>([&](auto handler) { h.rest->load_tracks("x", handler); });
  const auto* e = expect_error<lavalink::BuildError>(out.error, "not JSON");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path(), "");
}

TEST(LavalinkRestErrors, WrongShapeIsBuildErrorNamingTheField) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"({"players":1,"playingPlayers":"one","uptime":1,"memory":{"free":1,
      "used":2,"allocated":3,"reservable":4},"cpu":{"cores":2,"systemLoad":0.1,
      "lavalinkLoad":0.05}})");
  });
  auto out = h.call<lavalink::Stats>([&](auto handler) { h.rest->stats(handler); });
  const auto* e = expect_error<lavalink::BuildError>(out.error, "playingPlayers");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path(), "playingPlayers");
}

TEST(LavalinkRestErrors, BuildErrorInAnArrayNamesTheIndex) {
  RestHarness h([](const ReceivedRequest&) {
    return Reply::json(R"([{"guildId":"1","track":null,"volume":100,"paused":false,
      "state":{"time":1,"position":0,"connected":false,"ping":-1},
      "voice":{"token":"","endpoint":"","sessionId":""},"filters":{}},
      {"guildId":"2","track":null,"volume":"loud","paused":false,
      "state":{"time":1,"position":0,"connected":false,"ping":-1},
      "voice":{"token":"","endpoint":"","sessionId":""},"filters":{}}])");
  });
  auto out = h.call<std::vector<lavalink::Player>>(
      [&](auto handler) { h.rest->get_players("s", handler); });
  const auto* e = expect_error<lavalink::BuildError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path(), "[1].volume");
}

TEST(LavalinkRestErrors, UnknownLoadTypeIsKeptNotAnError) {
  RestHarness h(
      [](const ReceivedRequest&) { return Reply::json(R"({"loadType":"short","data":{"a":1}})"); });
  auto out = h.call<lavalink::LoadResult>([&](auto handler) { h.rest->load_tracks("x", handler); });
  ASSERT_FALSE(out.error) << what(out.error);
  EXPECT_EQ(std::get<lavalink::UnknownLoadResult>(out.value).load_type, "short");
}

TEST(LavalinkRestErrors, ClosedConnectionIsNetworkError) {
  RestHarness h([](const ReceivedRequest&) { return Reply::close(); });
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  expect_error<cadence::NetworkError>(out.error);
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, ResetConnectionIsNetworkErrorReset) {
  RestHarness h([](const ReceivedRequest&) { return Reply::reset(); });
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  const auto* e = expect_error<cadence::NetworkError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::reset);
}

TEST(LavalinkRestErrors, NothingListeningIsNetworkErrorRefused) {
  asio::io_context io;
  // A port that was free a moment ago: bound, then closed.
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  lavalink::Rest rest(io.get_executor(), {.base_url = "http://127.0.0.1:" + std::to_string(port),
                                          .password = password});
  cadence::test::Outcome<lavalink::Info> out;
  rest.info([&](std::exception_ptr e, lavalink::Info) {
    ++out.completions;
    out.error = e;
  });
  ASSERT_TRUE(cadence::test::run_until(io, [&] { return out.completions > 0; }));
  EXPECT_EQ(out.completions, 1);
  const auto* e = expect_error<cadence::NetworkError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::refused);
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, SlowAnswerIsTimeoutErrorAfterThePerRequestTimeout) {
  RestHarness h([](const ReceivedRequest&) { return Reply::hang(); },
                lavalink::RestOptions{.timeout = std::chrono::milliseconds(200)});
  const auto start = std::chrono::steady_clock::now();
  auto out = h.call<lavalink::Info>([&](auto handler) { h.rest->info(handler); });
  const auto* e = expect_error<cadence::TimeoutError>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->after(), std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  expect_no_password(out.error);
}

TEST(LavalinkRestErrors, CancellationCompletesOnceWithOperationAborted) {
  RestHarness h([](const ReceivedRequest&) { return Reply::hang(); });
  asio::cancellation_signal signal;
  cadence::test::Outcome<lavalink::Info> out;
  h.rest->info(
      asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, lavalink::Info) {
        ++out.completions;
        out.error = e;
      }));
  // Cancel once the request is on the wire, so that the HTTP operation itself is cancelled.
  ASSERT_TRUE(cadence::test::run_until(h.io, [&] { return !h.requests().empty(); }));
  signal.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(cadence::test::run_until(h.io, [&] { return out.completions > 0; }));
  EXPECT_EQ(out.completions, 1);
  const auto* e = expect_error<boost::system::system_error>(out.error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), asio::error::operation_aborted);
}

TEST(LavalinkRestErrors, DestroyingRestAbortsRunningAndQueuedRequests) {
  RestHarness h([](const ReceivedRequest&) { return Reply::hang(); });
  cadence::test::Outcome<lavalink::Info> running;
  cadence::test::Outcome<lavalink::Stats> queued;
  h.rest->info([&](std::exception_ptr e, lavalink::Info) {
    ++running.completions;
    running.error = e;
  });
  ASSERT_TRUE(cadence::test::run_until(h.io, [&] { return !h.requests().empty(); }));
  // Started but not yet run: its coroutine begins after the Rest is gone.
  h.rest->stats([&](std::exception_ptr e, lavalink::Stats) {
    ++queued.completions;
    queued.error = e;
  });
  h.rest.reset();
  ASSERT_TRUE(cadence::test::run_until(
      h.io, [&] { return running.completions > 0 && queued.completions > 0; }));
  EXPECT_EQ(running.completions, 1);
  EXPECT_EQ(queued.completions, 1);
  for (const auto& error : {running.error, queued.error}) {
    const auto* e = expect_error<boost::system::system_error>(error);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), asio::error::operation_aborted);
  }
}

}  // namespace
