// The compiled part of Beast's HTTP parser (Cadence's libraries build Beast with separate
// compilation, in src/core/asio_impl.cpp, which the fuzz build leaves out because it compiles
// all of Asio). Only what basic_parser needs: its scanning helpers, field names, methods and the
// parser's error category; no I/O. BOOST_BEAST_SOURCE instantiates basic_parser, as Beast's own
// src.hpp does.
#define BOOST_BEAST_SOURCE

#include <boost/beast/core/impl/string.ipp>
#include <boost/beast/http/detail/basic_parser.ipp>
#include <boost/beast/http/detail/rfc7230.ipp>
#include <boost/beast/http/impl/basic_parser.ipp>
#include <boost/beast/http/impl/error.ipp>
#include <boost/beast/http/impl/field.ipp>
#include <boost/beast/http/impl/rfc7230.ipp>
#include <boost/beast/http/impl/verb.ipp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// The target is built with BOOST_ENABLE_ASSERT_HANDLER, so that Boost's assertions come here.
// Every one aborts, as assert() would, except one that is wrong in Boost 1.81: on a chunked body
// whose first chunk is the last one ("0\r\n"), a put of 3 or 4 bytes after need_more asserts
// n >= 5 although the code after it handles those bytes (boostorg/beast pull request 2861,
// merged in May 2024). Release builds (NDEBUG) never check it; a Debug build of Cadence with an
// older Boost aborts there (docs/reliability.md).
namespace boost {
void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (std::string_view(expr) == "n >= 5" &&
      std::string_view(function).find("parse_chunk_header") != std::string_view::npos)
    return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion '%s' failed.\n", file, line, function, expr);
  std::abort();
}
void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion '%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}
}  // namespace boost
