#include "cadence/http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <thread>

#include "cadence/core/error.hpp"
#include "support/expect_error.hpp"
#include "support/test_server.hpp"

namespace {

namespace asio = boost::asio;
using cadence::test::expect_error;
using cadence::test::ReceivedRequest;
using cadence::test::Reply;
using cadence::test::TestServer;
namespace http = cadence::http;

struct Outcome {
  int completions = 0;
  std::exception_ptr error;
  http::Response response;
};

// Starts a request whose completion is recorded in `out`; the caller runs the io_context.
void start(http::Client& client, http::Request req, Outcome& out) {
  client.async_send(std::move(req), [&out](std::exception_ptr e, http::Response r) {
    ++out.completions;
    out.error = e;
    out.response = std::move(r);
  });
}

// Runs handlers until `done` holds. The pool's idle sweep keeps the io_context busy, so
// io.run() would not return while connections are pooled.
template <class Pred>
void run_until(asio::io_context& io, Pred done) {
  while (!done()) {
    // Bounded waits, because `done` may depend on another thread (the test server).
    // A context that ran out of work stops, and must be restarted before it runs new work.
    if (io.run_one_for(std::chrono::milliseconds(5)) == 0 && io.stopped()) io.restart();
  }
  io.poll();
}

Outcome send(asio::io_context& io, http::Client& client, http::Request req) {
  Outcome out;
  start(client, std::move(req), out);
  run_until(io, [&] { return out.completions > 0; });
  return out;
}

http::Request get(std::string url) {
  http::Request r;
  r.url = std::move(url);
  return r;
}

Reply ok_json(const ReceivedRequest&) { return Reply::json(R"({"ok":true})"); }

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  TestServer server(ok_json);
  asio::io_context io;
  http::Client client(io.get_executor());
  for (int i = 0; i < 100; ++i) {
    auto out = send(io, client, get(server.url("/n")));
    ASSERT_FALSE(out.error) << cadence::test::what(out.error);
    ASSERT_EQ(out.response.status, 200u);
    ASSERT_EQ(out.response.body, R"({"ok":true})");
    ASSERT_EQ(out.completions, 1);
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.requests_received(), 100u);
  const auto stats = client.pool_stats(server.url(""));
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.reused, 99u);
  EXPECT_EQ(stats.idle, 1u);
}

TEST(HttpClient, ConcurrentRequestsNeverExceedThePerOriginCap) {
  TestServer server(ok_json);
  asio::io_context io;
  http::ClientOptions options;
  options.max_connections_per_origin = 4;
  http::Client client(io.get_executor(), options);
  std::vector<Outcome> outs(60);
  for (auto& out : outs) start(client, get(server.url("/c")), out);
  run_until(io, [&] {
    return std::all_of(outs.begin(), outs.end(), [](const Outcome& o) { return o.completions; });
  });
  for (const auto& out : outs) {
    EXPECT_EQ(out.completions, 1);
    EXPECT_FALSE(out.error) << cadence::test::what(out.error);
  }
  EXPECT_LE(server.max_concurrent_connections(), 4u);
  EXPECT_EQ(server.requests_received(), 60u);
  EXPECT_LE(client.pool_stats(server.url("")).connects, 4u);
}

TEST(HttpClient, IdleConnectionClosedByServerIsReplacedForTheNextGet) {
  TestServer server(ok_json);
  asio::io_context io;
  http::Client client(io.get_executor());
  ASSERT_FALSE(send(io, client, get(server.url("/a"))).error);
  server.close_idle_connections();
  auto out = send(io, client, get(server.url("/b")));
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.status, 200u);
  EXPECT_EQ(server.connections_accepted(), 2u);
  EXPECT_EQ(server.requests_received(), 2u);
}

// The server accepts the second request on a connection and closes without answering: the
// race in which a keep-alive connection dies just as a request is written to it.
Reply close_second_on_connection(const ReceivedRequest& r) {
  if (r.index_on_connection == 1) return Reply::close();
  return Reply::json("{}");
}

TEST(HttpClient, GetIsResentOnceWhenAPooledConnectionDiesUnanswered) {
  TestServer server(close_second_on_connection);
  asio::io_context io;
  http::Client client(io.get_executor());
  ASSERT_FALSE(send(io, client, get(server.url("/1"))).error);
  auto out = send(io, client, get(server.url("/2")));
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.completions, 1);
  EXPECT_EQ(server.requests_received(), 3u);
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST(HttpClient, PostIsNotResentWhenAPooledConnectionDiesUnanswered) {
  TestServer server(close_second_on_connection);
  asio::io_context io;
  http::Client client(io.get_executor());
  http::Request post{.method = http::Method::post, .url = server.url("/p"), .body = "{}"};
  ASSERT_FALSE(send(io, client, post).error);
  auto out = send(io, client, post);
  const auto* e = expect_error<cadence::NetworkError>(out.error, "not sent again");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::eof);
  EXPECT_EQ(server.requests_received(), 2u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(HttpClient, PostMarkedIdempotentIsResent) {
  TestServer server(close_second_on_connection);
  asio::io_context io;
  http::Client client(io.get_executor());
  http::Request post{
      .method = http::Method::post, .url = server.url("/p"), .body = "{}", .idempotent = true};
  ASSERT_FALSE(send(io, client, post).error);
  auto out = send(io, client, post);
  EXPECT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(server.requests_received(), 3u);
}

TEST(HttpClient, ResetInTheMiddleOfTheBodyIsANetworkError) {
  TestServer server([](const ReceivedRequest&) { return Reply::partial_reset(1000, "{\"a\":"); });
  asio::io_context io;
  http::Client client(io.get_executor());
  auto out = send(io, client, get(server.url("/r")));
  const auto* e = expect_error<cadence::NetworkError>(out.error);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->kind() == cadence::NetworkError::Kind::reset ||
              e->kind() == cadence::NetworkError::Kind::eof)
      << e->what();
  EXPECT_EQ(out.completions, 1);
}

TEST(HttpClient, ServerThatNeverAnswersTimesOutWithinTheTimeoutPlusAMargin) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  asio::io_context io;
  http::ClientOptions options;
  options.request_timeout = std::chrono::milliseconds(300);
  http::Client client(io.get_executor(), options);
  const auto start_time = std::chrono::steady_clock::now();
  auto out = send(io, client, get(server.url("/slow")));
  const auto elapsed = std::chrono::steady_clock::now() - start_time;
  const auto* e = expect_error<cadence::TimeoutError>(out.error, "within 300 ms");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->after(), std::chrono::milliseconds(300));
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(300 + 700));
}

TEST(HttpClient, PerRequestTimeoutOverridesTheDefault) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  asio::io_context io;
  http::Client client(io.get_executor());  // 15 s default
  auto req = get(server.url("/slow"));
  req.timeout = std::chrono::milliseconds(100);
  auto out = send(io, client, req);
  EXPECT_NE(expect_error<cadence::TimeoutError>(out.error, "within 100 ms"), nullptr);
}

// The deadlines of all busy connections share one timer armed for the earliest; a shorter
// deadline that starts later must re-arm it, and a timeout must not disturb other exchanges.
TEST(HttpClient, ShorterTimeoutStartedLaterExpiresFirstAndOthersGoOn) {
  TestServer server([](const ReceivedRequest& r) {
    return r.target == "/ok" ? Reply::json(R"({"ok":true})") : Reply::hang();
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  Outcome slow;
  auto slow_req = get(server.url("/slow"));
  slow_req.timeout = std::chrono::milliseconds(10000);
  start(client, slow_req, slow);
  auto fast_req = get(server.url("/fast"));
  fast_req.timeout = std::chrono::milliseconds(100);
  const auto began = std::chrono::steady_clock::now();
  auto fast = send(io, client, fast_req);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
  EXPECT_NE(expect_error<cadence::TimeoutError>(fast.error, "within 100 ms"), nullptr);
  EXPECT_EQ(slow.completions, 0);

  auto ok = send(io, client, get(server.url("/ok")));
  ASSERT_EQ(ok.error, nullptr);
  EXPECT_EQ(ok.response.status, 200u);
  EXPECT_EQ(slow.completions, 0);
}

TEST(HttpClient, OversizedBodyIsResponseTooLarge) {
  TestServer server([](const ReceivedRequest&) { return Reply::json(std::string(4096, 'x')); });
  asio::io_context io;
  http::ClientOptions options;
  options.max_body_size = 1024;
  http::Client client(io.get_executor(), options);
  auto out = send(io, client, get(server.url("/big")));
  const auto* e = expect_error<cadence::ResponseTooLargeError>(out.error, "1024 byte limit");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->limit(), 1024u);
}

TEST(HttpClient, OversizedChunkedBodyIsResponseTooLarge) {
  TestServer server([](const ReceivedRequest&) {
    auto r = Reply::json(std::string(4096, 'y'));
    r.chunked = true;
    return r;
  });
  asio::io_context io;
  http::ClientOptions options;
  options.max_body_size = 1024;
  http::Client client(io.get_executor(), options);
  auto out = send(io, client, get(server.url("/big")));
  EXPECT_NE(expect_error<cadence::ResponseTooLargeError>(out.error), nullptr);
}

TEST(HttpClient, ChunkedBodyIsReadWhole) {
  TestServer server([](const ReceivedRequest&) {
    auto r = Reply::json(std::string(100000, 'z'));
    r.chunked = true;
    return r;
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  auto out = send(io, client, get(server.url("/chunked")));
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.body.size(), 100000u);
}

TEST(HttpClient, RefusedConnectionIsANetworkErrorOfKindRefused) {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    // Bind and close a port so that nothing listens there.
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  http::Client client(io.get_executor());
  auto out = send(io, client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  const auto* e = expect_error<cadence::NetworkError>(out.error, "refused");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::refused);
}

TEST(HttpClient, NonHttpReplyIsAProtocolError) {
  // A raw TCP server that answers with garbage.
  asio::io_context server_io;
  asio::ip::tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
  std::thread t([&] {
    auto socket = acceptor.accept();
    char buf[1024];
    boost::system::error_code ec;
    socket.read_some(asio::buffer(buf), ec);
    asio::write(socket, asio::buffer(std::string_view("SSH-2.0-OpenSSH\r\n\r\n")), ec);
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  auto out =
      send(io, client, get("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port())));
  t.join();
  const auto* e = expect_error<cadence::NetworkError>(out.error, "malformed");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind(), cadence::NetworkError::Kind::protocol);
}

TEST(HttpClient, BadUrlFailsThroughTheCompletionNeverInline) {
  asio::io_context io;
  http::Client client(io.get_executor());
  Outcome out;
  start(client, get("ftp://example.com/"), out);
  EXPECT_EQ(out.completions, 0);  // not inside the initiating call
  run_until(io, [&] { return out.completions > 0; });
  EXPECT_NE(expect_error<std::invalid_argument>(out.error, "scheme"), nullptr);
  EXPECT_EQ(out.completions, 1);
}

TEST(HttpClient, HeaderWithCrLfIsRejectedBeforeAnythingIsSent) {
  TestServer server(ok_json);
  asio::io_context io;
  http::Client client(io.get_executor());
  auto req = get(server.url("/"));
  req.headers.set("X-Audit-Log-Reason", "ok\r\nX-Injected: 1");
  auto out = send(io, client, req);
  EXPECT_NE(expect_error<std::invalid_argument>(out.error, "CR, LF"), nullptr);
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST(HttpClient, ErrorsNeverQuoteTheAuthorizationHeaderOrThePath) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  asio::io_context io;
  http::Client client(io.get_executor());
  auto req = get(server.url("/api/webhooks/1/secret-webhook-token"));
  req.headers.set("Authorization", "Bot secret-bot-token");
  req.timeout = std::chrono::milliseconds(50);
  auto out = send(io, client, req);
  const auto message = cadence::test::what(out.error);
  ASSERT_FALSE(message.empty());
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  EXPECT_NE(message.find("http://127.0.0.1:"), std::string::npos) << message;
}

TEST(HttpClient, RequestHeadersAndBodyReachTheServer) {
  ReceivedRequest seen;
  TestServer server([&](const ReceivedRequest& r) {
    seen = r;
    return Reply::json("{}", 201);
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  http::Request req{
      .method = http::Method::patch, .url = server.url("/x?y=1"), .body = "{\"a\":1}"};
  req.headers.set("Content-Type", "application/json");
  auto out = send(io, client, req);
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.response.status, 201u);
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.target, "/x?y=1");
  EXPECT_EQ(seen.body, "{\"a\":1}");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.header("Content-Length"), "7");
  EXPECT_TRUE(seen.header("User-Agent").value_or("").starts_with("cadence/"));
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, ErrorStatusesAreResponsesAtThisLayer) {
  TestServer server(
      [](const ReceivedRequest&) { return Reply::json("{\"message\":\"no\"}", 404); });
  asio::io_context io;
  http::Client client(io.get_executor());
  auto out = send(io, client, get(server.url("/missing")));
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.response.status, 404u);
  EXPECT_EQ(out.response.headers.get("content-type"), "application/json");
}

TEST(HttpClient, HeadResponseHasNoBodyAndKeepsTheConnection) {
  TestServer server([](const ReceivedRequest&) {
    Reply r;
    r.headers.emplace_back("Content-Length", "5000");
    return r;
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  http::Request head{.method = http::Method::head, .url = server.url("/h")};
  for (int i = 0; i < 3; ++i) {
    auto out = send(io, client, head);
    ASSERT_FALSE(out.error) << cadence::test::what(out.error);
    EXPECT_TRUE(out.response.body.empty());
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(HttpClient, ServerConnectionCloseIsHonoured) {
  TestServer server([](const ReceivedRequest&) {
    auto r = Reply::json("{}");
    r.keep_alive = false;
    return r;
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(send(io, client, get(server.url("/"))).error);
  EXPECT_EQ(server.connections_accepted(), 3u);
  EXPECT_EQ(client.pool_stats(server.url("")).open, 0u);
}

TEST(HttpClient, TerminalCancellationAbortsAHangingRequest) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  asio::io_context io;
  http::Client client(io.get_executor());
  asio::cancellation_signal signal;
  Outcome out;
  client.async_send(get(server.url("/")),
                    asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, auto) {
                      ++out.completions;
                      out.error = e;
                    }));
  run_until(io, [&] { return server.requests_received() == 1; });
  signal.emit(asio::cancellation_type::terminal);
  run_until(io, [&] { return out.completions > 0; });
  const auto* e = expect_error<boost::system::system_error>(out.error);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code(), asio::error::operation_aborted);
  EXPECT_EQ(client.pool_stats(server.url("")).open, 0u);
}

TEST(HttpClient, CancellingAWaitingRequestGivesItsTurnToTheNext) {
  std::atomic<int> seen{0};
  TestServer server(
      [&](const ReceivedRequest&) { return ++seen == 1 ? Reply::hang() : Reply::json("{}"); });
  asio::io_context io;
  http::ClientOptions options;
  options.max_connections_per_origin = 1;
  options.request_timeout = std::chrono::milliseconds(200);
  http::Client client(io.get_executor(), options);
  Outcome first, second, third;
  asio::cancellation_signal signal;
  start(client, get(server.url("/1")), first);
  client.async_send(get(server.url("/2")),
                    asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, auto) {
                      ++second.completions;
                      second.error = e;
                    }));
  start(client, get(server.url("/3")), third);
  run_until(io, [&] { return client.pool_stats(server.url("")).waiting == 2; });
  signal.emit(asio::cancellation_type::terminal);
  run_until(io, [&] { return first.completions && second.completions && third.completions; });
  EXPECT_NE(expect_error<cadence::TimeoutError>(first.error), nullptr);
  EXPECT_NE(expect_error<boost::system::system_error>(second.error), nullptr);
  EXPECT_FALSE(third.error) << cadence::test::what(third.error);
  EXPECT_EQ(first.completions + second.completions + third.completions, 3);
}

TEST(HttpClient, DestroyingTheClientAbortsEveryOperationExactlyOnce) {
  TestServer server([](const ReceivedRequest&) { return Reply::hang(); });
  asio::io_context io;
  std::vector<Outcome> outs(5);
  {
    http::ClientOptions options;
    options.max_connections_per_origin = 2;
    http::Client client(io.get_executor(), options);
    for (auto& out : outs) start(client, get(server.url("/")), out);
    run_until(io, [&] { return server.requests_received() == 2; });
  }
  io.run();  // the client is gone: nothing may keep the context busy
  for (const auto& out : outs) {
    EXPECT_EQ(out.completions, 1);
    const auto* e = expect_error<boost::system::system_error>(out.error);
    if (e) {
      EXPECT_EQ(e->code(), asio::error::operation_aborted);
    }
  }
}

TEST(HttpClient, WorksWithUseFuture) {
  TestServer server(ok_json);
  asio::io_context io;
  http::Client client(io.get_executor());
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  auto future = client.async_send(get(server.url("/f")), asio::use_future);
  auto res = future.get();
  EXPECT_EQ(res.status, 200u);
  work.reset();
  asio::post(io, [&] { io.stop(); });
  runner.join();
}

TEST(HttpClient, WorksWithUseAwaitableAndThrowsTypedErrors) {
  TestServer server([](const ReceivedRequest& r) {
    return r.target == "/slow" ? Reply::hang() : Reply::json("{}");
  });
  asio::io_context io;
  http::Client client(io.get_executor());
  int status = 0;
  bool timed_out = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto res = co_await client.async_send(get(server.url("/ok")), asio::use_awaitable);
        status = static_cast<int>(res.status);
        auto slow = get(server.url("/slow"));
        slow.timeout = std::chrono::milliseconds(50);
        try {
          co_await client.async_send(slow, asio::use_awaitable);
        } catch (const cadence::TimeoutError&) {
          timed_out = true;
        }
      },
      asio::detached);
  run_until(io, [&] { return timed_out || status == -1; });
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(timed_out);
}

}  // namespace

namespace {

TEST(HttpClient, UseAwaitableDeliversAConnectFailureAsATypedThrow) {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  http::Client client(io.get_executor());
  bool refused = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          // Named, not a braced temporary: g++ 12 destroys temporaries of a co_await
          // full-expression twice (see docs/architecture.md, "Known compiler issues").
          auto req = get("http://127.0.0.1:" + std::to_string(port) + "/");
          co_await client.async_send(req, asio::use_awaitable);
        } catch (const cadence::NetworkError& e) {
          refused = e.kind() == cadence::NetworkError::Kind::refused;
        }
      },
      asio::detached);
  run_until(io, [&] { return refused; });
  EXPECT_TRUE(refused);
}

}  // namespace
