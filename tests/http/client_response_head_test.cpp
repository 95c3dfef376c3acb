// Response heads http::Client must refuse, both found by fuzz/http_response.cpp: a status under
// 100 (Beast's parser takes any three digits), and a head over max_header_size that arrives as
// many complete field lines (Beast 1.81 counts only the bytes it has not parsed yet); and the
// interim heads (1xx) it must read past rather than take for the answer.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/http/client.hpp"
#include "cadence/http/client_options.hpp"
#include "support/expect_error.hpp"
#include "support/fault_server.hpp"

namespace {

namespace asio = boost::asio;
namespace http = cadence::http;
using cadence::test::FaultScript;
using cadence::test::FaultServer;
using cadence::test::FaultStep;

struct Outcome {
  int completions = 0;
  std::exception_ptr error;
  http::Response response;
};

Outcome get_once(FaultServer& server, http::ClientOptions options = {}) {
  asio::io_context io;
  http::Client client(io.get_executor(), std::move(options));
  http::Request req;
  req.url = server.url("/head");
  req.timeout = std::chrono::seconds(5);
  Outcome out;
  client.async_send(std::move(req), [&out](std::exception_ptr e, http::Response r) {
    ++out.completions;
    out.error = e;
    out.response = std::move(r);
  });
  // Bounded by the request timeout; the client's idle sweep keeps io busy afterwards.
  while (out.completions == 0) {
    if (io.run_one_for(std::chrono::milliseconds(5)) == 0 && io.stopped()) io.restart();
  }
  io.poll();
  return out;
}

Outcome get_once(const std::string& status_line) {
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send(status_line + "\r\nContent-Length: 2\r\n\r\nok"),
                      FaultStep::drain(std::chrono::seconds(5))});
  return get_once(server);
}

TEST(HttpClientResponseHead, StatusUnder100IsAProtocolError) {
  for (const char* line : {"HTTP/1.1 004 No Content", "HTTP/1.1 000 OK", "HTTP/1.1 099 X"}) {
    SCOPED_TRACE(line);
    const auto out = get_once(line);
    EXPECT_EQ(out.completions, 1);
    const auto* error = cadence::test::expect_error<cadence::NetworkError>(out.error, "bad status");
    if (error) {
      EXPECT_EQ(error->kind(), cadence::NetworkError::Kind::protocol);
    }
  }
}

TEST(HttpClientResponseHead, ThreeDigitStatusesFrom100AreKept) {
  for (const auto& [line, status] :
       {std::pair{"HTTP/1.1 200 OK", 200u}, std::pair{"HTTP/1.1 599 Odd", 599u},
        std::pair{"HTTP/1.1 999 Internal", 999u}}) {
    SCOPED_TRACE(line);
    const auto out = get_once(line);
    EXPECT_EQ(out.completions, 1);
    ASSERT_FALSE(out.error) << cadence::test::what(out.error);
    EXPECT_EQ(out.response.status, status);
    EXPECT_EQ(out.response.body, "ok");
  }
}

// 100 Continue and 103 Early Hints (RFC 9110 15.2) may come before any answer, from a proxy
// or a CDN in front of the server: the answer is the final one, with its own fields only.
TEST(HttpClientResponseHead, InterimResponsesAreReadPast) {
  FaultServer server({FaultStep::read_request(), FaultStep::send("HTTP/1.1 100 Continue\r\n\r\n"),
                      FaultStep::pause(std::chrono::milliseconds(20)),
                      FaultStep::send("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
                                      "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                      FaultStep::drain(std::chrono::seconds(5))});
  const auto out = get_once(server);
  EXPECT_EQ(out.completions, 1);
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.status, 200u);
  EXPECT_EQ(out.response.body, "ok");
  EXPECT_FALSE(out.response.headers.contains("link"));
}

TEST(HttpClientResponseHead, EndlessInterimResponsesAreAProtocolError) {
  FaultServer server(
      {FaultStep::read_request(), FaultStep::endless("HTTP/1.1 100 Continue\r\n\r\n")});
  const auto out = get_once(server);
  EXPECT_EQ(out.completions, 1);
  const auto* error = cadence::test::expect_error<cadence::NetworkError>(out.error, "bad status");
  if (error) {
    EXPECT_EQ(error->kind(), cadence::NetworkError::Kind::protocol);
  }
}

TEST(HttpClientResponseHead, SwitchingProtocolsIsTheAnswer) {
  // Never asked for by this client, so a 101 is what the server answered, not a preamble.
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n"
                                      "Connection: upgrade\r\n\r\n"),
                      FaultStep::drain(std::chrono::seconds(5))});
  const auto out = get_once(server);
  EXPECT_EQ(out.completions, 1);
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.status, 101u);
}

TEST(HttpClientResponseHead, AConnectionThatSwitchedProtocolsIsNotReused) {
  // Were it pooled, the second request would go down it and read the 200 meant to show that.
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n"
                                      "Connection: upgrade\r\n\r\n"),
                      FaultStep::read_request(),
                      FaultStep::send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                      FaultStep::drain(std::chrono::seconds(5))});
  asio::io_context io;
  http::Client client(io.get_executor());
  std::vector<unsigned> statuses;
  int completions = 0;
  const auto send = [&] {
    http::Request req;
    req.url = server.url("/upgrade");
    req.timeout = std::chrono::seconds(5);
    client.async_send(std::move(req), [&](std::exception_ptr e, http::Response r) {
      ++completions;
      EXPECT_FALSE(e) << cadence::test::what(e);
      statuses.push_back(r.status);
    });
  };
  const auto run_until = [&](int n) {  // bounded by the request timeout
    while (completions < n) {
      if (io.run_one_for(std::chrono::milliseconds(5)) == 0 && io.stopped()) io.restart();
    }
  };
  send();
  run_until(1);
  send();
  run_until(2);
  io.poll();
  EXPECT_EQ(statuses, (std::vector<unsigned>{101, 101}));
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST(HttpClientResponseHead, ManyShortFieldLinesInPiecesHitTheHeaderLimit) {
  // 600 lines of 22 bytes (13 KB) against a 4 KB limit, a byte per write. Beast checks its
  // limit against what it has not parsed yet; once it has had to wait for more it waits for
  // the end of the head within the limit, so pieces cannot carry a head past it (at most about
  // twice the limit gets through: the fields parsed before the first wait, then the rest).
  std::string lines;
  for (int i = 0; i < 600; ++i) lines += "X-Filler: 0123456789\r\n";
  FaultServer server({FaultStep::read_request(), FaultStep::send("HTTP/1.1 200 OK\r\n"),
                      FaultStep::trickle(lines, std::chrono::milliseconds(0)),
                      FaultStep::drain(std::chrono::seconds(5))});
  http::ClientOptions options;
  options.max_header_size = 4096;
  const auto out = get_once(server, options);
  EXPECT_EQ(out.completions, 1);
  cadence::test::expect_error<cadence::ResponseTooLargeError>(out.error, "header larger");
}

/// A server that streams head-like text forever after `script`: one completion, a
/// ResponseTooLargeError at the 4 KiB header limit, and the client stopped reading near it.
void expect_stopped_at_header_limit(FaultScript script) {
  FaultServer server(std::move(script));
  http::ClientOptions options;
  options.max_header_size = 4096;
  const auto out = get_once(server, options);
  EXPECT_EQ(out.completions, 1);
  cadence::test::expect_error<cadence::ResponseTooLargeError>(out.error, "header larger");
  EXPECT_LT(server.endless_bytes(), std::size_t{16} << 20);
}

TEST(HttpClientResponseHead, EndlessFieldLinesHitTheHeaderLimit) {
  expect_stopped_at_header_limit({FaultStep::read_request(), FaultStep::send("HTTP/1.1 200 OK\r\n"),
                                  FaultStep::endless("X-Filler: 0123456789\r\n")});
}

TEST(HttpClientResponseHead, TrailerFieldsAreNotMergedIntoTheHead) {
  // RFC 9110 6.5.1: a trailer may not add to the head's fields; here it would change the rate
  // limit the head announced (found by fuzz/http_response: trailer fields counted as the head's).
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                      "X-RateLimit-Remaining: 4\r\n\r\n2\r\nok\r\n0\r\n"
                                      "X-RateLimit-Remaining: 0\r\nX-Other: 1\r\n\r\n"),
                      FaultStep::drain(std::chrono::seconds(5))});
  const auto out = get_once(server);
  EXPECT_EQ(out.completions, 1);
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.body, "ok");
  EXPECT_EQ(out.response.headers.get("x-ratelimit-remaining"), "4");
  EXPECT_FALSE(out.response.headers.contains("x-other"));
}

TEST(HttpClientResponseHead, EndlessTrailerIsStoppedAtTheHeaderLimit) {
  // Beast looks for the end of a chunked body's trailer without any limit, keeping everything
  // in the connection's buffer; the body limit does not cover it.
  expect_stopped_at_header_limit(
      {FaultStep::read_request(),
       FaultStep::send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"),
       FaultStep::endless("X-Trailer: 0123456789\r\n")});
}

TEST(HttpClientResponseHead, EndlessChunkExtensionIsStoppedAtTheHeaderLimit) {
  expect_stopped_at_header_limit(
      {FaultStep::read_request(),
       FaultStep::send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x="),
       FaultStep::endless(std::string(1024, 'e'))});
}

TEST(HttpClientResponseHead, AHeadJustWithinTheLimitIsRead) {
  // 17 (status line) + 200 x 20 ("X-Filler: 01234567\r\n") = 4017 bytes, then the blank line.
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 200; ++i) head += "X-Filler: 01234567\r\n";
  FaultServer server(
      {FaultStep::read_request(),
       FaultStep::trickle(head + "Content-Length: 2\r\n\r\nok", std::chrono::milliseconds(0)),
       FaultStep::drain(std::chrono::seconds(5))});
  http::ClientOptions options;
  options.max_header_size = 4096;
  const auto out = get_once(server, options);
  EXPECT_EQ(out.completions, 1);
  ASSERT_FALSE(out.error) << cadence::test::what(out.error);
  EXPECT_EQ(out.response.headers.size(), 201u);
  EXPECT_EQ(out.response.body, "ok");
}

}  // namespace
