// What the proxy answers itself, and that none of it reaches the upstream: bad paths, paths
// outside /api, bodies over --max-body, malformed HTTP, a full queue (503), a wait beyond
// --max-wait (429 shaped like Discord's), a token Discord refused.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "proxy/proxy_harness.hpp"

namespace cadence::proxy::test {
namespace {

namespace json = boost::json;

void expect_json_error(const http::Response& response, unsigned status, std::string_view reason) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(response.headers.get("X-Cadence-Proxy"), reason);
  const auto body = json::parse(response.body);
  EXPECT_TRUE(body.at("message").is_string());
  EXPECT_FALSE(body.at("message").as_string().empty());
  EXPECT_EQ(body.at("code"), 0);
}

/// Sends raw bytes and returns everything the proxy wrote before closing (at most 10 s).
std::string raw_exchange(std::uint16_t port, std::string_view bytes) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  timeval timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string out;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(out), ec);  // until the proxy closes
  return out;
}

TEST(ProxyRefusals, PathThatFailsRouteValidationIs400AndNotSent) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  expect_json_error(
      proxy.send(make_request(http::Method::get, proxy.url("/api/v10/channels/abc/messages"))), 400,
      "bad_request");
  expect_json_error(
      proxy.send(make_request(http::Method::get, proxy.url("/api/v10/channels/1/%2e%2e/x"))), 400,
      "bad_request");
  expect_json_error(proxy.send(make_request(http::Method::get, proxy.url("/api/v10/"))), 400,
                    "bad_request");

  EXPECT_TRUE(upstream.requests().empty());
}

TEST(ProxyRefusals, PathOutsideApiIs404) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  expect_json_error(proxy.send(make_request(http::Method::get, proxy.url("/users/@me"))), 404,
                    "not_found");

  EXPECT_TRUE(upstream.requests().empty());
}

TEST(ProxyRefusals, BodyOverMaxBodyIs413AndNotSent) {
  RecordingUpstream upstream;
  auto options = options_for(upstream.base_url());
  options.max_body = 1024;
  ProxyUnderTest proxy(options);
  auto request = make_request(http::Method::post, proxy.url("/api/v10/channels/1/messages"));
  request.headers.set("Content-Type", "application/json");
  request.body = R"({"content":")" + std::string(4096, 'x') + R"("})";

  expect_json_error(proxy.send(std::move(request)), 413, "too_large");

  EXPECT_TRUE(upstream.requests().empty());
}

TEST(ProxyRefusals, MalformedHttpIs400) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  const auto port = proxy.proxy().port();

  const auto garbage = raw_exchange(port, "NOT HTTP AT ALL\r\n\r\n");
  const auto bad_header =
      raw_exchange(port, "GET /api/v10/users/@me HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
  const auto bad_length = raw_exchange(
      port, "POST /api/v10/channels/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n");

  for (const auto& answer : {garbage, bad_header, bad_length}) {
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
    EXPECT_NE(answer.find("\"message\""), std::string::npos) << answer;
  }
  EXPECT_TRUE(upstream.requests().empty());
}

TEST(ProxyRefusals, UnknownMethodIs405) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));

  const auto answer = raw_exchange(proxy.proxy().port(),
                                   "PROPFIND /api/v10/users/@me HTTP/1.1\r\nHost: x\r\n"
                                   "Connection: close\r\n\r\n");

  EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << answer;
  EXPECT_TRUE(upstream.requests().empty());
}

// The server's own parser fills the request the handler sees: a client that waits for
// `100 Continue` gets it, an HTTP/1.0 client keeps its connection only when it asks, and the
// body, query and fields reach the upstream as sent.
TEST(ProxyServer, ExpectContinueIsAnsweredAndHttp10KeepsItsVersion) {
  RecordingUpstream upstream;
  ProxyUnderTest proxy(options_for(upstream.base_url()));
  const std::string body = R"({"content":"hi"})";
  const auto answer =
      raw_exchange(proxy.proxy().port(),
                   "POST /api/v10/channels/1/messages?a=b HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bot sim-token\r\nContent-Type: application/json\r\n"
                   "X-Audit-Log-Reason:   spaced  \r\nExpect: 100-continue\r\nConnection: close\r\n"
                   "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("\r\nConnection: close\r\n"), std::string::npos) << answer;
  const auto seen = upstream.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(seen[0].target, "/api/v10/channels/1/messages?a=b");
  EXPECT_EQ(seen[0].header("X-Audit-Log-Reason"), "spaced");

  const auto old = raw_exchange(proxy.proxy().port(),
                                "GET /api/v10/channels/1 HTTP/1.0\r\nHost: x\r\n"
                                "Authorization: Bot sim-token\r\n\r\n");
  EXPECT_TRUE(old.starts_with("HTTP/1.0 200 OK\r\n")) << old;
  EXPECT_EQ(old.find("Connection:"), std::string::npos) << old;
}

TEST(ProxyRefusals, QueueBeyondMaxQueueIs503) {
  sim::DiscordServerOptions sim_options;
  sim_options.latency = 1000ms;  // the first two stay in the proxy while the third arrives
  SimUpstream discord(sim_options);
  auto options = options_for(discord->base_url());
  options.max_queue = 2;
  ProxyUnderTest proxy(options);

  std::vector<std::future<http::Response>> answers;
  for (int i = 0; i < 3; ++i) {
    answers.push_back(proxy.start(
        make_request(http::Method::get, proxy.url("/api/v10/channels/" + std::to_string(i + 1)))));
  }
  std::vector<unsigned> statuses;
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(30s), std::future_status::ready);
    const auto response = answer.get();
    statuses.push_back(response.status);
    if (response.status == 503) {
      expect_json_error(response, 503, "queue-full");
      EXPECT_EQ(response.headers.get("Retry-After"), "1");
    }
  }

  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u), 2);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 503u), 1);
  EXPECT_EQ(discord->stats().requests, 2u);
}

// A place in the queue is given back once the request is answered: the answers that came
// before must not count against --max-queue (they did, until the lease was released by
// assignment as well as by destruction).
TEST(ProxyRefusals, AnsweredRequestsGiveTheirQueuePlaceBack) {
  SimUpstream discord;
  auto options = options_for(discord->base_url());
  options.max_queue = 2;
  ProxyUnderTest proxy(options);
  for (int i = 0; i < 6; ++i) {
    const auto response = proxy.send(
        make_request(http::Method::get, proxy.url("/api/v10/channels/" + std::to_string(i + 1))));
    ASSERT_EQ(response.status, 200u) << "request " << i << ": " << response.body;
  }
}

TEST(ProxyRefusals, WaitBeyondMaxWaitIs429ShapedLikeDiscords) {
  SimUpstream discord;  // GET /users/@me: 5 per 5 s
  auto options = options_for(discord->base_url());
  options.max_wait = 1000ms;
  ProxyUnderTest proxy(options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(proxy.send(make_request(http::Method::get, proxy.url("/api/v10/users/@me"))).status,
              200u);
  }

  const auto started = std::chrono::steady_clock::now();
  const auto response =
      proxy.send(make_request(http::Method::get, proxy.url("/api/v10/users/@me")));
  const auto took = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(response.status, 429u);
  EXPECT_LT(took, 900ms);  // refused at once: the known wait is longer than max-wait
  EXPECT_EQ(response.headers.get("X-Cadence-Proxy"), "rate-limited");
  EXPECT_EQ(response.headers.get("Via"), "1.1 cadence-proxy");
  EXPECT_EQ(response.headers.get("X-RateLimit-Scope"), "user");
  EXPECT_EQ(response.headers.get("X-RateLimit-Limit"), "5");
  EXPECT_EQ(response.headers.get("X-RateLimit-Remaining"), "0");
  EXPECT_EQ(response.headers.get("X-RateLimit-Bucket"), "7c1e4bd4d3a0c6a1e0f1d6b5a2e9c801");
  EXPECT_TRUE(response.headers.get("X-RateLimit-Reset"));
  EXPECT_TRUE(response.headers.get("X-RateLimit-Reset-After"));
  const auto retry_header =
      std::stoi(std::string(response.headers.get("Retry-After").value_or("0")));
  EXPECT_GE(retry_header, 1);
  EXPECT_LE(retry_header, 6);
  const auto body = json::parse(response.body);
  EXPECT_EQ(body.at("message"), "You are being rate limited.");
  EXPECT_EQ(body.at("global"), false);
  EXPECT_GT(body.at("retry_after").to_number<double>(), 1.0);
  EXPECT_LE(body.at("retry_after").to_number<double>(), 5.1);

  EXPECT_EQ(discord->stats().requests, 5u);
  EXPECT_EQ(discord->stats().rate_limited_user, 0u);
}

TEST(ProxyRefusals, RefusedTokenIsNotSentAgain) {
  SimUpstream discord;
  ProxyUnderTest proxy(options_for(discord->base_url()));

  const auto first = proxy.send(
      make_request(http::Method::get, proxy.url("/api/v10/users/@me"), "Bot wrong-token"));
  const auto second = proxy.send(
      make_request(http::Method::get, proxy.url("/api/v10/users/@me"), "Bot wrong-token"));
  const auto other = proxy.send(make_request(http::Method::get, proxy.url("/api/v10/users/@me")));

  EXPECT_EQ(first.status, 401u);
  EXPECT_FALSE(first.headers.get("X-Cadence-Proxy"));  // Discord's own answer
  EXPECT_EQ(second.status, 401u);
  EXPECT_EQ(second.headers.get("X-Cadence-Proxy"), "limiter");
  EXPECT_EQ(other.status, 200u);  // another token is not affected
  EXPECT_EQ(discord->stats().unauthorized, 1u);
}

}  // namespace
}  // namespace cadence::proxy::test
