#include "cadence/sim/http_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <optional>
#include <thread>

#include "sim/test_client.hpp"

namespace cadence::sim {
namespace {

using namespace std::chrono_literals;
using test::TestClient;

// A server on its own io_context thread; stopping it must let the thread finish by itself.
class Running {
 public:
  template <class Handler>
  explicit Running(Handler handler, HttpServerOptions options = {}) {
    server_.emplace(io_, std::move(options), std::move(handler));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Running() {
    server_->stop();
    thread_.join();
  }
  HttpServer& server() { return *server_; }
  std::uint16_t port() { return server_->port(); }

 private:
  boost::asio::io_context io_;
  std::optional<HttpServer> server_;
  std::thread thread_;
};

HttpResponse echo(const HttpRequest& r) {
  std::string out = r.method + " " + r.path + " body=" + r.body + " from=" + r.remote_address;
  for (const auto& [k, v] : r.query) out += " q:" + k + "=" + v;
  if (auto h = r.header("x-test")) out += " h=" + std::string(*h);
  return HttpResponse::text(200, out);
}

TEST(HttpServer, HandsTheRequestToTheHandler) {
  Running s{HttpServer::Handler(echo)};
  ASSERT_NE(s.port(), 0);
  TestClient c(s.port());
  const auto r = c.request("POST", "/a/b?x=1&y=a%20b+c&flag", {{"X-Test", "yes"}}, "payload");
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "POST /a/b body=payload from=127.0.0.1 q:x=1 q:y=a b c q:flag= h=yes");
  EXPECT_EQ(r.header("server"), "cadence-sim");
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
}

TEST(HttpServer, KeepsTheConnectionAlive) {
  Running s{HttpServer::Handler(echo)};
  TestClient c(s.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.request("GET", "/").status, 200u);
  EXPECT_EQ(s.server().counters().connections_accepted, 1u);
  EXPECT_EQ(s.server().counters().requests, 3u);
}

TEST(HttpServer, NoContentHasNoBody) {
  Running s(HttpServer::Handler([](const HttpRequest&) { return HttpResponse::empty(); }));
  TestClient c(s.port());
  const auto r = c.request("DELETE", "/x");
  EXPECT_EQ(r.status, 204u);
  EXPECT_FALSE(r.has("content-length"));
  EXPECT_EQ(c.request("DELETE", "/x").status, 204u);  // and the connection is still usable
}

TEST(HttpServer, AnswersFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mutex;
  {
    Running s(HttpServer::AsyncHandler([&](HttpRequest r, Responder responder) {
      std::lock_guard lock(mutex);
      workers.emplace_back([r = std::move(r), responder = std::move(responder)]() mutable {
        responder.send(HttpResponse::text(201, "later " + r.path));
      });
    }));
    TestClient c(s.port());
    const auto r = c.request("GET", "/async");
    EXPECT_EQ(r.status, 201u);
    EXPECT_EQ(r.body, "later /async");
  }
  for (auto& w : workers) w.join();
}

TEST(HttpServer, ADroppedResponderAnswers500) {
  Running s(HttpServer::AsyncHandler([](HttpRequest, Responder) {}));
  TestClient c(s.port());
  EXPECT_EQ(c.request("GET", "/").status, 500u);
}

TEST(HttpServer, DelaysTheAnswer) {
  Running s(HttpServer::Handler([](const HttpRequest&) {
    auto r = HttpResponse::text(200, "slow");
    r.delay = 150ms;
    return r;
  }));
  TestClient c(s.port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.request("GET", "/").body, "slow");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(HttpServer, ClosesResetsOrTruncatesOnRequest) {
  Running s(HttpServer::Handler([](const HttpRequest& r) {
    if (r.path == "/close") return HttpResponse::drop();
    if (r.path == "/reset") return HttpResponse::drop(0ms, true);
    auto cut = HttpResponse::text(200, std::string(1000, 'x'));
    cut.action = HttpAction::truncate;
    cut.truncate_after = 60;
    return cut;
  }));
  TestClient c(s.port());
  EXPECT_EQ(c.request("GET", "/close").error, boost::beast::http::error::end_of_stream);
  EXPECT_EQ(c.request("GET", "/reset").error, boost::asio::error::connection_reset);
  const auto cut = c.request("GET", "/truncate");
  EXPECT_TRUE(cut.error == boost::beast::http::error::partial_message ||
              cut.error == boost::beast::http::error::end_of_stream)
      << cut.error.message();
}

TEST(HttpServer, OnDoneRunsOnceAnswered) {
  std::atomic<int> done{0};
  Running s(HttpServer::Handler([&](const HttpRequest& r) {
    auto response = r.path == "/close" ? HttpResponse::drop() : HttpResponse::empty();
    response.on_done = [&] { ++done; };
    return response;
  }));
  TestClient c(s.port());
  c.request("GET", "/ok");
  c.request("GET", "/close");
  EXPECT_TRUE(test::eventually([&] { return done == 2; }));
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  Running s(HttpServer::Handler([](const HttpRequest&) {
    auto r = HttpResponse::text(200, "bye");
    r.keep_alive = false;
    return r;
  }));
  TestClient c(s.port());
  const auto r = c.request("GET", "/");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(c.request("GET", "/").status, 200u);  // on a new connection
  EXPECT_EQ(s.server().counters().connections_accepted, 2u);
}

TEST(HttpServer, RefusesBodiesOverTheLimit) {
  HttpServerOptions options;
  options.body_limit = 10;
  Running s{HttpServer::Handler(echo), options};
  TestClient c(s.port());
  EXPECT_EQ(c.request("POST", "/", {}, std::string(100, 'x')).status, 413u);
}

TEST(HttpServer, SendsContinueWhenAsked) {
  Running s{HttpServer::Handler(echo)};
  TestClient c(s.port());
  ASSERT_FALSE(c.write_raw(
      "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto [ec, interim] = c.read_until("\r\n\r\n");
  ASSERT_FALSE(ec);
  EXPECT_EQ(interim.substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_FALSE(c.write_raw("abc"));
  const auto r = c.receive();
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("body=abc"), std::string::npos);
}

TEST(HttpServer, StopClosesIdleConnections) {
  boost::asio::io_context io;
  HttpServer server(io, {}, HttpServer::Handler(echo));
  std::thread runner([&] { io.run(); });
  TestClient c(server.port());
  ASSERT_EQ(c.request("GET", "/").status, 200u);
  server.stop();
  EXPECT_TRUE(c.wait_closed());
  runner.join();  // returns only if the server left no work behind
  EXPECT_EQ(server.counters().connections_open, 0u);
}

TEST(HttpServer, StopFromInsideAHandler) {
  boost::asio::io_context io;
  std::optional<HttpServer> server;
  server.emplace(io, HttpServerOptions{}, HttpServer::Handler([&](const HttpRequest&) {
                   server->stop();
                   return HttpResponse::text(200, "stopping");
                 }));
  std::thread runner([&] { io.run(); });
  TestClient c(server->port());
  const auto r = c.request("GET", "/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("connection"), "close");
  runner.join();
}

TEST(HttpServer, BindsTheRequestedPortAndFailsWhenTaken) {
  Running first{HttpServer::Handler(echo)};
  boost::asio::io_context io;
  HttpServerOptions taken;
  taken.port = first.port();
  EXPECT_THROW(HttpServer(io, taken, HttpServer::Handler(echo)), boost::system::system_error);
}

// A WebSocket client with a deadline on each step.
class TestSocket {
 public:
  explicit TestSocket(std::uint16_t port, test::Fields headers = {}) : ws_(io_), port_(port) {
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [headers](boost::beast::websocket::request_type& request) {
          for (const auto& [k, v] : headers) request.set(k, v);
        }));
  }

  boost::system::error_code handshake(const std::string& target,
                                      boost::beast::websocket::response_type& response) {
    return run([&](auto done) {
      boost::beast::get_lowest_layer(ws_).async_connect(
          {boost::asio::ip::make_address("127.0.0.1"), port_},
          [this, &response, target, done](boost::system::error_code ec) mutable {
            if (ec) return done(ec);
            ws_.async_handshake(response, "127.0.0.1", target, done);
          });
    });
  }
  boost::system::error_code write(const std::string& text) {
    return run([&](auto done) { ws_.async_write(boost::asio::buffer(text), done); });
  }
  std::pair<boost::system::error_code, std::string> read() {
    boost::beast::flat_buffer buffer;
    const auto ec = run([&](auto done) { ws_.async_read(buffer, done); });
    return {ec, boost::beast::buffers_to_string(buffer.data())};
  }
  boost::system::error_code close() {
    return run(
        [&](auto done) { ws_.async_close(boost::beast::websocket::close_code::normal, done); });
  }
  [[nodiscard]] boost::beast::websocket::close_reason reason() const { return ws_.reason(); }

 private:
  // Runs one operation; a timer closes the socket if it takes longer than 10 s.
  template <class Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code result;
    bool finished = false;
    boost::asio::steady_timer deadline(io_, 10s);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec && !finished) boost::beast::get_lowest_layer(ws_).close();
    });
    start([&](boost::system::error_code ec, auto&&...) {
      result = ec;
      finished = true;
      deadline.cancel();
    });
    io_.restart();
    io_.run();
    return result;
  }

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::uint16_t port_;
};

WebSocketRoute echo_socket(std::atomic<int>& closed_with) {
  return WebSocketRoute{
      [](const HttpRequest& r) {
        auto answer = HttpResponse::empty(101);
        answer.set_header("Session-Resumed", "false");
        if (r.header("Authorization") != "secret") answer = HttpResponse::text(401, "no");
        return answer;
      },
      [&closed_with](WebSocketSession session) {
        session.send("hello " + session.request().path);
        session.on_message([session](std::string m, bool) { session.send("echo:" + m); });
        session.on_close([&closed_with](std::uint16_t code, std::string) { closed_with = code; });
      }};
}

TEST(HttpServer, RefusesAWebSocketTheRouteRejects) {
  std::atomic<int> closed_with{0};
  Running s{HttpServer::Handler(echo)};
  s.server().on_websocket("/ws", echo_socket(closed_with));
  TestSocket ws(s.port(), {{"Authorization", "wrong"}});
  boost::beast::websocket::response_type response;
  EXPECT_TRUE(ws.handshake("/ws", response));
  EXPECT_EQ(response.result_int(), 401u);
}

TEST(HttpServer, AcceptsWebSocketsOnARegisteredPath) {
  std::atomic<int> closed_with{0};
  Running s{HttpServer::Handler(echo)};
  s.server().on_websocket("/ws", echo_socket(closed_with));
  TestSocket ws(s.port(), {{"Authorization", "secret"}});
  boost::beast::websocket::response_type response;
  ASSERT_FALSE(ws.handshake("/ws?v=4", response));
  EXPECT_EQ(response.result_int(), 101u);
  EXPECT_EQ(response["Session-Resumed"], "false");
  EXPECT_EQ(ws.read().second, "hello /ws");
  ASSERT_FALSE(ws.write("ping"));
  EXPECT_EQ(ws.read().second, "echo:ping");
  EXPECT_FALSE(ws.close());
  EXPECT_TRUE(test::eventually([&] { return closed_with == 1000; }));
}

TEST(HttpServer, StopClosesWebSocketsGoingAway) {
  std::atomic<int> closed_with{0};
  boost::asio::io_context io;
  HttpServer server(io, {}, HttpServer::Handler(echo));
  server.on_websocket("/ws", echo_socket(closed_with));
  std::thread runner([&] { io.run(); });
  TestSocket ws(server.port(), {{"Authorization", "secret"}});
  boost::beast::websocket::response_type response;
  ASSERT_FALSE(ws.handshake("/ws", response));
  EXPECT_EQ(ws.read().second, "hello /ws");
  server.stop();
  const auto [ec, text] = ws.read();
  EXPECT_EQ(ec, boost::beast::websocket::error::closed);
  EXPECT_EQ(ws.reason().code, 1001);
  runner.join();
}

}  // namespace
}  // namespace cadence::sim
