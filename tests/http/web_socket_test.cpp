#include "cadence/http/web_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/sim/http_server.hpp"
#include "support/expect_error.hpp"

namespace {

namespace asio = boost::asio;
namespace http = cadence::http;
namespace sim = cadence::sim;
using cadence::test::expect_error;
using namespace std::chrono_literals;

/// What one operation delivered, and how often it completed (must end at exactly 1).
template <class T>
struct Outcome {
  int completions = 0;
  std::exception_ptr error;
  T value{};

  auto handler() {
    return [this](std::exception_ptr e, T v) {
      ++completions;
      error = e;
      value = std::move(v);
    };
  }
  [[nodiscard]] bool done() const { return completions > 0; }
};

struct VoidOutcome {
  int completions = 0;
  std::exception_ptr error;

  auto handler() {
    return [this](std::exception_ptr e) {
      ++completions;
      error = e;
    };
  }
  [[nodiscard]] bool done() const { return completions > 0; }
};

bool is_aborted(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (...) {
  }
  return false;
}

sim::WebSocketRoute echo_route() {
  return sim::WebSocketRoute{{}, [](sim::WebSocketSession session) {
                               session.on_message([session](std::string message, bool binary) {
                                 if (binary) {
                                   session.send_binary(std::move(message));
                                 } else {
                                   session.send(std::move(message));
                                 }
                               });
                             }};
}

class WebSocketTest : public ::testing::Test {
 protected:
  WebSocketTest()
      : server_(io_, {},
                [](const sim::HttpRequest&) { return sim::HttpResponse::text(404, "no"); }) {}

  // Lets the server's connections finish, so that handlers capturing their sessions are
  // released (a session handle inside its own handler is a cycle until the connection ends).
  void TearDown() override {
    server_.stop();
    io_.restart();
    io_.run_for(5s);
  }

  /// Drives the io_context until `done` holds; false after 10 s.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(5ms);
      if (io_.stopped()) io_.restart();
    }
    return true;
  }

  /// Lets already-queued work run (nothing waits on it), e.g. to prove a completion is not
  /// delivered twice.
  void drain() {
    for (int i = 0; i < 50; ++i) {
      io_.poll();
      io_.restart();
    }
  }

  std::string url(std::string_view path = "/ws") const {
    return "ws://127.0.0.1:" + std::to_string(server_.port()) + std::string(path);
  }

  void connect(http::WebSocket& ws, http::Headers headers = {}) {
    Outcome<http::Response> connected;
    ws.async_connect(url(), std::move(headers), connected.handler());
    ASSERT_TRUE(run_until([&] { return connected.done(); }));
    ASSERT_FALSE(connected.error) << cadence::test::what(connected.error);
    ASSERT_EQ(connected.value.status, 101u);
  }

  http::WebSocketMessage read(http::WebSocket& ws) {
    Outcome<http::WebSocketMessage> got;
    ws.async_read(got.handler());
    EXPECT_TRUE(run_until([&] { return got.done(); }));
    EXPECT_FALSE(got.error) << cadence::test::what(got.error);
    return got.value;
  }

  asio::io_context io_;
  sim::HttpServer server_;
};

TEST_F(WebSocketTest, EchoesTextAndBinaryMessages) {
  server_.on_websocket("/ws", echo_route());
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  EXPECT_TRUE(ws.is_open());

  VoidOutcome text_written;
  ws.async_write_text("hello", text_written.handler());
  auto text = read(ws);
  EXPECT_EQ(text.payload, "hello");
  EXPECT_FALSE(text.binary);

  VoidOutcome binary_written;
  const std::string bytes("\x00\x01\xff", 3);
  ws.async_write_binary(bytes, binary_written.handler());
  auto binary = read(ws);
  EXPECT_EQ(binary.payload, bytes);
  EXPECT_TRUE(binary.binary);

  drain();
  EXPECT_EQ(text_written.completions, 1);
  EXPECT_EQ(binary_written.completions, 1);
  EXPECT_FALSE(text_written.error);
  EXPECT_FALSE(binary_written.error);
}

TEST_F(WebSocketTest, SendsHandshakeHeadersAndExposesTheResponseHeaders) {
  std::optional<sim::HttpRequest> upgrade;
  server_.on_websocket("/v4/websocket",
                       sim::WebSocketRoute{[&](const sim::HttpRequest& req) {
                                             upgrade = req;
                                             auto answer = sim::HttpResponse::empty(101);
                                             answer.set_header("Session-Resumed", "true");
                                             return answer;
                                           },
                                           {}});
  http::WebSocketOptions options;
  options.headers = {{"Client-Name", "from-options"}, {"User-Id", "replaced"}};
  http::WebSocket ws(io_.get_executor(), options);
  Outcome<http::Response> connected;
  ws.async_connect(url("/v4/websocket?v=4"),
                   {{"Authorization", "youshallnotpass"},
                    {"User-Id", "170939974227591168"},
                    {"Session-Id", "abc"}},
                   connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  ASSERT_FALSE(connected.error) << cadence::test::what(connected.error);

  ASSERT_TRUE(upgrade.has_value());
  EXPECT_EQ(upgrade->path, "/v4/websocket");
  EXPECT_EQ(upgrade->query_param("v"), "4");
  EXPECT_EQ(upgrade->header("Authorization"), "youshallnotpass");
  EXPECT_EQ(upgrade->header("User-Id"), "170939974227591168");
  EXPECT_EQ(upgrade->header("Session-Id"), "abc");
  EXPECT_EQ(upgrade->header("Client-Name"), "from-options");
  EXPECT_EQ(upgrade->header("User-Agent"), options.user_agent);
  EXPECT_EQ(connected.value.headers.get("Session-Resumed"), "true");
  EXPECT_EQ(ws.handshake_response().status, 101u);
  EXPECT_EQ(ws.handshake_response().headers.get("Session-Resumed"), "true");
  drain();
  EXPECT_EQ(connected.completions, 1);
}

TEST_F(WebSocketTest, RefusedUpgradeCarriesTheStatusButNotTheSecret) {
  server_.on_websocket("/ws", sim::WebSocketRoute{[](const sim::HttpRequest&) {
                                                    return sim::HttpResponse::text(401, "denied");
                                                  },
                                                  {}});
  http::WebSocket ws(io_.get_executor());
  Outcome<http::Response> connected;
  ws.async_connect(url(), {{"Authorization", "hunter2-secret"}}, connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  const auto* error = expect_error<http::WebSocketHandshakeError>(connected.error, "401");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->status(), 401u);
  EXPECT_EQ(error->response().body, "denied");
  EXPECT_EQ(std::string(error->what()).find("hunter2"), std::string::npos);
  EXPECT_FALSE(ws.is_open());
  drain();
  EXPECT_EQ(connected.completions, 1);
}

TEST_F(WebSocketTest, UpgradeOnAPathWithoutAWebSocketIsRefusedWith404) {
  http::WebSocket ws(io_.get_executor());
  Outcome<http::Response> connected;
  ws.async_connect(url("/nothing?token=hunter2"), {}, connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  const auto* error = expect_error<http::WebSocketHandshakeError>(connected.error, "404");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->status(), 404u);
  EXPECT_EQ(std::string(error->what()).find("hunter2"), std::string::npos);
  drain();
  EXPECT_EQ(connected.completions, 1);
}

TEST_F(WebSocketTest, ServerCloseCarriesCodeAndReason) {
  server_.on_websocket("/ws", sim::WebSocketRoute{{}, [](sim::WebSocketSession session) {
                                                    session.close(4004, "Invalid session");
                                                  }});
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  const auto* closed = expect_error<http::WebSocketClosedError>(got.error, "4004");
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->code(), 4004);
  EXPECT_EQ(closed->reason(), "Invalid session");
  EXPECT_FALSE(ws.is_open());

  // Later operations report the same ending.
  Outcome<http::WebSocketMessage> again;
  VoidOutcome write;
  VoidOutcome close;
  ws.async_read(again.handler());
  ws.async_write_text("late", write.handler());
  ws.async_close(1000, {}, close.handler());
  ASSERT_TRUE(run_until([&] { return again.done() && write.done() && close.done(); }));
  ASSERT_NE(expect_error<http::WebSocketClosedError>(again.error, "4004"), nullptr);
  ASSERT_NE(expect_error<http::WebSocketClosedError>(write.error, "4004"), nullptr);
  EXPECT_FALSE(close.error) << "closing an ended connection has nothing to do";
  drain();
  EXPECT_EQ(got.completions + again.completions + write.completions + close.completions, 4);
}

TEST_F(WebSocketTest, DroppedConnectionIsANetworkError) {
  server_.on_websocket(
      "/ws", sim::WebSocketRoute{{}, [](sim::WebSocketSession session) { session.drop(); }});
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  const auto* error = expect_error<cadence::NetworkError>(got.error, "without a close frame");
  ASSERT_NE(error, nullptr);
  EXPECT_TRUE(error->kind() == cadence::NetworkError::Kind::eof ||
              error->kind() == cadence::NetworkError::Kind::reset);
  drain();
  EXPECT_EQ(got.completions, 1);
}

TEST_F(WebSocketTest, ClientCloseSendsCodeAndReasonAndEndsThePendingRead) {
  std::optional<std::pair<std::uint16_t, std::string>> server_saw;
  server_.on_websocket(
      "/ws", sim::WebSocketRoute{{}, [&](sim::WebSocketSession session) {
                                   session.on_close([&](std::uint16_t code, std::string why) {
                                     server_saw.emplace(code, why);
                                   });
                                 }});
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  VoidOutcome closed;
  ws.async_read(got.handler());
  ws.async_close(4000, "bye", closed.handler());
  ASSERT_TRUE(run_until([&] { return got.done() && closed.done() && server_saw; }));
  EXPECT_FALSE(closed.error) << cadence::test::what(closed.error);
  ASSERT_NE(expect_error<http::WebSocketClosedError>(got.error), nullptr);
  EXPECT_EQ(server_saw->first, 4000);
  EXPECT_EQ(server_saw->second, "bye");
  EXPECT_FALSE(ws.is_open());
  drain();
  EXPECT_EQ(got.completions, 1);
  EXPECT_EQ(closed.completions, 1);
}

TEST_F(WebSocketTest, ManyQueuedWritesArriveInOrder) {
  std::vector<std::string> received;
  server_.on_websocket("/ws", sim::WebSocketRoute{{}, [&](sim::WebSocketSession session) {
                                                    session.on_message([&](std::string m, bool) {
                                                      received.push_back(std::move(m));
                                                    });
                                                  }});
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  constexpr int count = 200;
  std::vector<VoidOutcome> writes(count);
  for (int i = 0; i < count; ++i) {
    // Every other message is large, so that writes really overlap on the socket.
    auto payload = std::to_string(i) + (i % 2 == 0 ? std::string(64 * 1024, 'x') : "");
    ws.async_write_text(std::move(payload), writes[i].handler());
  }
  EXPECT_EQ(writes[0].completions, 0) << "never completes inside the call";
  ASSERT_TRUE(run_until([&] { return received.size() == count; }));
  drain();
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(received[i].substr(0, std::to_string(i).size()), std::to_string(i));
    EXPECT_EQ(writes[i].completions, 1);
    EXPECT_FALSE(writes[i].error);
  }
}

TEST_F(WebSocketTest, WritesProceedWhileAReadIsPending) {
  server_.on_websocket("/ws", echo_route());
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  VoidOutcome first;
  VoidOutcome second;
  ws.async_write_text("one", first.handler());
  ws.async_write_text("two", second.handler());
  ASSERT_TRUE(run_until([&] { return got.done() && first.done() && second.done(); }));
  EXPECT_FALSE(got.error);
  EXPECT_EQ(got.value.payload, "one");
  EXPECT_EQ(read(ws).payload, "two");
  drain();
  EXPECT_EQ(got.completions + first.completions + second.completions, 3);
  EXPECT_FALSE(first.error);
  EXPECT_FALSE(second.error);
}

TEST_F(WebSocketTest, OversizedMessageIsResponseTooLarge) {
  server_.on_websocket("/ws", sim::WebSocketRoute{{}, [](sim::WebSocketSession session) {
                                                    session.send(std::string(4096, 'a'));
                                                  }});
  http::WebSocketOptions options;
  options.max_message_size = 1024;
  http::WebSocket ws(io_.get_executor(), options);
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  const auto* error = expect_error<cadence::ResponseTooLargeError>(got.error, "1024");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->limit(), 1024u);
  drain();
  EXPECT_EQ(got.completions, 1);
}

TEST_F(WebSocketTest, QuietPeerThatAnswersPingsStaysConnected) {
  std::optional<sim::WebSocketSession> session;
  server_.on_websocket("/ws",
                       sim::WebSocketRoute{{}, [&](sim::WebSocketSession s) { session = s; }});
  http::WebSocketOptions options;
  options.idle_timeout = 200ms;
  http::WebSocket ws(io_.get_executor(), options);
  connect(ws);
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  // Three idle timeouts of silence: only the pings (answered by the server's Beast stream)
  // keep the connection alive.
  asio::steady_timer later(io_, 600ms);
  later.async_wait([&](boost::system::error_code) { session->send("still here"); });
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  EXPECT_FALSE(got.error) << cadence::test::what(got.error);
  EXPECT_EQ(got.value.payload, "still here");
  drain();
  EXPECT_EQ(got.completions, 1);
}

/// A WebSocket server that completes the handshake and then never reads, so it never answers a
/// ping (Beast answers control frames only inside a read).
class DeafServer {
 public:
  explicit DeafServer(asio::io_context& io)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      ws_.emplace(std::move(socket));
      ws_->async_accept([](boost::system::error_code) {});
    });
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::beast::websocket::stream<boost::beast::tcp_stream>> ws_;
};

TEST_F(WebSocketTest, SilentPeerFailsWithTimeoutAfterTheIdleTimeout) {
  DeafServer deaf(io_);
  http::WebSocketOptions options;
  options.idle_timeout = 200ms;
  http::WebSocket ws(io_.get_executor(), options);
  Outcome<http::Response> connected;
  ws.async_connect("ws://127.0.0.1:" + std::to_string(deaf.port()) + "/", {}, connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  ASSERT_FALSE(connected.error) << cadence::test::what(connected.error);
  Outcome<http::WebSocketMessage> got;
  const auto started = std::chrono::steady_clock::now();
  ws.async_read(got.handler());
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  const auto took = std::chrono::steady_clock::now() - started;
  const auto* error = expect_error<cadence::TimeoutError>(got.error, "200 ms");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->after(), 200ms);
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 5s);
  drain();
  EXPECT_EQ(got.completions, 1);
}

TEST_F(WebSocketTest, CancellingAPendingReadAbortsItAndEndsTheConnection) {
  server_.on_websocket("/ws", echo_route());
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  asio::cancellation_signal cancel;
  Outcome<http::WebSocketMessage> got;
  ws.async_read(asio::bind_cancellation_slot(cancel.slot(), got.handler()));
  io_.poll();
  io_.restart();
  EXPECT_FALSE(got.done());
  cancel.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  EXPECT_TRUE(is_aborted(got.error)) << cadence::test::what(got.error);
  EXPECT_FALSE(ws.is_open());
  VoidOutcome write;
  ws.async_write_text("after", write.handler());
  ASSERT_TRUE(run_until([&] { return write.done(); }));
  EXPECT_TRUE(is_aborted(write.error));
  drain();
  EXPECT_EQ(got.completions, 1);
  EXPECT_EQ(write.completions, 1);
}

TEST_F(WebSocketTest, CancellingAQueuedWriteRemovesItAndKeepsTheConnection) {
  // Declared before the socket: the stuck write completes (aborted) only once the socket is
  // gone, and its handler writes into `stuck`. (Declared after it, as this test once was, the
  // completion ran in TearDown and wrote into this function's dead stack frame: UBSan saw the
  // corrupted frame as a shared_ptr control block holding a system_error.)
  VoidOutcome stuck;
  VoidOutcome queued;
  asio::cancellation_signal cancel;
  DeafServer deaf(io_);
  std::optional<http::WebSocket> ws(std::in_place, io_.get_executor());
  Outcome<http::Response> connected;
  ws->async_connect("ws://127.0.0.1:" + std::to_string(deaf.port()) + "/", {}, connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  ASSERT_FALSE(connected.error) << cadence::test::what(connected.error);

  // The peer never reads, so a write larger than the socket buffers stays in progress and
  // the next one waits in the queue.
  ws->async_write_binary(std::string(64 * 1024 * 1024, 'x'), stuck.handler());
  ws->async_write_text("queued", asio::bind_cancellation_slot(cancel.slot(), queued.handler()));
  for (int i = 0; i < 20; ++i) io_.run_one_for(5ms);
  io_.restart();
  ASSERT_FALSE(stuck.done());
  ASSERT_FALSE(queued.done());
  cancel.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until([&] { return queued.done(); }));
  EXPECT_TRUE(is_aborted(queued.error)) << cadence::test::what(queued.error);
  EXPECT_FALSE(stuck.done());
  EXPECT_TRUE(ws->is_open());
  drain();
  EXPECT_EQ(queued.completions, 1);
  EXPECT_EQ(stuck.completions, 0);

  // Destroying the socket aborts the write in progress, once.
  ws.reset();
  ASSERT_TRUE(run_until([&] { return stuck.done(); }));
  EXPECT_TRUE(is_aborted(stuck.error)) << cadence::test::what(stuck.error);
  drain();
  EXPECT_EQ(stuck.completions, 1);
  EXPECT_EQ(queued.completions, 1);
}

TEST_F(WebSocketTest, DestroyingTheSocketAbortsPendingOperations) {
  server_.on_websocket("/ws", sim::WebSocketRoute{{}, [](sim::WebSocketSession) {}});
  Outcome<http::WebSocketMessage> got;
  std::vector<VoidOutcome> writes(3);
  {
    http::WebSocket ws(io_.get_executor());
    connect(ws);
    ws.async_read(got.handler());
    for (auto& w : writes) ws.async_write_text(std::string(1024 * 1024, 'x'), w.handler());
    // No polling here: the operations start on the strand ahead of the destruction, so the
    // read is pending and the last writes are queued when the socket goes away.
  }
  ASSERT_TRUE(run_until(
      [&] { return got.done() && writes[0].done() && writes[1].done() && writes[2].done(); }));
  EXPECT_TRUE(is_aborted(got.error)) << cadence::test::what(got.error);
  // The first write may have finished before the destruction; the queued ones cannot have.
  EXPECT_TRUE(is_aborted(writes[2].error)) << cadence::test::what(writes[2].error);
  drain();
  EXPECT_EQ(got.completions, 1);
  for (const auto& w : writes) EXPECT_EQ(w.completions, 1);
}

TEST_F(WebSocketTest, ReadBeforeConnectIsInvalidArgumentThroughTheCompletion) {
  http::WebSocket ws(io_.get_executor());
  Outcome<http::WebSocketMessage> got;
  ws.async_read(got.handler());
  EXPECT_EQ(got.completions, 0) << "never completes inside the call";
  ASSERT_TRUE(run_until([&] { return got.done(); }));
  EXPECT_NE(expect_error<std::invalid_argument>(got.error, "async_connect"), nullptr);
  drain();
  EXPECT_EQ(got.completions, 1);
}

TEST_F(WebSocketTest, BadUrlsAndHeadersAreInvalidArguments) {
  struct Case {
    std::string url;
    http::Headers headers;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"http://127.0.0.1/ws", {}, "ws://"},
      {"ws://", {}, "bad WebSocket URL"},
      {url(), {{"Authorization", "a\r\nX-Injected: 1"}}, "CR, LF"},
      {url(), {{"Sec-WebSocket-Key", "x"}}, "Sec-WebSocket-Key"},
  };
  for (const auto& c : cases) {
    http::WebSocket ws(io_.get_executor());
    Outcome<http::Response> connected;
    ws.async_connect(c.url, c.headers, connected.handler());
    ASSERT_TRUE(run_until([&] { return connected.done(); }));
    EXPECT_NE(expect_error<std::invalid_argument>(connected.error, c.fragment), nullptr) << c.url;
    EXPECT_EQ(std::string(cadence::test::what(connected.error)).find("X-Injected"),
              std::string::npos);
    drain();
    EXPECT_EQ(connected.completions, 1);
  }
}

TEST_F(WebSocketTest, RefusedConnectionIsANetworkError) {
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  http::WebSocket ws(io_.get_executor());
  Outcome<http::Response> connected;
  ws.async_connect("ws://127.0.0.1:" + std::to_string(closed_port) + "/", {}, connected.handler());
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  const auto* error = expect_error<cadence::NetworkError>(connected.error, "refused");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->kind(), cadence::NetworkError::Kind::refused);
  drain();
  EXPECT_EQ(connected.completions, 1);
}

TEST_F(WebSocketTest, InvalidCloseCodeIsInvalidArgument) {
  server_.on_websocket("/ws", echo_route());
  http::WebSocket ws(io_.get_executor());
  connect(ws);
  VoidOutcome closed;
  ws.async_close(1006, {}, closed.handler());
  ASSERT_TRUE(run_until([&] { return closed.done(); }));
  EXPECT_NE(expect_error<std::invalid_argument>(closed.error, "1006"), nullptr);
  EXPECT_TRUE(ws.is_open());
  drain();
  EXPECT_EQ(closed.completions, 1);
}

}  // namespace
