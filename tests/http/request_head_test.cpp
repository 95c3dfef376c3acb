// The request head the client writes: what Beast's message and prepare_payload produced before
// the head was formatted by hand (Host, User-Agent, Content-Length rules, Connection: close).
#include "http/request_head.hpp"

#include <gtest/gtest.h>

namespace http = cadence::http;
using http::detail::format_request_head;

TEST(RequestHead, GetCarriesHostAndDefaultUserAgentAndNoContentLength) {
  const auto head = format_request_head(http::Method::get, "/a?b=1", "example.com:8080",
                                        "cadence/1", {{"Accept", "application/json"}}, 0);
  EXPECT_EQ(head.text,
            "GET /a?b=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: cadence/1\r\n"
            "Accept: application/json\r\n\r\n");
  EXPECT_FALSE(head.caller_closes);
}

TEST(RequestHead, CallerHostAndUserAgentReplaceTheDefaults) {
  const auto head =
      format_request_head(http::Method::get, "/", "origin", "cadence/1",
                          {{"host", "first"}, {"User-Agent", "bot/2"}, {"Host", "second"}}, 0);
  EXPECT_EQ(head.text, "GET / HTTP/1.1\r\nHost: second\r\nUser-Agent: bot/2\r\n\r\n");
}

TEST(RequestHead, ContentLengthIsTheBodySizeAndTheCallersIsDropped) {
  const auto head = format_request_head(
      http::Method::patch, "/x", "h", "ua",
      {{"Content-Length", "99"}, {"Transfer-Encoding", "chunked"}, {"X-A", "  padded\t"}}, 7);
  EXPECT_EQ(head.text,
            "PATCH /x HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\nX-A: padded\r\n"
            "Content-Length: 7\r\n\r\n");
}

TEST(RequestHead, EmptyBodyHasContentLengthZeroOnlyForPostPutAndOptions) {
  for (auto m : {http::Method::post, http::Method::put, http::Method::options}) {
    EXPECT_NE(format_request_head(m, "/", "h", "ua", {}, 0).text.find("Content-Length: 0\r\n"),
              std::string::npos)
        << http::to_string(m);
  }
  for (auto m : {http::Method::get, http::Method::head, http::Method::patch, http::Method::del}) {
    EXPECT_EQ(format_request_head(m, "/", "h", "ua", {}, 0).text.find("Content-Length"),
              std::string::npos)
        << http::to_string(m);
  }
}

TEST(RequestHead, ConnectionCloseAmongOptionsIsSeen) {
  EXPECT_TRUE(format_request_head(http::Method::get, "/", "h", "ua",
                                  {{"Connection", "keep-alive, Close"}}, 0)
                  .caller_closes);
  EXPECT_FALSE(format_request_head(http::Method::get, "/", "h", "ua",
                                   {{"Connection", "closed, keep-alive"}}, 0)
                   .caller_closes);
}
