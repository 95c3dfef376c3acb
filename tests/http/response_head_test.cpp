// The answer head http::Server writes: status line, the handler's fields without hop-by-hop
// ones, Content-Length when the status has a body, and the Connection field keep-alive needs.
#include "http/response_head.hpp"

#include <gtest/gtest.h>

namespace http = cadence::http;
using http::detail::format_response_head;

TEST(ResponseHead, KeptAliveHttp11AnswerHasNoConnectionField) {
  EXPECT_EQ(format_response_head(11, 200, {{"Content-Type", "application/json"}}, 12, true),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n");
}

TEST(ResponseHead, HopByHopFieldsOfTheHandlerAreReplacedByTheServersOwn) {
  EXPECT_EQ(format_response_head(11, 429,
                                 {{"connection", "keep-alive"},
                                  {"Retry-After", " 2 "},
                                  {"Transfer-Encoding", "chunked"},
                                  {"Content-Length", "999"}},
                                 5, false),
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 5\r\n"
            "Connection: close\r\n\r\n");
}

TEST(ResponseHead, Http10KeepAliveIsSaidAndBodilessStatusHasNoLength) {
  EXPECT_EQ(format_response_head(10, 204, {}, std::nullopt, true),
            "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(format_response_head(10, 200, {}, 0, false),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}
