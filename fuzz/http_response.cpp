// The response parser of http::Client (src/http/response_parser.hpp) on arbitrary bytes arriving
// in arbitrary pieces, driven the way the client drives it: Beast's async_read puts what the
// connection's buffer holds, keeps what was not used, reads more while the parser needs more,
// and at end of stream calls put_eof when some of a response had arrived. The socket is left
// out (the fuzz build has no Asio I/O): the pieces are what successive reads would return.
//
// Checks: the parser never uses more than it was given, and each piece sits in a heap block of
// its own size, so a read past it is an ASan report; it ends with a whole response or an error
// (never stuck without progress, which would be a busy loop in async_read); a response has a
// status from 100 to 999, fields that are tokens with values free of CR, LF and NUL (the proxy
// forwards them) and within twice the header limit, a body within the body limit and none for
// HEAD; and the same bytes split any other way (here: all at once, and a byte at a time) give
// the same result.
//
// Input: byte 0 picks the limits and HEAD, byte 1 the number of split points (low 4 bits), the
// next that many bytes the length of each piece; the rest is what the server sent.
#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/http/headers.hpp"
#include "cadence/http/message.hpp"
#include "fuzz_check.hpp"
#include "http/response_parser.hpp"

namespace bhttp = boost::beast::http;
using cadence::fuzz::check;

namespace {

struct Limits {
  std::uint64_t body;
  std::uint32_t header;
  bool head;
};

struct Result {
  boost::system::error_code ec;
  cadence::http::Response response;
  bool keep_alive = false;
  bool header_done = false;
  std::size_t used = 0;  // bytes the parser took, the rest stays in the connection's buffer

  bool operator==(const Result& other) const {
    // On an error the client throws and closes the connection. Within the head, which error
    // and how much was taken depend on the pieces: Beast checks a status line that arrives
    // whole at once, but once it has had to wait it waits for the whole head (the blank line)
    // first, so garbage without one is "partial message" or "header limit" in pieces and "bad
    // version" at once. After the head the error must be the same, with one exception found by
    // the 10-minute runs (seeds regress_chunk_header_limit_in_pieces, regress_chunk_ext_limit_in_
    // pieces): a chunked body with a malformed chunk extension (a quoted string left open, a
    // control byte in it) is "partial message" or "bad chunk extension" when the bytes come
    // together and "body limit exceeded" when they come one by one (Beast 1.81's chunk parser;
    // not traced further). Either way the response ends with an error.
    if (static_cast<bool>(ec) != static_cast<bool>(other.ec)) return false;
    if (ec) {
      if (header_done != other.header_done) return false;
      if (!header_done || ec == other.ec) return true;
      const auto chunk_error = [](const boost::system::error_code& e) {
        return e == bhttp::error::partial_message || e == bhttp::error::bad_chunk ||
               e == bhttp::error::bad_chunk_extension;
      };
      return (ec == bhttp::error::body_limit && chunk_error(other.ec)) ||
             (other.ec == bhttp::error::body_limit && chunk_error(ec));
    }
    if (used != other.used) return false;
    const auto& a = response;
    const auto& b = other.response;
    return a.status == b.status && a.body == b.body && keep_alive == other.keep_alive &&
           std::equal(a.headers.begin(), a.headers.end(), b.headers.begin(), b.headers.end());
  }
};

// One put over exactly the unused bytes, copied to a block of their size.
std::size_t put(cadence::http::detail::ResponseParser& parser, const std::string& pending,
                boost::system::error_code& ec) {
  const auto block = std::make_unique<char[]>(pending.size());
  std::memcpy(block.get(), pending.data(), pending.size());
  const std::size_t used = parser.put(boost::asio::const_buffer(block.get(), pending.size()), ec);
  check(used <= pending.size());
  return used;
}

Result parse(std::string_view input, const std::vector<std::size_t>& pieces, const Limits& limits) {
  cadence::http::detail::ResponseParser parser;
  parser.body_limit(limits.body);
  parser.header_limit(limits.header);
  if (limits.head) parser.skip(true);
  parser.eager(true);  // as async_read sets it

  Result result;
  std::string pending;
  std::size_t read = 0;
  std::size_t piece = 0;
  for (;;) {
    if (!pending.empty()) {
      boost::system::error_code ec;
      const std::size_t used = put(parser, pending, ec);
      pending.erase(0, used);
      result.used += used;
      if (ec && ec != bhttp::error::need_more) {
        result.ec = ec;
        result.header_done = parser.is_header_done();
        return result;
      }
      if (!ec) {
        if (parser.is_done()) break;
        // async_read would put the same bytes again: no progress here is a busy loop there.
        check(used > 0 || pending.empty());
        continue;
      }
    }
    if (read == input.size()) {
      // End of stream, as Beast's read_some_op handles it.
      boost::system::error_code ec;
      if (parser.got_some()) {
        parser.put_eof(ec);
        if (!ec) check(parser.is_done());
      } else {
        ec = bhttp::error::end_of_stream;
      }
      if (ec) {
        result.ec = ec;
        result.header_done = parser.is_header_done();
        return result;
      }
      break;
    }
    const std::size_t want = piece < pieces.size() ? pieces[piece++] : input.size();
    const std::size_t n = std::min(want, input.size() - read);
    pending.append(input.substr(read, n));
    read += n;
  }
  result.keep_alive = parser.keep_alive();
  result.response = std::move(parser.get());
  return result;
}

void check_response(const Result& result, const Limits& limits) {
  if (result.ec) return;
  const auto& response = result.response;
  check(response.status >= 100 && response.status <= 999);
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : response.headers) {
    check(cadence::http::is_valid_field_name(name));
    check(cadence::http::is_valid_field_value(value));
    header_bytes += name.size() + value.size() + 4;
  }
  // Beast counts its limit against what it has not parsed yet: the fields parsed before its
  // first wait for more, then (it waits for the whole rest of the head) at most the limit again.
  check(header_bytes <= 2 * std::size_t{limits.header});
  check(response.body.size() <= limits.body);
  if (limits.head) check(response.body.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The client's defaults, and limits small enough for the fuzzer to cross.
  constexpr std::array<std::uint64_t, 4> body_limits{32 * 1024 * 1024, 64, 1, 0};
  constexpr std::array<std::uint32_t, 4> header_limits{64 * 1024, 256, 40, 1};
  const Limits limits{body_limits[data[0] & 3u], header_limits[(data[0] >> 2) & 3u],
                      (data[0] & 16u) != 0};
  const std::size_t splits = data[1] & 15u;
  if (size < 2 + splits) return 0;
  std::vector<std::size_t> pieces;
  for (std::size_t i = 0; i < splits; ++i) pieces.push_back(std::size_t{data[2 + i]} + 1);
  const std::string_view input(reinterpret_cast<const char*>(data) + 2 + splits, size - 2 - splits);

  const Result split = parse(input, pieces, limits);
  if (std::getenv("HTTP_RESPONSE_DEBUG")) {
    const Result whole = parse(input, {}, limits);
    const Result bytes = parse(input, std::vector<std::size_t>(input.size(), 1), limits);
    for (const Result* r : {&split, &whole, &bytes})
      std::fprintf(stderr, "ec=%s used=%zu status=%u body=%zu\n", r->ec.message().c_str(), r->used,
                   r->response.status, r->response.body.size());
  }
  check_response(split, limits);
  // Beast applies the header limit to the fields alone when the status line arrives whole with
  // them, and to the whole head once it has had to wait for more: a head longer than the limit
  // (but within the limit plus its status line) passes or fails depending on the pieces.
  const std::size_t blank_line = input.find("\r\n\r\n");
  const bool head_over_limit =
      blank_line == std::string_view::npos || blank_line + 4 > limits.header;
  const auto same = [&](const Result& other) {
    const bool limit_hit =
        split.ec == bhttp::error::header_limit || other.ec == bhttp::error::header_limit;
    return other == split || (limit_hit && head_over_limit);
  };
  check(same(parse(input, {}, limits)));
  if (input.size() <= 1024) {
    const std::vector<std::size_t> bytes(input.size(), 1);
    check(same(parse(input, bytes, limits)));
  }
  return 0;
}
