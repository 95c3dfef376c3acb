// Status lines http::Client must refuse: Beast's parser takes any three digits, and a status
// under 100 is no HTTP status (found by fuzz/http_response.cpp).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include "cadence/core/error.hpp"
#include "cadence/http/client.hpp"
#include "support/expect_error.hpp"
#include "support/fault_server.hpp"

namespace {

namespace asio = boost::asio;
namespace http = cadence::http;
using cadence::test::FaultServer;
using cadence::test::FaultStep;

struct Outcome {
  int completions = 0;
  std::exception_ptr error;
  http::Response response;
};

Outcome get_once(const std::string& status_line) {
  FaultServer server({FaultStep::read_request(),
                      FaultStep::send(status_line + "\r\nContent-Length: 2\r\n\r\nok"),
                      FaultStep::drain(std::chrono::seconds(5))});
  asio::io_context io;
  http::Client client(io.get_executor());
  http::Request req;
  req.url = server.url("/status");
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

TEST(HttpClientStatusLine, StatusUnder100IsAProtocolError) {
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

TEST(HttpClientStatusLine, ThreeDigitStatusesFrom100AreKept) {
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

}  // namespace
